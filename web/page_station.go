package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/frontline-org/frontline"
)

// stationPage is the sampling table on a phone or a PC: scan a tube, scan
// persons, seal, undo. The script keeps a queue of scans while offline and
// sends them again with the same request ids.
type stationPage struct {
	layout
	Round    *frontline.Round
	Stations []*frontline.Station
	Open     bool
}

func (s *Server) pageStation(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	stations, err := s.Sites.FindStations(r.Context(), round.ID)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "station.title", round.Name)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageStationName, stationPage{layout: s.layout(r, lang, title), Round: round,
		Stations: stations, Open: round.Status == frontline.RoundOpen})
}

// maxLabels bounds the labels of one page: a sheet or a few.
const maxLabels = 200

// labelsPage is a printable sheet of tube labels: a QR code and the code
// in letters under it.
type labelsPage struct {
	layout
	Round  *frontline.Round
	Prefix string
	From   int
	Count  int
	Labels []qrLabel
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
	if err := q.check(); err != nil {
		return err
	}
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	page := labelsPage{Round: round, Prefix: fmt.Sprintf("R%d-", round.ID), From: from, Count: count}
	if prefix != nil {
		page.Prefix = *prefix
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
