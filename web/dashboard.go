package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/chart"
)

// The dashboard of a node: what matters now, with charts drawn on the
// server as SVG, kept live by server-sent events. One page serves a phone
// (390 px, one column) and a wall screen (1920 px, a grid).

const pageDashboardName = "dashboard"

// dashboardEvery is how often the live stream sends the dashboard again.
const dashboardEvery = 5 * time.Second

// registerDashboard registers the dashboard's page, stream and API.
func (s *Server) registerDashboard() {
	if s.Dashboards == nil {
		return
	}
	if err := s.parsePageSet(nil, []string{pageDashboardName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	read := Needs(frontline.PermReadReports)
	s.route("GET /dashboard", read, s.pageDashboard)
	s.route("GET /dashboard/events", read, s.dashboardEvents)
	s.route("GET /api/v1/dashboard", read, s.apiDashboard)
}

// dashboardTiles are the headline figures: a section's figure each.
var dashboardTiles = []struct {
	section frontline.DailySectionKey
	column  string
}{
	{frontline.DailyTesting, "sampled"}, {frontline.DailyTesting, "not_sampled"}, {frontline.DailyTesting, "positive"},
	{frontline.DailyCases, "new_cases"}, {frontline.DailyCases, "active_cases"}, {frontline.DailyScreening, "pending"},
	{frontline.DailyZones, "sealed"}, {frontline.DailyZones, "sealed_residents"}, {frontline.DailyWorkforce, "on_duty"},
	{frontline.DailyWorkforce, "places_short"},
}

// dashboardView is the dashboard as the page and the stream show it.
type dashboardView struct {
	Tiles  []dashboardTile `json:"tiles"`
	Charts []dashboardSVG  `json:"charts"`
}

// dashboardTile is one headline figure with its change since yesterday.
type dashboardTile struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Value  string `json:"value"`
	Change string `json:"change"`
	Dir    string `json:"dir"`
}

// dashboardSVG is one chart, drawn.
type dashboardSVG struct {
	Key   string        `json:"key"`
	Title string        `json:"title"`
	SVG   template.HTML `json:"svg"`
}

// dashboardPage is the page.
type dashboardPage struct {
	layout
	Place  *frontline.Place
	View   dashboardView
	Events string
	Daily  string
	By     string
	ByLink map[string]string
}

// mapColours colour a tile by what the map shows.
var (
	zoneColours = map[frontline.ZoneLevel]string{frontline.LevelSealed: "#f4a6a6", frontline.LevelControlled: "#ffcf8a",
		frontline.LevelPrecaution: "#fff1a8", frontline.LevelNone: "#d8efdb"}
	coverageSteps = []struct {
		below float64
		color string
	}{{0, "#eceff2"}, {50, "#f4a6a6"}, {80, "#ffcf8a"}, {100, "#fff1a8"}, {101, "#b9e4c0"}}
)

// dashboardBy reads ?by= (zone, coverage or cases).
func dashboardBy(r *http.Request) string {
	switch by := r.URL.Query().Get("by"); by {
	case "coverage", "cases":
		return by
	}
	return "zone"
}

// dashboardView draws a dashboard in lang.
func (s *Server) dashboardView(lang, by string, d *frontline.Dashboard) dashboardView {
	var v dashboardView
	t := func(id string, args ...any) string {
		out, err := s.text(lang, id, args...)
		if err != nil {
			return id
		}
		return out
	}
	for _, tl := range dashboardTiles {
		sec := d.Today.Section(tl.section)
		if sec == nil {
			continue // a workflow not built: no tile
		}
		i := slices.Index(sec.Columns, tl.column)
		cell := dailyCells(&sec.Total)[i]
		v.Tiles = append(v.Tiles, dashboardTile{Key: string(tl.section) + "." + tl.column,
			Label: t("daily.col." + string(tl.section) + "." + tl.column), Value: formatNumber(cell.Value), Change: cell.Change, Dir: cell.Dir})
	}
	tests, positives := make([]chart.Bar, len(d.Days)), make([]chart.Bar, len(d.Days))
	for i, day := range d.Days {
		label := day.Day[5:]
		tests[i] = chart.Bar{Label: label, Values: []int{day.Sampled}}
		positives[i] = chart.Bar{Label: label, Values: []int{day.Positive}}
	}
	add := func(key, svg string) {
		v.Charts = append(v.Charts, dashboardSVG{Key: key, Title: t("dash.chart." + key), SVG: template.HTML(svg)})
	}
	add("tests", chart.Bars(t("dash.chart.tests"), "tests", []chart.Series{{Name: t("dash.series.sampled"), Color: "#2e6db4"}}, tests))
	add("positives", chart.Bars(t("dash.chart.positives"), "positives", []chart.Series{{Name: t("dash.series.positive"), Color: "#c62828"}}, positives))
	supplied := make([]chart.Bar, len(d.Supplied))
	for i, day := range d.Supplied {
		supplied[i] = chart.Bar{Label: day.Day[5:], Values: []int{day.Distributed, day.Ordered}}
	}
	add("supplied", chart.Bars(t("dash.chart.supplied"), "supplied", []chart.Series{{Name: t("dash.series.distributed"), Color: "#2e7d32"},
		{Name: t("dash.series.ordered"), Color: "#c98a00"}}, supplied))
	if m := d.Morning; m != nil {
		points := make([]chart.Point, len(m.Buckets))
		for i, b := range m.Buckets {
			share := 0.0
			if m.Expected > 0 {
				share = 100 * float64(b.Sampled) / float64(m.Expected)
			}
			points[i] = chart.Point{Label: b.At.Add(frontline.FlowBucketSize).In(s.Location).Format("15:04"), Value: share}
		}
		add("morning", chart.Line(t("dash.chart.morning"), "morning", "#2e7d32", points))
	}
	if len(d.HelpAges) > 0 {
		// Open help requests by how long they have waited: the bars past
		// 15 minutes and 2 hours are the late ones.
		ages := make([]chart.Bar, len(d.HelpAges))
		for i, a := range d.HelpAges {
			ages[i] = chart.Bar{Label: a.Label, Values: []int{a.Medical, a.Other}}
		}
		add("help", chart.Bars(t("dash.chart.help"), "help", []chart.Series{{Name: t("dash.series.help.medical"), Color: "#c62828"},
			{Name: t("dash.series.help.other"), Color: "#2e6db4"}}, ages))
	}
	if len(d.Map) > 0 {
		add("map", s.drawMap(t, by, d))
	}
	return v
}

// drawMap draws the children of the node as tiles coloured by by.
func (s *Server) drawMap(t func(string, ...any) string, by string, d *frontline.Dashboard) string {
	tiles := make([]chart.Tile, len(d.Map))
	var legend []chart.Series
	switch by {
	case "coverage":
		legend = []chart.Series{{Name: t("dash.map.noround"), Color: coverageSteps[0].color}, {Name: "<50%", Color: coverageSteps[1].color},
			{Name: "<80%", Color: coverageSteps[2].color}, {Name: "<100%", Color: coverageSteps[3].color}, {Name: "100%", Color: coverageSteps[4].color}}
	case "cases":
		legend = []chart.Series{{Name: "0", Color: zoneColours[frontline.LevelNone]}, {Name: "1–2", Color: zoneColours[frontline.LevelControlled]},
			{Name: "≥3", Color: zoneColours[frontline.LevelSealed]}}
	default:
		for _, l := range []frontline.ZoneLevel{frontline.LevelSealed, frontline.LevelControlled, frontline.LevelPrecaution, frontline.LevelNone} {
			legend = append(legend, chart.Series{Name: t("dash.level." + cmpLevel(l)), Color: zoneColours[l]})
		}
	}
	for i, m := range d.Map {
		tile := chart.Tile{Name: m.Name, Href: "/dashboard?" + url.Values{"place": {fmt.Sprint(m.PlaceID)}, "by": {by}}.Encode()}
		switch by {
		case "coverage":
			c := m.Coverage()
			tile.Color, tile.Note = coverageSteps[0].color, t("dash.map.noround")
			for _, st := range coverageSteps[1:] {
				if c >= 0 && c < st.below {
					tile.Color, tile.Note = st.color, strconv.FormatFloat(c, 'f', 1, 64)+"%"
					break
				}
			}
		case "cases":
			tile.Color, tile.Note = zoneColours[frontline.LevelNone], t("dash.map.cases", m.Cases)
			if m.Cases >= 3 {
				tile.Color = zoneColours[frontline.LevelSealed]
			} else if m.Cases > 0 {
				tile.Color = zoneColours[frontline.LevelControlled]
			}
		default:
			tile.Color, tile.Note = zoneColours[m.Level], t("dash.level."+cmpLevel(m.Level))
		}
		tiles[i] = tile
	}
	return chart.Map(t("dash.chart.map"), "map", tiles, legend)
}

// cmpLevel names a level in message ids; "" is none.
func cmpLevel(l frontline.ZoneLevel) string {
	if l == frontline.LevelNone {
		return "none"
	}
	return string(l)
}

// dashboardFor reads the dashboard of ?place= (the caller's scope).
func (s *Server) dashboardFor(r *http.Request) (*frontline.Dashboard, error) {
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return nil, err
	}
	d, err := s.Dashboards.Dashboard(r.Context(), place.ID)
	return d, notFoundIn(err, "place")
}

func (s *Server) pageDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.dashboardFor(r)
	if err != nil {
		return err
	}
	lang, by := pickLang(w, r), dashboardBy(r)
	title, err := s.text(lang, "dash.title", d.Place.Name)
	if err != nil {
		return err
	}
	view := s.dashboardView(lang, by, d)
	id := fmt.Sprint(d.Place.ID)
	page := dashboardPage{layout: s.layout(r, lang, title), Place: d.Place, View: view, By: by,
		Events: "/dashboard/events?" + url.Values{"place": {id}, "by": {by}}.Encode(),
		Daily:  dailyLink("/daily", d.Place.ID, ""), ByLink: map[string]string{}}
	for _, b := range []string{"zone", "coverage", "cases"} {
		page.ByLink[b] = "/dashboard?" + url.Values{"place": {id}, "by": {b}}.Encode()
	}
	return s.render(w, http.StatusOK, pageDashboardName, page)
}

// dashboardEvents streams the dashboard as server-sent events: a
// "dashboard" event at once and every dashboardEvery, each the tiles and
// the charts drawn, until the client goes away.
func (s *Server) dashboardEvents(w http.ResponseWriter, r *http.Request) error {
	d, err := s.dashboardFor(r)
	if err != nil {
		return err
	}
	lang, by := langOf(r), dashboardBy(r)
	return streamEvents(w, r, "dashboard", dashboardEvery, s.dashboardView(lang, by, d), func() (dashboardView, error) {
		d, err := s.Dashboards.Dashboard(r.Context(), d.Place.ID)
		if err != nil {
			return dashboardView{}, err
		}
		return s.dashboardView(lang, by, d), nil
	})
}

// apiDashboard returns the dashboard's figures as JSON.
func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.dashboardFor(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Dashboard *frontline.Dashboard `json:"dashboard"`
	}{d})
}
