package web

import (
	"net/http"
	"net/url"

	"github.com/frontline-org/frontline"
)

// searchLimit is the number of results on one page of a search.
const searchLimit = 50

// searchPage finds persons within the caller's scope by name prefix,
// phone, or ID number (all of it or its last 4 or more characters).
// Results are masked like everywhere else.
type searchPage struct {
	layout
	By       string
	Q        string
	Moved    bool
	Searched bool
	Results  personTable
	Total    int
	From, To int // 1-based positions of the results shown
	Prev     string
	Next     string
	Form     form
}

// searchKinds are the ways to search, as the select offers them.
func searchKinds() []string { return []string{"name", "phone", "id_number"} }

func (s *Server) pageSearch(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	by := r.URL.Query().Get("by")
	if by != "phone" && by != "id_number" {
		by = "name"
	}
	text := q.text("q")
	moved := q.boolean("moved")
	offset := q.number("offset", 0, 0, 1_000_000)
	if err := q.check(); err != nil {
		return err
	}
	title, err := s.text(lang, "search.title")
	if err != nil {
		return err
	}
	page := searchPage{layout: s.layout(r, lang, title), By: by, Moved: moved, Form: newForm()}
	if text == nil {
		return s.render(w, http.StatusOK, pageSearchName, page)
	}
	page.Q, page.Searched = *text, true
	f := frontline.PersonFilter{IncludeMoved: moved, Offset: offset, Limit: searchLimit}
	switch by {
	case "name":
		f.Name = text
	case "phone":
		f.Phone = text
	case "id_number":
		f.IDNumber = text
	}
	ctx := r.Context()
	persons, total, err := s.Persons.FindPersons(ctx, f)
	if frontline.ErrorCode(err) == frontline.EINVALID {
		page.Form.Errors["q"] = "search.invalid." + by
		return s.render(w, http.StatusUnprocessableEntity, pageSearchName, page)
	} else if err != nil {
		return err
	}
	rows := s.personsJSON(persons)
	book := newAddresses(s.Places)
	for i, p := range persons {
		if rows[i].Address, err = book.of(ctx, p.Household); err != nil {
			return err
		}
	}
	page.Results, page.Total = s.personTable(r, lang, rows, true), total
	page.From, page.To = offset+1, offset+len(persons)
	query := url.Values{"by": {by}, "q": {page.Q}}
	if moved {
		query.Set("moved", "true")
	}
	page.Prev, page.Next = pageLinks("/search", query, offset, len(persons), searchLimit, total)
	return s.render(w, http.StatusOK, pageSearchName, page)
}
