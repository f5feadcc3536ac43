package web

import (
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// checkpointsResponse is the body of GET /api/v1/checkpoints.
type checkpointsResponse struct {
	Checkpoints []checkpointJSON `json:"checkpoints"`
	listJSON
}

// apiCheckpoints lists the checkpoints at or under ?under= (the caller's
// scope by default), optionally by status.
func (s *Server) apiCheckpoints(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.CheckpointFilter{Under: q.id("under"), PlaceID: q.id("place_id")}
	if v := q.text("status"); v != nil {
		st := frontline.CheckpointStatus(*v)
		f.Status = &st
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	cs, total, err := s.Checkpoints.FindCheckpoints(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	out := make([]checkpointJSON, len(cs))
	for i, c := range cs {
		out[i] = newCheckpointJSON(c)
	}
	return writeJSON(w, http.StatusOK, checkpointsResponse{Checkpoints: out, listJSON: listJSON{Total: total, page: pg}})
}

// checkpointInput is the body of POST and PATCH /api/v1/checkpoints.
type checkpointInput struct {
	PlaceID   int64                      `json:"place_id"`
	Name      *string                    `json:"name"`
	Location  *string                    `json:"location"`
	Type      *frontline.CheckpointType  `json:"type"`
	Hours     *string                    `json:"hours"`
	Checklist []*frontline.ChecklistItem `json:"checklist"`
}

// apiCreateCheckpoint adds a checkpoint being set up, with the default
// checklist unless the body gives one, and answers 201.
func (s *Server) apiCreateCheckpoint(w http.ResponseWriter, r *http.Request) error {
	var in checkpointInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := &frontline.Checkpoint{PlaceID: in.PlaceID, Name: orZero(in.Name), Location: orZero(in.Location),
		Type: orZero(in.Type), Hours: orZero(in.Hours), Checklist: in.Checklist}
	if err := s.Checkpoints.CreateCheckpoint(r.Context(), c); err != nil {
		return notFoundIn(err, "place_id")
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"checkpoint": newCheckpointJSON(c)})
}

// apiCheckpoint returns a checkpoint with its checklist and shifts.
func (s *Server) apiCheckpoint(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	c, err := s.Checkpoints.FindCheckpointByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"checkpoint": newCheckpointJSON(c)})
}

// apiUpdateCheckpoint changes a checkpoint's name, location, type or hours.
func (s *Server) apiUpdateCheckpoint(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in checkpointInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.Checkpoints.UpdateCheckpoint(r.Context(), id, frontline.CheckpointUpdate{Name: in.Name,
		Location: in.Location, Type: in.Type, Hours: in.Hours})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"checkpoint": newCheckpointJSON(c)})
}

// apiCheckpointStatus moves a checkpoint to {"status": ...}; opening with
// gaps in its setup is 409 with the gaps named.
func (s *Server) apiCheckpointStatus(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Status frontline.CheckpointStatus `json:"status"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.Checkpoints.SetCheckpointStatus(r.Context(), id, in.Status)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"checkpoint": newCheckpointJSON(c)})
}

// apiAddChecklistItem adds a line to a checkpoint's checklist.
func (s *Server) apiAddChecklistItem(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var it frontline.ChecklistItem
	if err := decodeJSON(r, &it); err != nil {
		return err
	}
	it.CheckpointID = id
	if err := s.Checkpoints.AddChecklistItem(r.Context(), &it); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"item": it})
}

// apiTaskDone ticks a task off or back on: {"done": true}.
func (s *Server) apiTaskDone(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Done bool `json:"done"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	it, err := s.Checkpoints.SetTaskDone(r.Context(), id, in.Done)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"item": it})
}

// apiChecklistTemplate returns the checklist new checkpoints get.
func (s *Server) apiChecklistTemplate(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Checkpoints.ChecklistTemplate(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// apiSetChecklistTemplate replaces the template with {"items": [...]} in
// order; only the city command may.
func (s *Server) apiSetChecklistTemplate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Items []*frontline.ChecklistItem `json:"items"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Checkpoints.SetChecklistTemplate(r.Context(), in.Items); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": in.Items})
}

// apiLedger returns a checkpoint's material entries and balances.
func (s *Server) apiLedger(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	l, err := s.Checkpoints.Ledger(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// ledgerInput is the body of POST /api/v1/checkpoints/{id}/ledger. The
// item is named by item_id or by its key ("coal").
type ledgerInput struct {
	ItemID   int64                `json:"item_id"`
	ItemKey  string               `json:"item_key"`
	Kind     frontline.LedgerKind `json:"kind"`
	Quantity int                  `json:"quantity"`
	Source   string               `json:"source"`
	Note     string               `json:"note"`
}

// apiRecordMaterial records material issued, used, restocked or returned
// and answers 201 with the item's balance.
func (s *Server) apiRecordMaterial(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in ledgerInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if in.ItemID == 0 {
		c, err := s.Checkpoints.FindCheckpointByID(ctx, id)
		if err != nil {
			return err
		}
		for _, it := range c.Checklist {
			if it.Key == in.ItemKey {
				in.ItemID = it.ID
			}
		}
		if in.ItemID == 0 {
			return &frontline.Error{Code: frontline.ENOTFOUND, Field: "item_key", Message: "the checklist has no item " + in.ItemKey}
		}
	}
	b, err := s.Checkpoints.RecordMaterial(ctx, &frontline.LedgerEntry{CheckpointID: id, ItemID: in.ItemID, Kind: in.Kind,
		Quantity: in.Quantity, Source: in.Source, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"balance": b})
}

// apiShortages lists the materials short at the checkpoints at or under
// ?under= (the caller's scope by default).
func (s *Server) apiShortages(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	under := q.id("under")
	if err := q.check(); err != nil {
		return err
	}
	short, err := s.Checkpoints.Shortages(r.Context(), s.placeOrScope(r, under))
	if err != nil {
		return notFoundIn(err, "under")
	}
	type shortageJSON struct {
		Checkpoint checkpointJSON       `json:"checkpoint"`
		Items      []*frontline.Balance `json:"items"`
	}
	out := make([]shortageJSON, len(short))
	for i, sh := range short {
		out[i] = shortageJSON{Checkpoint: newCheckpointJSON(sh.Checkpoint), Items: sh.Items}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"shortages": out})
}

// defaultDay fills a missing range with today in the server's zone.
func (s *Server) defaultDay(from, to time.Time) (time.Time, time.Time) {
	now := s.Now().In(s.Location)
	if from.IsZero() {
		from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Location)
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, 1)
	}
	return from, to
}

// orZero returns *p, or the zero value for nil.
func orZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
