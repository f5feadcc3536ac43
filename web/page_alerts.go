package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// alertsPage is the inbox: the alerts the user sees, unacknowledged
// first, each with what happened, where, since when and the one action
// that handles it.
type alertsPage struct {
	layout
	Alerts []*frontline.Alert
	Total  int
	// All shows resolved alerts too.
	All bool
	// Acked is the alert just acknowledged.
	Acked int64
	Next  string
}

// maxAlerts bounds the inbox page.
const maxAlerts = 100

func (s *Server) pageAlerts(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	all, acked := q.boolean("all"), q.id("acked")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	list, total, err := s.Alerts.FindAlerts(r.Context(), frontline.AlertFilter{Open: !all, Offset: pg.Offset, Limit: min(pg.Limit, maxAlerts)})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "alerts.title")
	if err != nil {
		return err
	}
	page := alertsPage{layout: s.layout(r, lang, title), Alerts: list, Total: total, All: all, Acked: deref(acked)}
	_, page.Next = pageLinks(r.URL.Path, r.URL.Query(), pg.Offset, len(list), min(pg.Limit, maxAlerts), total)
	return s.render(w, http.StatusOK, pageAlertsName, page)
}

// postAckAlert acknowledges an alert in the name of the signed-in user and
// returns to the inbox, at the alert.
func (s *Server) postAckAlert(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"note"})
	if err != nil {
		return err
	}
	if _, err := s.Alerts.Acknowledge(r.Context(), id, f.Values["note"]); err != nil {
		return err
	}
	n := strconv.FormatInt(id, 10)
	return redirect(w, r, "/alerts?acked="+n+"#alert-"+n)
}

// apiAlerts lists the caller's alerts: ?all=1 includes resolved ones.
func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	all, kind := q.boolean("all"), q.text("kind")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	list, total, err := s.Alerts.FindAlerts(r.Context(), frontline.AlertFilter{Open: !all, Kind: kind, Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"alerts": list, "total": total})
}

// apiUnread is the caller's unread count.
func (s *Server) apiUnread(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Alerts.Unread(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"unread": n})
}

// apiAckAlert acknowledges an alert: {"note": "..."}.
func (s *Server) apiAckAlert(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var body struct {
		Note string `json:"note"`
	}
	if err := readJSONOptional(r, &body); err != nil {
		return err
	}
	a, err := s.Alerts.Acknowledge(r.Context(), id, body.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"alert": a})
}

// apiAlertKinds lists the kinds and how they behave.
func (s *Server) apiAlertKinds(w http.ResponseWriter, r *http.Request) error {
	kinds, err := s.Alerts.AlertKinds(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"kinds": kinds})
}

// apiUpdateAlertKind changes a kind: its first level, roles, time to
// acknowledge (ack_within in seconds) and channels.
func (s *Server) apiUpdateAlertKind(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Label     string           `json:"label"`
		Tier      string           `json:"tier"`
		Roles     []frontline.Role `json:"roles"`
		AckWithin int64            `json:"ack_within_seconds"`
		Channels  []string         `json:"channels"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	k := &frontline.AlertKind{Kind: r.PathValue("kind"), Label: body.Label, Tier: frontline.PlaceKind(body.Tier), Roles: body.Roles,
		AckWithin: secondsDuration(body.AckWithin), Channels: body.Channels}
	if err := s.Alerts.UpdateAlertKind(r.Context(), k); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"kind": k})
}

// readJSONOptional decodes a JSON body into v when there is one: an
// acknowledgement needs no note.
func readJSONOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(r, v)
}

// secondsDuration turns whole seconds into a duration.
func secondsDuration(n int64) time.Duration { return time.Duration(n) * time.Second }
