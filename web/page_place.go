package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// placeRows is a table of places; Total exceeds len(Rows) when the table
// shows only the first ones.
type placeRows struct {
	Lang  string
	Rows  []placeJSON
	Total int
}

// maxRows bounds the rows of a table on a page: a phone cannot show more
// usefully, and the API pages through the rest.
const maxRows = 500

// indexPage is the start page. For a role that reads the registry it is
// the caller's scope node with its counts and what lies below it; the
// other roles see their navigation only, until their workflows have pages.
type indexPage struct {
	layout
	// Work is what the reader has to do, from every workflow.
	Work     []workItem
	CanRead  bool
	Places   placeRows
	Top      *placeSummary
	Children placeRows
	// Duty is the signed-in worker's shifts of the day to come, when the
	// server serves the roster: their work, on the page they start from.
	Duty []dutyLine
	// Vulnerable are the residents the signed-in worker is the contact of
	// (包保), those not reached today first, each with one tap for
	// "called, fine".
	Vulnerable []*frontline.VulnerableResident
}

// dutyLine is one of the worker's shifts on the start page.
type dutyLine struct {
	Post, Span string
	OnDuty     bool
}

// placeSummary is one place with its counts, as the "counts" part shows
// it.
type placeSummary struct {
	Lang  string
	Place placeJSON
}

func (s *Server) pageIndex(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "index.title")
	if err != nil {
		return err
	}
	page := indexPage{layout: s.layout(r, lang, title), Places: placeRows{Lang: lang}, Children: placeRows{Lang: lang}}
	page.CanRead = callerFrom(r.Context()).principal.Can(frontline.PermReadRegistry)
	if page.Work, err = s.work(r, lang); err != nil {
		return err
	}
	if page.Duty, err = s.dutyToday(r.Context()); err != nil {
		return err
	}
	if s.Vulnerable != nil && callerFrom(r.Context()).principal.Can(frontline.PermCheckVulnerable) {
		if page.Vulnerable, err = s.Vulnerable.Mine(r.Context()); err != nil {
			return err
		}
	}
	if !page.CanRead {
		return s.render(w, http.StatusOK, pageIndexName, page)
	}
	// For a principal the roots of the tree are their scope node alone.
	roots, total, err := s.Places.FindPlaces(r.Context(), frontline.PlaceFilter{Roots: true, Limit: maxRows})
	if err != nil {
		return err
	}
	page.Places = placeRows{Lang: lang, Rows: placesJSON(roots), Total: total}
	if len(roots) == 1 && roots[0].Kind != frontline.KindHousehold {
		page.Top = &placeSummary{Lang: lang, Place: newPlaceJSON(roots[0])}
		kids, n, err := s.Places.FindPlaces(r.Context(), frontline.PlaceFilter{ParentID: &roots[0].ID, Limit: maxRows})
		if err != nil {
			return err
		}
		page.Children = placeRows{Lang: lang, Rows: placesJSON(kids), Total: n}
	}
	return s.render(w, http.StatusOK, pageIndexName, page)
}

// placePage is a node: where it is, its counts, what is below it and, for
// a household, its members (masked).
type placePage struct {
	layout
	Place     placeJSON
	Ancestors []placeJSON
	Children  placeRows
	Household bool
	Members   personTable
	CanEdit   bool
	// CanOrder: the reader may order for the household (supplies).
	CanOrder bool
	// Needs are a household's needs (halal, diabetic) as boxes, checked
	// when set; CanNeeds lets the reader change them.
	Needs    []option
	CanNeeds bool
	// CanHelp: the reader may raise a help request for the household.
	CanHelp bool
	// CanMedicine: the reader may ask a pharmacy for the household.
	CanMedicine bool
	// CanDedup links the suspected duplicates under the place, CanImport
	// the import of a resident list under it.
	CanDedup, CanImport bool
	// Responsible is the household's responsible worker and today's
	// cover, when the server serves the workforce.
	Responsible *responsibleView
}

// responsibleView is a household's responsible worker as its page shows
// them: the phone masked.
type responsibleView struct {
	Name, Phone           string
	Off                   bool
	CoverName, CoverPhone string
}

// personTable is a table of persons, masked, with the actions the
// caller's role may take on each.
type personTable struct {
	Lang      string
	CSRF      string
	Rows      []personJSON
	Address   bool // show each person's address (lists from many households)
	CanEdit   bool
	CanReveal bool
}

func (s *Server) pagePlace(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	v, err := s.placeView(r.Context(), id, maxRows)
	if err != nil {
		return err
	}
	who := callerFrom(r.Context()).principal
	page := placePage{
		layout:      s.layout(r, lang, v.place.Name),
		Place:       newPlaceJSON(v.place),
		Ancestors:   placesJSON(v.ancestors),
		Children:    placeRows{Lang: lang, Rows: placesJSON(v.children), Total: v.childrenTotal},
		Household:   v.place.Kind == frontline.KindHousehold,
		CanEdit:     who.Can(frontline.PermEditRegistry),
		CanOrder:    s.Orders != nil && who.Can(frontline.PermPlaceOrders),
		CanHelp:     s.Help != nil && who.Can(frontline.PermVisit),
		CanMedicine: s.Orders != nil && s.Medicine != nil && who.Can(frontline.PermPlaceOrders),
		CanDedup:    who.Can(frontline.PermEditRegistry) && s.Duplicates != nil,
		CanImport: who.Can(frontline.PermImportExport) && s.Uploads != nil && s.Imports != nil &&
			v.place.Kind.Rank() >= frontline.KindDistrict.Rank() && v.place.Kind.Rank() <= frontline.KindCompound.Rank(),
	}
	if page.Household {
		members, _, err := s.Persons.FindPersons(r.Context(), frontline.PersonFilter{HouseholdID: &id, Limit: maxRows})
		if err != nil {
			return err
		}
		page.Members = s.personTable(r, lang, s.personsJSON(members), false)
		if page.Responsible, err = s.responsibleOf(r.Context(), id); err != nil {
			return err
		}
		if err := s.householdNeeds(r, lang, &page); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, pagePlaceName, page)
}

// dutyToday returns the caller's shifts of the next day, nil for a caller
// who is not a worker or a server without the roster.
func (s *Server) dutyToday(ctx context.Context) ([]dutyLine, error) {
	p := frontline.PrincipalFrom(ctx)
	if s.Duty == nil || !p.Can(frontline.PermDuty) || p.UserID == 0 {
		return nil, nil
	}
	_, shifts, err := s.Duty.MyShifts(ctx)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []dutyLine
	for _, sh := range shifts {
		if sh.End.After(now) && sh.Start.Before(now.Add(24*time.Hour)) {
			out = append(out, dutyLine{Post: sh.Post.Name, Span: s.shiftSpan(sh), OnDuty: sh.Covers(now)})
		}
	}
	return out, nil
}

// responsibleOf returns the responsible worker of a household for its
// page, nil when the server has no workforce or nobody is responsible.
func (s *Server) responsibleOf(ctx context.Context, household int64) (*responsibleView, error) {
	if s.Responsibility == nil {
		return nil, nil
	}
	got, err := s.Responsibility.ResponsibleWorkers(ctx, []int64{household})
	if err != nil || got[household] == nil || got[household].Worker == nil {
		return nil, err
	}
	r := got[household]
	v := &responsibleView{Name: r.Worker.Name, Phone: frontline.MaskPhone(r.Worker.Phone), Off: r.Off}
	if r.Cover != nil {
		v.CoverName, v.CoverPhone = r.Cover.Name, frontline.MaskPhone(r.Cover.Phone)
	}
	return v, nil
}

// personTable returns rows as a table for r's caller.
func (s *Server) personTable(r *http.Request, lang string, rows []personJSON, address bool) personTable {
	c := callerFrom(r.Context())
	return personTable{Lang: lang, CSRF: c.csrf, Rows: rows, Address: address,
		CanEdit: c.principal.Can(frontline.PermEditRegistry), CanReveal: c.principal.Can(frontline.PermRevealPerson)}
}

// householdNeeds fills the household's needs when the server serves
// distributions.
func (s *Server) householdNeeds(r *http.Request, lang string, page *placePage) error {
	if s.Distributions == nil {
		return nil
	}
	needs, err := s.Distributions.HouseholdNeeds(r.Context(), page.Place.ID)
	if err != nil {
		return err
	}
	for _, n := range frontline.HouseholdNeeds {
		label, err := s.text(lang, "need."+string(n))
		if err != nil {
			return err
		}
		page.Needs = append(page.Needs, option{Value: string(n), Label: label, Selected: slices.Contains(needs, n)})
	}
	page.CanNeeds = page.CanEdit
	return nil
}
