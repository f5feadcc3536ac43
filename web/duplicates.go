package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"

	"github.com/frontline-org/frontline"
)

// pageDuplicatesName is the page of persons registered twice.
const pageDuplicatesName = "duplicates"

// maxDuplicates bounds the pairs one page or answer lists.
const maxDuplicates = 100

// registerDuplicates registers the suspected-duplicates page and its API
// when the server has the service.
func (s *Server) registerDuplicates() {
	if s.Duplicates == nil {
		return
	}
	list := func(p ...personJSON) []personJSON { return p }
	if err := s.parsePageSet(template.FuncMap{"list": list}, []string{pageDuplicatesName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	edit := Needs(frontline.PermEditRegistry)
	s.route("GET /duplicates", edit, s.pageDuplicates)
	s.route("POST /duplicates/merge", edit, s.postMergePersons)
	s.route("POST /duplicates/distinct", edit, s.postMarkDistinct)
	s.route("GET /api/v1/duplicates", edit, s.apiDuplicates)
	s.route("POST /api/v1/duplicates/merge", edit, s.apiMergePersons)
	s.route("POST /api/v1/duplicates/distinct", edit, s.apiMarkDistinct)
}

// duplicatePairJSON is one suspected pair, both persons masked as
// everywhere, with their addresses.
type duplicatePairJSON struct {
	A personJSON `json:"a"`
	B personJSON `json:"b"`
}

// duplicatesResponse is the body of GET /api/v1/duplicates.
type duplicatesResponse struct {
	Pairs []duplicatePairJSON `json:"pairs"`
	Total int                 `json:"total"`
}

// duplicatesPage lists the pairs with a form per pair.
type duplicatesPage struct {
	layout
	Under int64
	Pairs []duplicatePairJSON
	Total int
}

// duplicates reads under= (the caller's scope when absent) and finds the
// pairs with their addresses.
func (s *Server) duplicates(r *http.Request) (int64, []duplicatePairJSON, int, error) {
	q := newParams(r)
	under := q.id("under")
	if err := q.check(); err != nil {
		return 0, nil, 0, err
	}
	ctx := r.Context()
	node := callerFrom(ctx).principal.ScopeID
	if under != nil {
		node = *under
	}
	pairs, total, err := s.Duplicates.SuspectedDuplicates(ctx, node, maxDuplicates)
	if err != nil {
		return 0, nil, 0, notFoundIn(err, "under")
	}
	out, err := s.pairsJSON(ctx, pairs)
	return node, out, total, err
}

func (s *Server) pairsJSON(ctx context.Context, pairs []frontline.DuplicatePair) ([]duplicatePairJSON, error) {
	addr := newAddresses(s.Places)
	out := make([]duplicatePairJSON, 0, len(pairs))
	for _, p := range pairs {
		a, b := newPersonJSON(p.A, s.Now()), newPersonJSON(p.B, s.Now())
		var err error
		if a.Address, err = addr.of(ctx, p.A.Household); err != nil {
			return nil, err
		}
		if b.Address, err = addr.of(ctx, p.B.Household); err != nil {
			return nil, err
		}
		out = append(out, duplicatePairJSON{A: a, B: b})
	}
	return out, nil
}

func (s *Server) pageDuplicates(w http.ResponseWriter, r *http.Request) error {
	under, pairs, total, err := s.duplicates(r)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "dup.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageDuplicatesName, duplicatesPage{layout: s.layout(r, lang, title),
		Under: under, Pairs: pairs, Total: total})
}

// pairForm reads the two ids of a posted pair form.
func pairForm(r *http.Request, first, second string) (int64, int64, string, error) {
	f, err := readForm(r, []string{first, second, "under"})
	if err != nil {
		return 0, 0, "", err
	}
	a, errA := strconv.ParseInt(f.Values[first], 10, 64)
	b, errB := strconv.ParseInt(f.Values[second], 10, 64)
	if errA != nil || errB != nil {
		return 0, 0, "", frontline.Errorf(frontline.EINVALID, "say which two persons")
	}
	back := "/duplicates"
	if u, err := strconv.ParseInt(f.Values["under"], 10, 64); err == nil {
		back += "?under=" + strconv.FormatInt(u, 10)
	}
	return a, b, back, nil
}

func (s *Server) postMergePersons(w http.ResponseWriter, r *http.Request) error {
	survivor, merged, _, err := pairForm(r, "survivor_id", "merged_id")
	if err != nil {
		return err
	}
	if _, err := s.Duplicates.MergePersons(r.Context(), survivor, merged); err != nil {
		return err
	}
	return redirect(w, r, "/persons/"+strconv.FormatInt(survivor, 10))
}

func (s *Server) postMarkDistinct(w http.ResponseWriter, r *http.Request) error {
	a, b, back, err := pairForm(r, "a_id", "b_id")
	if err != nil {
		return err
	}
	if err := s.Duplicates.MarkDistinct(r.Context(), a, b); err != nil {
		return err
	}
	return redirect(w, r, back)
}

// apiDuplicates returns the suspected duplicates under ?under= (the
// caller's scope when absent).
func (s *Server) apiDuplicates(w http.ResponseWriter, r *http.Request) error {
	_, pairs, total, err := s.duplicates(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, duplicatesResponse{Pairs: pairs, Total: total})
}

// mergeInput is the body of POST /api/v1/duplicates/merge.
type mergeInput struct {
	SurvivorID int64 `json:"survivor_id"`
	MergedID   int64 `json:"merged_id"`
}

// mergeResponse is its answer: the survivor, masked, and what moved.
type mergeResponse struct {
	Survivor personJSON     `json:"survivor"`
	MergedID int64          `json:"merged_id"`
	Moved    map[string]int `json:"moved"`
	Kept     map[string]int `json:"kept"`
}

// apiMergePersons merges one person into another.
func (s *Server) apiMergePersons(w http.ResponseWriter, r *http.Request) error {
	var in mergeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.Duplicates.MergePersons(r.Context(), in.SurvivorID, in.MergedID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mergeResponse{Survivor: newPersonJSON(res.Survivor, s.Now()), MergedID: res.MergedID,
		Moved: res.Moved, Kept: res.Kept})
}

// distinctInput is the body of POST /api/v1/duplicates/distinct.
type distinctInput struct {
	AID int64 `json:"a_id"`
	BID int64 `json:"b_id"`
}

// apiMarkDistinct records that two persons are different people.
func (s *Server) apiMarkDistinct(w http.ResponseWriter, r *http.Request) error {
	var in distinctInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Duplicates.MarkDistinct(r.Context(), in.AID, in.BID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
