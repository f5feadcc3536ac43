package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/frontline-org/frontline"
)

// The stations of a round's setup page: added (with their device token
// shown once), renamed and retired.

// setupTokenPage shows a new station's device token, the only time it is
// shown, as text and as a QR code its device can scan or a sheet print.
type setupTokenPage struct {
	layout
	Round   *frontline.Round
	Site    *frontline.Site
	Station *frontline.Station
	Secret  string
	QR      template.HTML
}

// stationFields are the fields of the station forms.
var (
	stationFields      = []string{"station_name", "lane"}
	stationErrorFields = map[string]string{"name": "station_name", "lane": "lane"}
)

// postSetupStation adds a station to a site and shows its device token.
func (s *Server) postSetupStation(w http.ResponseWriter, r *http.Request) error {
	round, site, err := s.setupSite(r)
	if err != nil {
		return err
	}
	f, err := readForm(r, stationFields)
	if err != nil {
		return err
	}
	st := &frontline.Station{SiteID: site.ID, Name: f.Values["station_name"], Lane: f.Values["lane"]}
	secret, err := s.Sites.CreateStation(r.Context(), st)
	if err != nil {
		if err := s.setupFormError(f, err, stationErrorFields); err != nil {
			return err
		}
		return s.renderSetup(w, r, round, refusedStatus(err), func(p *setupPage) { onSite(p, site.ID).NewStation = f })
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "roundsetup.token.title", st.Name)
	if err != nil {
		return err
	}
	qr, err := qrSVG(secret, 240)
	if err != nil {
		return err
	}
	// The secret is on this page only: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, http.StatusOK, pageSetupTokenName, setupTokenPage{layout: s.layout(r, lang, title),
		Round: round, Site: site, Station: st, Secret: secret, QR: qr})
}

// pathStation returns the station of the path's {station}, which must be
// one of the round's.
func (s *Server) pathStation(r *http.Request, round *frontline.Round) (*frontline.Station, error) {
	q := newParams(r)
	id := q.pathID("station")
	if err := q.check(); err != nil {
		return nil, err
	}
	st, err := s.Sites.FindStationByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if st.RoundID != round.ID {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "round %d has no station %d", round.ID, id)
	}
	return st, nil
}

// setupStation returns the round the caller sets up and the path's
// {station}.
func (s *Server) setupStation(r *http.Request) (*frontline.Round, *frontline.Station, error) {
	round, err := s.setupRound(r)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.pathStation(r, round)
	return round, st, err
}

// postSetupStationRename renames a station.
func (s *Server) postSetupStationRename(w http.ResponseWriter, r *http.Request) error {
	round, st, err := s.setupStation(r)
	if err != nil {
		return err
	}
	f, err := readForm(r, []string{"station_name"})
	if err != nil {
		return err
	}
	_, err = s.Sites.RenameStation(r.Context(), st.ID, f.Values["station_name"])
	if err == nil {
		return s.setupDone(w, r, round.ID, fmt.Sprintf("#site-%d", st.SiteID), "roundsetup.done.station_renamed")
	}
	if err := s.setupFormError(f, err, stationErrorFields); err != nil {
		return err
	}
	return s.renderSetup(w, r, round, refusedStatus(err), func(p *setupPage) {
		for _, row := range onSite(p, st.SiteID).Stations {
			if row.ID == st.ID {
				row.Rename = f
			}
		}
	})
}

// postSetupStationRetire retires a station: its token stops at once.
func (s *Server) postSetupStationRetire(w http.ResponseWriter, r *http.Request) error {
	round, st, err := s.setupStation(r)
	if err != nil {
		return err
	}
	if _, err := readForm(r, nil); err != nil {
		return err
	}
	if _, err := s.Sites.RetireStation(r.Context(), st.ID); err != nil {
		return err
	}
	return s.setupDone(w, r, round.ID, fmt.Sprintf("#site-%d", st.SiteID), "roundsetup.done.station_retired")
}
