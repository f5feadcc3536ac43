package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/frontline-org/frontline"
)

// The medicine part of a household's own page (/order?t=…): the pharmacies
// serving it, a form in large text that asks one of them for a medicine
// (with a photo of the prescription or the box), and its last requests
// with where each stands. Like the rest of the page it names no person and
// no address: a link may be forwarded.

// linkMedicine is the medicine part of the link page.
type linkMedicine struct {
	View *frontline.MedicineLinkView
	Form form
	Made *frontline.MedicineRequest // the request just made
}

// medLink is what the "medlink" part needs.
type medLink struct {
	Lang, Token string
	*linkMedicine
}

func medLinkOf(lang, token string, m *linkMedicine) medLink {
	return medLink{Lang: lang, Token: token, linkMedicine: m}
}

// postLinkMedicine records a household's request through its link and
// shows its page again: with the request made, or with the form, its
// values and what is wrong (the photo must be chosen again: a browser
// never keeps a file).
func (s *Server) postLinkMedicine(w http.ResponseWriter, r *http.Request) error {
	in, f, err := readMedicineForm(r)
	request := func(ctx context.Context, token string) (*frontline.MedicineRequest, error) {
		return s.Medicine.RequestMedicineByLink(ctx, token, in)
	}
	// The form is the page's medicine part; the order part starts empty.
	render := func(w http.ResponseWriter, r *http.Request, token string, m *frontline.MedicineRequest, f form, status int) error {
		return s.renderLinkPage(w, r, token, nil, newForm(), linkMedicine{Form: f, Made: m}, status)
	}
	return postByLink(s, w, r, f, err, request, s.medicineFormError, render)
}

// medicineWork lists a pharmacy's open requests on its users' home page,
// oldest first: how many (and how many chronic ones are late), then each
// of the first few with its time left.
func (s *Server) medicineWork(r *http.Request, lang string) ([]workItem, error) {
	if s.Medicine == nil || s.Orders == nil {
		return nil, nil
	}
	open, total, err := s.Medicine.FindMedicineRequests(r.Context(), frontline.MedicineFilter{Open: true, Limit: maxRows})
	if err != nil {
		return nil, err
	}
	late := 0
	for _, m := range open {
		if m.Late(s.Now()) {
			late++
		}
	}
	title, err := s.text(lang, "work.medicine.open", formatNumber(total))
	if err != nil {
		return nil, err
	}
	out := []workItem{{Title: title, Href: "/pharmacy/medicine", TestID: "work-medicine"}}
	if late > 0 {
		if out[0].Detail, err = s.text(lang, "work.medicine.late", formatNumber(late)); err != nil {
			return nil, err
		}
	}
	for _, m := range open[:min(len(open), 10)] {
		t, err := s.text(lang, "work.medicine.item", m.Medicine, m.Quantity, m.Address)
		if err != nil {
			return nil, err
		}
		detail := s.timeLeft(lang, m)
		if detail == "" {
			if detail, err = s.text(lang, "medicine.status."+string(m.Status)); err != nil {
				return nil, err
			}
		}
		out = append(out, workItem{Title: t, Detail: detail, Href: fmt.Sprintf("/pharmacy/medicine/%d", m.ID), TestID: "work-medicine-request"})
	}
	return out, nil
}
