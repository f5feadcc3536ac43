package web

import (
	"encoding/json"
	"net/http"

	"github.com/frontline-org/frontline"
)

// apiBind takes one binding request from a station: a tube and the
// persons (or a household) to put in it, optionally sealing it. It
// answers 200 with the answer of each person, refusals included; the
// request id makes a retry safe.
func (s *Server) apiBind(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var req frontline.BindRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.RoundID = id
	a, err := s.Sampling.Bind(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeCompactJSON(w, a)
}

// writeCompactJSON answers 200 with v as JSON without indentation, with
// the headers writeJSON sets: a scanner reads the answer, not a person,
// and a station sends thousands of requests an hour.
func writeCompactJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot encode the response", Err: err}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(append(b, '\n'))
	return nil
}

// maxBatchRequests bounds the requests of one batch: a station's queue
// after a few minutes offline.
const maxBatchRequests = 200

// bindBatch is the body of POST /api/v1/rounds/{id}/bindings/batch.
type bindBatch struct {
	Requests []*frontline.BindRequest `json:"requests"`
}

// batchItem is the answer to one request of a batch: the answer, or the
// error that kept it from being processed.
type batchItem struct {
	Answer *frontline.BindAnswer `json:"answer,omitempty"`
	Error  *frontline.ItemError  `json:"error,omitempty"`
}

// apiBindBatch takes the requests a station queued while offline and
// replays them, each with its own request id, and answers each in order.
// They are sent one after another, in the order the station queued them:
// a queued seal must not overtake the bindings scanned before it, nor a
// binding the opening of its tube. A queue is at most 200 requests, a
// few seconds of commits. A request that fails (not refused: the writer
// could not answer, or the database is out) stops the replay, and the rest
// are answered "internal" without being sent, so the station keeps them,
// with the one that failed, in order, for its next try.
func (s *Server) apiBindBatch(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in bindBatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Requests) == 0 || len(in.Requests) > maxBatchRequests {
		return frontline.FieldError("requests", "send 1 to %d requests", maxBatchRequests)
	}
	out := make([]batchItem, len(in.Requests))
	var stopped error
	for i, req := range in.Requests {
		switch {
		case stopped != nil:
			out[i].Error = frontline.NewItemError(stopped)
			continue
		case req == nil:
			out[i].Error = frontline.NewItemError(frontline.FieldError("requests", "request %d is empty", i))
			continue
		}
		req.RoundID = id
		a, err := s.Sampling.Bind(r.Context(), req)
		if err != nil {
			out[i].Error = frontline.NewItemError(err)
			if code := frontline.ErrorCode(err); code == frontline.EINTERNAL || code == frontline.EUNAVAILABLE || r.Context().Err() != nil {
				stopped = errBatchStopped
			}
			continue
		}
		out[i].Answer = a
	}
	return writeJSON(w, http.StatusOK, map[string]any{"answers": out})
}

// errBatchStopped answers the requests of a batch after one the writer
// could not answer: they were not sent, and the station sends them again.
var errBatchStopped = frontline.Errorf(frontline.EINTERNAL, "not sent: an earlier request of the batch failed; send again")

// apiUndo takes the binding the body names out of a tube, if it is the
// tube's newest; a repeat is answered with already_undone.
func (s *Server) apiUndo(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var req frontline.UndoRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.RoundID, req.TubeCode = id, r.PathValue("code")
	a, err := s.Sampling.Undo(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// apiTube returns a tube and its persons.
func (s *Server) apiTube(w http.ResponseWriter, r *http.Request) error {
	t, bs, err := s.Sampling.FindTube(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tube": t, "bindings": bs})
}

// apiTubes lists a round's tubes, by station and state when asked.
func (s *Server) apiTubes(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	station := q.id("station")
	pg := q.page()
	var state *frontline.TubeState
	if v := q.text("state"); v != nil {
		st := frontline.TubeState(*v)
		state = &st
	}
	if err := q.check(); err != nil {
		return err
	}
	tubes, total, err := s.Sampling.FindTubes(r.Context(), frontline.TubeFilter{RoundID: &id, StationID: station, State: state,
		Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tubes": tubes, "total": total, "limit": pg.Limit, "offset": pg.Offset})
}

// apiBag packs sealed tubes into a bag; the count must match.
func (s *Server) apiBag(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var req frontline.BagRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.RoundID = id
	b, err := s.Lab.BagTubes(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"bag": b})
}

// apiBags lists a round's bags, discrepant ones first.
func (s *Server) apiBags(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	bags, err := s.Lab.FindBags(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"bags": bags})
}

// apiBagByCode returns one bag.
func (s *Server) apiBagByCode(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Lab.FindBag(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"bag": b})
}

// apiReceiveBag records the lab's count of a bag.
func (s *Server) apiReceiveBag(w http.ResponseWriter, r *http.Request) error {
	var in frontline.BagReceipt
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Code = r.PathValue("code")
	b, err := s.Lab.ReceiveBag(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"bag": b})
}

// apiResults posts results per tube as JSON.
func (s *Server) apiResults(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Results []frontline.ResultRow `json:"results"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sum, err := s.Lab.PostResults(r.Context(), in.Results)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"summary": sum})
}

// apiResultsCSV posts a lab's results file: the body is the CSV (a header
// with a tube and a result column), or a form upload with the file in
// "file". Rows that cannot be read are listed with the rows refused.
func (s *Server) apiResultsCSV(w http.ResponseWriter, r *http.Request) error {
	body := r.Body
	if isForm(r) {
		f, _, err := r.FormFile("file")
		if err != nil {
			if tooLarge(err) == errTooLarge {
				return errTooLarge
			}
			return frontline.FieldError("file", "choose the results file to upload")
		}
		defer f.Close()
		body = f
	}
	rows, bad, err := frontline.ParseResultsCSV(body)
	if err != nil {
		return tooLarge(err)
	}
	sum, err := s.Lab.PostResults(r.Context(), rows)
	if err != nil {
		return err
	}
	sum.Errors = mergeResultErrors(bad, sum.Errors)
	return writeJSON(w, http.StatusOK, map[string]any{"summary": sum})
}

// apiRetests lists a round's home re-test tasks.
func (s *Server) apiRetests(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	under := q.id("under")
	pg := q.page()
	var status *frontline.RetestStatus
	if v := q.text("status"); v != nil {
		st := frontline.RetestStatus(*v)
		status = &st
	}
	if err := q.check(); err != nil {
		return err
	}
	tasks, total, err := s.Lab.FindRetests(r.Context(), frontline.RetestFilter{RoundID: &id, Under: under, Status: status,
		Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"retests": tasks, "total": total, "limit": pg.Limit, "offset": pg.Offset})
}

// apiSampleRetest records a home re-test sampled into a single tube.
func (s *Server) apiSampleRetest(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Tube string `json:"tube"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	task, err := s.Lab.SampleRetest(r.Context(), id, in.Tube)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"retest": task})
}
