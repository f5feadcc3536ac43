package web

import (
	"cmp"
	"net/http"
	"slices"
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
	// RowErrors are the summary's refused rows in the page's language.
	RowErrors []string
	// BadTube is the first tube code of the receive form that is not one,
	// quoted in the message so the lab finds it in the list.
	BadTube string
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
	if page.Summary != nil {
		for _, e := range page.Summary.Errors {
			text, err := s.resultErrorText(lang, e)
			if err != nil {
				return err
			}
			page.RowErrors = append(page.RowErrors, text)
		}
	}
	return s.render(w, status, pageLabName, page)
}

var receiveFields = []string{"code", "tubes", "count"}

// postReceive records the lab's count of a bag and shows what differs.
func (s *Server) postReceive(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	roundID := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, receiveFields)
	if err != nil {
		return err
	}
	rc := frontline.BagReceipt{Code: f.Values["code"], TubeCodes: strings.Fields(f.Values["tubes"]), RoundID: roundID}
	if v := f.Values["count"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Errors["count"] = "form.invalid.count"
			return s.renderLab(w, r, labPage{Form: f}, http.StatusBadRequest)
		}
		rc.Count = &n
	}
	bag, err := s.Lab.ReceiveBag(r.Context(), rc)
	if err != nil {
		if err := s.formError(f, err, receiveFields); err != nil {
			return err
		}
		return s.renderLab(w, r, labPage{Form: f, BadTube: firstBadTube(rc.TubeCodes)}, http.StatusBadRequest)
	}
	return s.renderLab(w, r, labPage{Form: newForm(), Bag: bag}, http.StatusOK)
}

// firstBadTube returns the first of codes that is not a tube code, or "".
func firstBadTube(codes []string) string {
	for _, c := range codes {
		if _, err := frontline.NormalizeTubeCode(c); err != nil {
			return c
		}
	}
	return ""
}

// postResultsFile posts a lab's results file uploaded from the page. A
// file that cannot be read at all comes back to the form; rows refused are
// listed by row and column under the summary.
func (s *Server) postResultsFile(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	file, _, err := r.FormFile("file")
	if err != nil {
		if tooLarge(err) == errTooLarge {
			return errTooLarge
		}
		f.Errors["file"] = "form.invalid.file"
		return s.renderLab(w, r, labPage{Form: f}, http.StatusBadRequest)
	}
	defer file.Close()
	rows, bad, err := frontline.ParseResultsCSV(file)
	if err != nil {
		if err := s.formError(f, err, []string{"file"}); err != nil {
			return err
		}
		return s.renderLab(w, r, labPage{Form: f}, http.StatusBadRequest)
	}
	sum, err := s.Lab.PostResults(r.Context(), rows)
	if err != nil {
		return err
	}
	sum.Errors = mergeResultErrors(bad, sum.Errors)
	return s.renderLab(w, r, labPage{Form: f, Summary: sum}, http.StatusOK)
}

// mergeResultErrors lists the rows the file reader refused with those the
// store refused, in the order of the file.
func mergeResultErrors(read, stored []frontline.ResultError) []frontline.ResultError {
	all := append(read, stored...)
	slices.SortStableFunc(all, func(a, b frontline.ResultError) int { return cmp.Compare(a.Row, b.Row) })
	return all
}

// resultErrorText says in lang what is wrong with a refused results row.
func (s *Server) resultErrorText(lang string, e frontline.ResultError) (string, error) {
	switch e.Reason {
	case frontline.ReasonColumns:
		return s.text(lang, "lab.row.columns", e.Row, e.Column)
	case frontline.ReasonTubeCode:
		return s.text(lang, "lab.row.tube_code", e.Row, e.Column, e.Value)
	case frontline.ReasonResult:
		if e.Value == "" {
			return s.text(lang, "lab.row.result_empty", e.Row, e.Column)
		}
		return s.text(lang, "lab.row.result", e.Row, e.Column, e.Value)
	case frontline.ReasonUnknownTube, frontline.ReasonTubeOpen:
		return s.text(lang, "lab.row."+string(e.Reason), e.Row, e.TubeCode)
	case frontline.ReasonHasResult:
		had, err := s.text(lang, "result."+e.Value)
		if err != nil {
			return "", err
		}
		return s.text(lang, "lab.row.has_result", e.Row, e.TubeCode, had)
	}
	return s.text(lang, "lab.row.unreadable", e.Row)
}
