package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// labPage is the lab's page of a round: receive bags, upload results, see
// the bags with discrepancies. The persons awaiting a re-test are on the
// home sampling page, which the lab does not read.
type labPage struct {
	layout
	Round   *frontline.Round
	Bags    []*frontline.Bag
	Summary *frontline.ResultSummary
	Bag     *frontline.Bag // the bag just received
	Form    form
}

func (s *Server) pageLab(w http.ResponseWriter, r *http.Request) error {
	return s.renderLab(w, r, labPage{Form: newForm()}, http.StatusOK)
}

func (s *Server) renderLab(w http.ResponseWriter, r *http.Request, page labPage, status int) error {
	lang := pickLang(w, r)
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if page.Bags, err = s.Lab.FindBags(ctx, round.ID); err != nil {
		return err
	}
	title, err := s.text(lang, "lab.title", round.Name)
	if err != nil {
		return err
	}
	page.layout, page.Round = s.layout(r, lang, title), round
	return s.render(w, status, pageLabName, page)
}

var receiveFields = []string{"code", "tubes", "count"}

// postReceive records the lab's count of a bag and shows what differs.
func (s *Server) postReceive(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, receiveFields)
	if err != nil {
		return err
	}
	rc := frontline.BagReceipt{Code: f.Values["code"], TubeCodes: strings.Fields(f.Values["tubes"])}
	rc.Count, _ = strconv.Atoi(f.Values["count"])
	bag, err := s.Lab.ReceiveBag(r.Context(), rc)
	if err != nil {
		if err := s.formError(f, err, receiveFields); err != nil {
			return err
		}
		return s.renderLab(w, r, labPage{Form: f}, http.StatusBadRequest)
	}
	return s.renderLab(w, r, labPage{Form: newForm(), Bag: bag}, http.StatusOK)
}

// postResultsFile posts a lab's results file uploaded from the page.
func (s *Server) postResultsFile(w http.ResponseWriter, r *http.Request) error {
	file, _, err := r.FormFile("file")
	if err != nil {
		return frontline.FieldError("file", "choose the results file to upload")
	}
	defer file.Close()
	rows, bad, err := frontline.ParseResultsCSV(file)
	if err != nil {
		return err
	}
	sum, err := s.Lab.PostResults(r.Context(), rows)
	if err != nil {
		return err
	}
	sum.Errors = append(bad, sum.Errors...)
	return s.renderLab(w, r, labPage{Form: newForm(), Summary: sum}, http.StatusOK)
}
