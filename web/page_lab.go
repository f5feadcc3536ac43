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
	// Held are the round's results waiting for a decision.
	Held []*frontline.HeldResult
	// One is the form of one tube's result; OneError says in the page's
	// language why it was not recorded.
	One      form
	OneError string
	// Decided says what was just decided about a held result.
	Decided string
	// Results are the results the lab may enter.
	Results []frontline.TubeResult
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
	if page.Held, err = s.Lab.FindHeldResults(ctx, round.ID); err != nil {
		return err
	}
	if page.One.Values == nil {
		page.One = newForm()
	}
	title, err := s.text(lang, "lab.title", round.Name)
	if err != nil {
		return err
	}
	page.layout, page.Round = s.layout(r, lang, title), round
	page.Results = []frontline.TubeResult{frontline.ResultNegative, frontline.ResultPositive, frontline.ResultInvalid}
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

// resultErrorText says in lang what is wrong with a refused results row:
// a row of a file by its number and column ("lab.row.*"), a result
// entered alone (Row 0) by its tube only ("lab.one.*").
func (s *Server) resultErrorText(lang string, e frontline.ResultError) (string, error) {
	where := []any{e.Row, e.Column}
	prefix := "lab.row."
	if e.Row == 0 {
		where, prefix = nil, "lab.one."
	}
	switch e.Reason {
	case frontline.ReasonColumns:
		return s.text(lang, prefix+"columns", where...)
	case frontline.ReasonTubeCode:
		return s.text(lang, prefix+"tube_code", append(where, e.Value)...)
	case frontline.ReasonResult:
		if e.Value == "" {
			return s.text(lang, prefix+"result_empty", where...)
		}
		return s.text(lang, prefix+"result", append(where, e.Value)...)
	}
	// The rest are about a tube and name no column.
	where = where[:min(len(where), 1)]
	switch e.Reason {
	case frontline.ReasonUnknownTube, frontline.ReasonTubeOpen:
		return s.text(lang, prefix+string(e.Reason), append(where, e.TubeCode)...)
	case frontline.ReasonHasResult, frontline.ReasonHeld:
		had, err := s.text(lang, "result."+e.Value)
		if err != nil {
			return "", err
		}
		return s.text(lang, prefix+string(e.Reason), append(where, e.TubeCode, had)...)
	}
	return s.text(lang, prefix+"unreadable", where...)
}

var oneResultFields = []string{"tube", "result"}

// postOneResult records one tube's result typed into the lab page: the
// lab has the tube in hand and no file to upload. A refusal comes back
// to the form with what was typed and the reason at the tube.
func (s *Server) postOneResult(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, oneResultFields)
	if err != nil {
		return err
	}
	result, ok := frontline.ParseResult(f.Values["result"])
	if !ok {
		f.Errors["result"] = "form.invalid.result"
	}
	if _, err := frontline.NormalizeTubeCode(f.Values["tube"]); err != nil {
		f.Errors["tube"] = "form.invalid.tube"
	}
	if len(f.Errors) > 0 {
		return s.renderLab(w, r, labPage{Form: newForm(), One: f}, http.StatusBadRequest)
	}
	sum, err := s.Lab.PostResults(r.Context(), []frontline.ResultRow{{TubeCode: f.Values["tube"], Result: result}})
	if err != nil {
		return err
	}
	if len(sum.Errors) > 0 {
		text, err := s.resultErrorText(langOf(r), sum.Errors[0])
		if err != nil {
			return err
		}
		return s.renderLab(w, r, labPage{Form: newForm(), One: f, OneError: text}, http.StatusBadRequest)
	}
	return s.renderLab(w, r, labPage{Form: newForm(), Summary: sum}, http.StatusOK)
}

// postDecideHeld records the lab's decision on a held result.
func (s *Server) postDecideHeld(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("held")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"decision"})
	if err != nil {
		return err
	}
	// The decision is made on the round's page: a held result of another
	// round is not found here.
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	held, err := s.Lab.FindHeldResults(r.Context(), round.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(held, func(h *frontline.HeldResult) bool { return h.ID == id }) {
		return frontline.Errorf(frontline.ENOTFOUND, "no result held for a decision in round %s has id %d", round.Name, id)
	}
	accept := f.Values["decision"] == "accept"
	if !accept && f.Values["decision"] != "reject" {
		return frontline.FieldError("decision", "decide accept or reject")
	}
	h, sum, err := s.Lab.DecideHeldResult(r.Context(), id, accept)
	if err != nil {
		return err
	}
	page := labPage{Form: newForm()}
	if page.Decided, err = s.text(langOf(r), "lab.held."+string(h.Decision), h.TubeCode); err != nil {
		return err
	}
	if accept {
		page.Summary = sum
	}
	return s.renderLab(w, r, page, http.StatusOK)
}
