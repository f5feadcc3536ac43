package web

import "github.com/frontline-org/frontline"

// The workforce's JSON: phones masked, as everywhere in the API.

// workerJSON is a worker with the phone masked.
type workerJSON struct {
	*frontline.Worker
	Phone string     `json:"phone,omitempty"`
	Place *placeJSON `json:"place,omitempty"`
}

func newWorkerJSON(w *frontline.Worker) workerJSON {
	out := workerJSON{Worker: w, Phone: frontline.MaskPhone(w.Phone)}
	if w.Place != nil {
		p := newPlaceJSON(w.Place)
		out.Place = &p
	}
	return out
}

func workersJSON(ws []*frontline.Worker) []workerJSON {
	out := make([]workerJSON, len(ws))
	for i, w := range ws {
		out[i] = newWorkerJSON(w)
	}
	return out
}

// postJSON is a post with its place in the API's form.
type postJSON struct {
	*frontline.Post
	Place *placeJSON `json:"place,omitempty"`
}

func newPostJSON(p *frontline.Post) postJSON {
	out := postJSON{Post: p}
	if p.Place != nil {
		pl := newPlaceJSON(p.Place)
		out.Place = &pl
	}
	return out
}

// assignmentJSON is an assignment with the worker's phone masked.
type assignmentJSON struct {
	*frontline.Assignment
	Phone string `json:"phone,omitempty"`
}

func newAssignmentJSON(a *frontline.Assignment) assignmentJSON {
	return assignmentJSON{Assignment: a, Phone: frontline.MaskPhone(a.Phone)}
}

// shiftJSON is a shift whose people's phones are masked.
type shiftJSON struct {
	*frontline.Shift
	Post        *postJSON        `json:"post,omitempty"`
	Assignments []assignmentJSON `json:"assignments"`
	Open        int              `json:"open"`
}

func shiftsJSON(shifts []*frontline.Shift) []shiftJSON {
	out := make([]shiftJSON, len(shifts))
	for i, sh := range shifts {
		out[i] = shiftJSON{Shift: sh, Assignments: make([]assignmentJSON, len(sh.Assignments)), Open: sh.Open()}
		if sh.Post != nil {
			p := newPostJSON(sh.Post)
			out[i].Post = &p
		}
		for j, a := range sh.Assignments {
			out[i].Assignments[j] = newAssignmentJSON(a)
		}
	}
	return out
}

// workerRefJSON is a worker beside a household, the phone masked.
type workerRefJSON struct {
	*frontline.WorkerRef
	Phone string `json:"phone,omitempty"`
}

func newWorkerRefJSON(w *frontline.WorkerRef) *workerRefJSON {
	if w == nil {
		return nil
	}
	return &workerRefJSON{WorkerRef: w, Phone: frontline.MaskPhone(w.Phone)}
}

// responsibleJSON is a household's responsible worker and today's cover.
type responsibleJSON struct {
	*frontline.ResponsibleWorker
	Worker *workerRefJSON `json:"worker,omitempty"`
	Cover  *workerRefJSON `json:"cover,omitempty"`
}

func newResponsibleJSON(r *frontline.ResponsibleWorker) responsibleJSON {
	return responsibleJSON{ResponsibleWorker: r, Worker: newWorkerRefJSON(r.Worker), Cover: newWorkerRefJSON(r.Cover)}
}
