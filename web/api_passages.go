package web

import (
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// passageInput is the body of POST /api/v1/checkpoints/{id}/passages.
type passageInput struct {
	Kind      frontline.PassageKind `json:"kind"`
	PersonID  int64                 `json:"person_id"`
	IDNumber  string                `json:"id_number"`
	Name      string                `json:"name"`
	Phone     string                `json:"phone"`
	Reason    string                `json:"reason"`
	Direction frontline.Direction   `json:"direction"`
	Emergency bool                  `json:"emergency"`
	Checks    frontline.Checks      `json:"checks"`
	// At is set by a device replaying what it recorded offline; empty is
	// now.
	At time.Time `json:"at"`
}

// apiRecordPassage decides and records a passage and answers 201 with the
// decision; a refusal is a recorded passage too, with its grounds in the
// caller's language.
func (s *Server) apiRecordPassage(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in passageInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := &frontline.Passage{CheckpointID: id, Kind: in.Kind, PersonID: in.PersonID, IDNumber: in.IDNumber, Name: in.Name,
		Phone: in.Phone, Reason: in.Reason, Direction: in.Direction, Emergency: in.Emergency, Checks: in.Checks, At: in.At}
	if err := s.Checkpoints.RecordPassage(r.Context(), p); err != nil {
		return err
	}
	out, err := s.passageJSON(langOf(r), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"passage": out})
}

func (s *Server) passageJSON(lang string, p *frontline.Passage) (passageJSON, error) {
	msgs, err := s.reasonTexts(lang, p.Reasons)
	return passageJSON{Passage: p, Phone: frontline.MaskPhone(p.Phone), Messages: msgs}, err
}

// passagesResponse is the body of GET /api/v1/checkpoints/{id}/passages.
type passagesResponse struct {
	Passages []passageJSON `json:"passages"`
	listJSON
}

// apiPassages lists a checkpoint's passages, newest first; refused=true
// gives the refused list. from and to bound the time.
func (s *Server) apiPassages(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	f := frontline.PassageFilter{CheckpointID: &id, Refused: q.boolean("refused"),
		From: q.day("from", s.Location, false), To: q.day("to", s.Location, true)}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	ps, total, err := s.Checkpoints.FindPassages(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]passageJSON, len(ps))
	for i, p := range ps {
		if out[i], err = s.passageJSON(langOf(r), p); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, passagesResponse{Passages: out, listJSON: listJSON{Total: total, page: pg}})
}

// apiPassageCounts counts a checkpoint's passages per hour between from
// and to (today by default).
func (s *Server) apiPassageCounts(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	from, to := q.day("from", s.Location, false), q.day("to", s.Location, true)
	if err := q.check(); err != nil {
		return err
	}
	from, to = s.defaultDay(from, to)
	hours, err := s.Checkpoints.PassageCounts(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"hours": hours})
}
