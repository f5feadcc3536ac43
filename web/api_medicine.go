package web

import (
	"context"
	"net/http"

	"github.com/frontline-org/frontline"
)

// The medicine API: staff list the requests under a node, ask on a
// household's behalf and record deliveries (/api/v1/medicine, orders.place);
// a pharmacy's users list their pharmacy's requests and take its steps
// (/api/v1/pharmacy/medicine, medicine.fill). A photo comes only through
// the pages; its presence is has_photo.

// registerMedicineAPI registers the medicine API.
func (s *Server) registerMedicineAPI() {
	place, fill := Needs(frontline.PermPlaceOrders), Needs(frontline.PermFillMedicines)
	s.route("GET /api/v1/medicine", place, s.apiMedicine)
	s.route("POST /api/v1/medicine", place, s.apiRequestMedicine)
	s.route("POST /api/v1/medicine/{id}/deliver", place, s.apiDeliverMedicine)
	s.route("GET /api/v1/pharmacy/medicine", fill, s.apiMedicine)
	s.route("POST /api/v1/pharmacy/medicine/{id}/fill", fill, s.apiFillMedicine)
	s.route("POST /api/v1/pharmacy/medicine/{id}/consult", fill, s.apiConsultMedicine)
	s.route("POST /api/v1/pharmacy/medicine/{id}/refuse", fill, s.apiRefuseMedicine)
	s.route("POST /api/v1/pharmacy/medicine/{id}/deliver", fill, s.apiDeliverMedicine)
}

// apiMedicine lists the requests the caller sees, oldest first: under
// ?place= for staff; ?open=true for those still to act on.
func (s *Server) apiMedicine(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.MedicineFilter{Open: q.boolean("open")}
	if id := q.id("place"); id != nil {
		f.Under = id
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Offset, f.Limit = pg.Offset, pg.Limit
	rs, total, err := s.Medicine.FindMedicineRequests(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"requests": rs, "total": total, "page": pg})
}

// apiRequestMedicine asks on a household's behalf and answers 201 with the
// request; a retry with the same key answers the same request.
func (s *Server) apiRequestMedicine(w http.ResponseWriter, r *http.Request) error {
	var in frontline.MedicineRequestInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Medicine.RequestMedicine(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"request": m})
}

// medicineNote is the body of a consultation or a refusal.
type medicineNote struct {
	Note string `json:"note"`
}

// medicineWorker is the body of a delivery.
type medicineWorker struct {
	WorkerID int64 `json:"worker_id"`
}

func (s *Server) apiFillMedicine(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in frontline.MedicineFill
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Medicine.FillMedicine(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"request": m})
}

func (s *Server) apiConsultMedicine(w http.ResponseWriter, r *http.Request) error {
	return s.medicineNoteStep(w, r, s.Medicine.AskConsultation)
}

func (s *Server) apiRefuseMedicine(w http.ResponseWriter, r *http.Request) error {
	return s.medicineNoteStep(w, r, s.Medicine.RefuseMedicine)
}

// medicineNoteStep is a pharmacy's step on a request that takes only a
// note (a consultation asked, a refusal): the request's id from the path,
// the note from the body, the request as it is after the step.
func (s *Server) medicineNoteStep(w http.ResponseWriter, r *http.Request,
	step func(context.Context, int64, string) (*frontline.MedicineRequest, error)) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in medicineNote
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := step(r.Context(), id, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"request": m})
}

func (s *Server) apiDeliverMedicine(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in medicineWorker
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Medicine.DeliverMedicine(r.Context(), id, in.WorkerID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"request": m})
}
