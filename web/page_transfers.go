package web

import (
	"net/http"
	"strconv"

	"github.com/frontline-org/frontline"
)

// transfersPage is the transfers under way in the caller's scope, each
// with the button of its next step: the list the transfer desk works
// from on a phone.
type transfersPage struct {
	layout
	Transfers []*frontline.Transfer
	CanStep   bool
	All       bool
	// Failed is the transfer whose step form was refused, with the form
	// as typed.
	Failed int64
	Form   form
	Now    int64
}

// transferFields are the fields of a step form.
var transferFields = []string{"to", "vehicle", "crew", "facility", "note"}

func (s *Server) pageTransfers(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	all := q.boolean("all")
	if err := q.check(); err != nil {
		return err
	}
	return s.renderTransfers(w, r, all, 0, newForm(), http.StatusOK)
}

func (s *Server) renderTransfers(w http.ResponseWriter, r *http.Request, all bool, failed int64, f form, status int) error {
	ctx := r.Context()
	list, _, err := s.Transfers.FindTransfers(ctx, frontline.TransferFilter{UnderWay: !all, Limit: maxAlerts})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "transfers.title")
	if err != nil {
		return err
	}
	return s.render(w, status, pageTransfersName, transfersPage{layout: s.layout(r, lang, title), Transfers: list, All: all,
		CanStep: callerFrom(ctx).principal.Can(frontline.PermManageCases), Failed: failed, Form: f, Now: s.Now().Unix()})
}

// postTransferStep moves a transfer on; a refused step comes back on the
// transfers page with what was typed and the field marked.
func (s *Server) postTransferStep(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, append(transferFields, "back"))
	if err != nil {
		return err
	}
	st := frontline.TransferStep{To: frontline.TransferStatus(f.Values["to"]), Vehicle: f.Values["vehicle"], Crew: f.Values["crew"],
		Facility: f.Values["facility"], Note: f.Values["note"]}
	t, err := s.Transfers.StepTransfer(r.Context(), id, st)
	if err != nil {
		if ferr := s.formError(f, err, transferFields); ferr != nil {
			return ferr
		}
		return s.renderTransfers(w, r, false, id, f, http.StatusBadRequest)
	}
	if back := localPath(f.Values["back"]); back != "/" && back != "" {
		return redirect(w, r, back+"#transfer-"+strconv.FormatInt(t.ID, 10))
	}
	return redirect(w, r, "/transfers#transfer-"+strconv.FormatInt(t.ID, 10))
}
