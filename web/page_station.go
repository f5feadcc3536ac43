package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// stationPage is the sampling table on a phone or a PC: scan a tube, scan
// or find persons, seal, undo, bag the sealed tubes. The script keeps a
// queue of scans while offline and sends them again with the same request
// ids.
type stationPage struct {
	layout
	Round    *frontline.Round
	Stations []*frontline.Station
	Open     bool
	BagSize  int
	// SearchUnder is the node the name search looks under.
	SearchUnder int64
	// Text holds the messages the script shows, in the page's language:
	// the script builds its lines from them and never from the server's
	// English messages.
	Text map[string]string
}

// stationText are the messages of station.js; one per refusal reason is
// added from frontline.Refusals.
var stationText = []string{
	"station.bound", "station.refused", "station.queue", "station.online", "station.offline", "station.count",
	"station.prior", "station.reason.other", "station.search.none", "station.search.pick", "station.search.more",
	"station.search.offline", "station.undo.done", "station.undo.already", "station.undo.none", "station.undo.offline",
	"station.bag.none", "station.bag.more", "station.bag.done", "station.bag.mismatch", "station.bag.offline",
	"station.bag.code_missing", "station.bag.code_used", "station.bag.stale", "station.tube_state.sealed",
	"station.tube_state.bagged", "station.tube_state.received", "station.tube_state.resulted", "station.tube.closed",
}

func (s *Server) pageStation(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	stations, err := s.workingStations(r, round.ID)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "station.title", round.Name)
	if err != nil {
		return err
	}
	text := make(map[string]string, len(stationText)+len(frontline.Refusals))
	ids := slices.Clone(stationText)
	for _, reason := range frontline.Refusals {
		ids = append(ids, "station.reason."+string(reason))
	}
	// A person bound with a note says what restricts them.
	for _, k := range frontline.RestrictionKinds {
		ids = append(ids, "restriction."+string(k))
	}
	for _, id := range ids {
		if text[id], err = s.scriptText(lang, id); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, pageStationName, stationPage{layout: s.layout(r, lang, title), Round: round,
		Stations: stations, Open: round.Status == frontline.RoundOpen, BagSize: frontline.DefaultBagSize, Text: text,
		SearchUnder: searchUnder(round, frontline.PrincipalFrom(r.Context()))})
}

// searchUnder is the node the station's name search looks under: the
// round's scope, or the caller's own scope when it lies inside the
// round's, because a search under a node the caller cannot see is
// refused, and the caller sees only their own persons anyway.
func searchUnder(round *frontline.Round, p *frontline.Principal) int64 {
	if round.Scope != nil && p != nil && p.ScopeID != 0 && strings.HasPrefix(p.ScopePath, round.Scope.Path) {
		return p.ScopeID
	}
	return round.ScopeID
}

// maxLabels bounds the labels of one page: a sheet or a few.
const maxLabels = 200

// labelsPage is a printable sheet of tube labels: a QR code and the code
// in letters under it.
type labelsPage struct {
	layout
	Round     *frontline.Round
	Stations  []*frontline.Station
	StationID int64 // the station whose range the default prefix is; 0 for none
	Prefix    string
	// Default is the prefix the sheet has without one typed: the form
	// shows it as a hint, so that choosing another station changes it.
	Default string
	Custom  bool
	From    int
	Count   int
	Labels  []qrLabel
}

type qrLabel struct {
	Text string
	SVG  template.HTML
}

func (s *Server) pageLabels(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	from := q.number("from", 1, 1, 1_000_000_000)
	count := q.number("count", 40, 1, maxLabels)
	prefix := q.text("prefix")
	stationID := q.id("station")
	if err := q.check(); err != nil {
		return err
	}
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	stations, err := s.workingStations(r, round.ID)
	if err != nil {
		return err
	}
	page := labelsPage{Round: round, Stations: stations, From: from, Count: count}
	page.StationID, err = labelStation(stations, stationID)
	if err != nil {
		return err
	}
	page.Default = labelPrefix(round.ID, page.StationID, frontline.PrincipalFrom(r.Context()))
	page.Prefix = page.Default
	if prefix != nil {
		page.Prefix, page.Custom = *prefix, true
	}
	for i := range count {
		code, err := frontline.NormalizeTubeCode(fmt.Sprintf("%s%06d", page.Prefix, from+i))
		if err != nil {
			return err
		}
		svg, err := qrSVG(code, 96)
		if err != nil {
			return err
		}
		page.Labels = append(page.Labels, qrLabel{Text: code, SVG: svg})
	}
	title, err := s.text(lang, "labels.title")
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, http.StatusOK, pageLabelsName, page)
}

// labelStation is the station a label sheet is for: the one asked for
// (the station page links with its station), or none.
func labelStation(stations []*frontline.Station, asked *int64) (int64, error) {
	if asked == nil {
		return 0, nil
	}
	for _, st := range stations {
		if st.ID == *asked {
			return st.ID, nil
		}
	}
	return 0, frontline.FieldError("station", "station %d is not a station of this round", *asked)
}

// labelPrefix is the default code prefix of a round's labels: the round,
// then the station, or else the user printing, so that two stations (or
// two people) printing the default sheet never print the same codes. A
// tube code is unique: a shared code would put two stations' persons into
// one tube.
func labelPrefix(roundID, stationID int64, p *frontline.Principal) string {
	switch {
	case stationID != 0:
		return fmt.Sprintf("R%d-S%d-", roundID, stationID)
	case p != nil && p.UserID != 0:
		return fmt.Sprintf("R%d-U%d-", roundID, p.UserID)
	}
	return fmt.Sprintf("R%d-", roundID)
}

// qrPage prints a household's code and each member's, for residents to
// show at the table.
type qrPage struct {
	layout
	Household qrLabel
	Persons   []qrLabel
}

func (s *Server) pageHouseholdQR(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	h, err := s.household(r.Context(), id)
	if err != nil {
		return err
	}
	book := newAddresses(s.Places)
	addr, err := book.of(r.Context(), h)
	if err != nil {
		return err
	}
	members, _, err := s.Persons.FindPersons(r.Context(), frontline.PersonFilter{HouseholdID: &id, Limit: maxMembers})
	if err != nil {
		return err
	}
	page := qrPage{}
	if page.Household, err = newQRLabel(addr, fmt.Sprintf("%s%d", qrHouseholdPrefix, h.ID), 160); err != nil {
		return err
	}
	for _, p := range members {
		l, err := newQRLabel(p.Name, fmt.Sprintf("%s%d", qrPersonPrefix, p.ID), 128)
		if err != nil {
			return err
		}
		page.Persons = append(page.Persons, l)
	}
	title, err := s.text(lang, "qr.title", addr)
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, http.StatusOK, pageQRName, page)
}

func newQRLabel(text, payload string, size int) (qrLabel, error) {
	svg, err := qrSVG(payload, size)
	return qrLabel{Text: text, SVG: svg}, err
}

// workingStations returns a round's stations that are not retired: those
// a sampler may sit at and print labels for.
func (s *Server) workingStations(r *http.Request, roundID int64) ([]*frontline.Station, error) {
	all, err := s.Sites.FindStations(r.Context(), roundID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, st := range all {
		if st.RetiredAt.IsZero() {
			out = append(out, st)
		}
	}
	return out, nil
}
