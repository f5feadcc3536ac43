package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// zonesPage is the zone board of one node: the node and its children
// coloured by effective level with their households and residents under
// each level, the zones in force with the step-down check of each, and
// for those who may, the form that draws a zone.
type zonesPage struct {
	layout
	Node      *frontline.Place
	Ancestors []*frontline.Place
	Rows      []boardRow
	Checks    []stepDownRow
	CanManage bool
	Targets   []option
	Levels    []string
	Form      form
	// Affected is the list of the zone just drawn, shown once after the
	// form, so staff can call the vulnerable residents at once.
	Affected *frontline.Affected
	// NoContact counts the vulnerable residents of the sealed and
	// controlled zones here without a named contact, shown to those who
	// may open the board of the vulnerable.
	NoContact int
}

// boardRow is one node of the board.
type boardRow struct {
	Place                          *frontline.Place
	Level                          string // level key: sealed, controlled, precaution, none
	Self                           bool   // the board's own node
	Sealed, Controlled, Precaution frontline.LevelCounts
	Zones                          int
	HasMap                         bool // a compound or building: its buildings can be drawn
}

// stepDownRow is one zone in force with the rules' verdict in words.
type stepDownRow struct {
	*frontline.StepDownCheck
	Messages []string
	Target   string // level key
	// NoContact counts the zone's vulnerable residents, under the board's
	// node, without a named contact; Board is the node whose board of the
	// vulnerable lists them (the zone's, or the board's node inside it).
	NoContact int
	Board     int64
}

// levelKey names a level for classes, data attributes and message ids.
func levelKey(l frontline.ZoneLevel) string {
	if l == frontline.LevelNone {
		return "none"
	}
	return string(l)
}

// zoneFields are the fields of the form that draws a zone.
func zoneFields() []string { return []string{"place_id", "level", "reason", "decided_by", "board"} }

func (s *Server) pageZones(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, sealed := q.id("place"), q.id("sealed")
	if err := q.check(); err != nil {
		return err
	}
	page, err := s.zonesPage(w, r, s.placeOrScope(r, place), newForm())
	if err != nil {
		return notFoundIn(err, "place")
	}
	if sealed != nil {
		if page.Affected, err = s.affectedOf(r, *sealed); err != nil {
			return notFoundIn(err, "sealed")
		}
	}
	return s.render(w, http.StatusOK, pageZonesName, page)
}

// affectedOf lists what the node of zone id holds.
func (s *Server) affectedOf(r *http.Request, id int64) (*frontline.Affected, error) {
	z, err := s.Zones.FindZoneByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	a, err := s.Zones.Affected(r.Context(), z.PlaceID)
	if err != nil {
		return nil, err
	}
	a.Zone = z
	return a, nil
}

// zonesPage gathers the board of node id.
func (s *Server) zonesPage(w http.ResponseWriter, r *http.Request, id int64, f form) (*zonesPage, error) {
	ctx := r.Context()
	lang := pickLang(w, r)
	counts, err := s.Zones.ZoneBoard(ctx, id)
	if err != nil {
		return nil, err
	}
	anc, err := s.Places.Ancestors(ctx, id)
	if err != nil {
		return nil, err
	}
	title, err := s.text(lang, "zones.title")
	if err != nil {
		return nil, err
	}
	p := callerFrom(ctx).principal
	page := &zonesPage{layout: s.layout(r, lang, title), Node: counts[0].Place, Ancestors: anc, Form: f,
		CanManage: p.Can(frontline.PermManageZones), Levels: []string{"sealed", "controlled", "precaution"}}
	for i, c := range counts {
		k := c.Place.Kind.Rank()
		page.Rows = append(page.Rows, boardRow{Place: c.Place, Level: levelKey(c.Level), Self: i == 0, Zones: c.Zones,
			Sealed: c.ByLevel[frontline.LevelSealed], Controlled: c.ByLevel[frontline.LevelControlled],
			Precaution: c.ByLevel[frontline.LevelPrecaution],
			HasMap:     k == frontline.KindCompound.Rank() || k == frontline.KindBuilding.Rank()})
		if k >= frontline.MinZoneKind.Rank() {
			page.Targets = append(page.Targets, option{Value: strconv.FormatInt(c.Place.ID, 10), Label: c.Place.Name,
				Selected: f.Values["place_id"] == strconv.FormatInt(c.Place.ID, 10)})
		}
	}
	checks, err := s.Zones.StepDownChecks(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		msgs, err := s.reasonTexts(lang, c.Reasons)
		if err != nil {
			return nil, err
		}
		page.Checks = append(page.Checks, stepDownRow{StepDownCheck: c, Messages: msgs, Target: levelKey(c.Target)})
	}
	return page, s.zoneNoContact(ctx, page)
}

// zoneNoContact adds to the zone board the vulnerable residents without a
// named contact, per zone: in a sealed zone they are the ones nobody is
// bound to call, so they are counted where the zone is drawn, with a link
// to the board of the vulnerable showing them.
func (s *Server) zoneNoContact(ctx context.Context, page *zonesPage) error {
	if s.Vulnerable == nil || !callerFrom(ctx).principal.Can(frontline.PermCheckVulnerable) {
		return nil
	}
	counts, err := s.Vulnerable.WithoutContact(ctx, page.Node.ID)
	if err != nil {
		return err
	}
	for _, n := range counts {
		page.NoContact += n
	}
	for i := range page.Checks {
		c := &page.Checks[i]
		c.NoContact, c.Board = counts[c.Zone.ID], c.Zone.PlaceID
		if c.Zone.Place != nil && strings.HasPrefix(page.Node.Path, c.Zone.Place.Path) {
			c.Board = page.Node.ID
		}
	}
	return nil
}

// postZone draws a zone from the board's form and goes back to the board,
// which then lists the households and vulnerable residents of the node.
func (s *Server) postZone(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, zoneFields())
	if err != nil {
		return err
	}
	board, _ := formID(f.Values["board"])
	placeID, _ := formID(f.Values["place_id"])
	z := &frontline.Zone{PlaceID: placeID, Level: frontline.ZoneLevel(f.Values["level"]), Reason: f.Values["reason"],
		DecidedBy: f.Values["decided_by"]}
	a, err := s.Zones.SetZone(r.Context(), z)
	if err == nil {
		return redirect(w, r, "/zones?"+url.Values{"place": {strconv.FormatInt(board, 10)},
			"sealed": {strconv.FormatInt(a.Zone.ID, 10)}}.Encode())
	}
	switch code, field := frontline.ErrorCode(err), frontline.ErrorField(err); {
	case code == frontline.ECONFLICT:
		f.Errors[""] = "zones.error.conflict"
	case code == frontline.EINVALID && (field == "reason" || field == "level"):
		f.Errors[field] = "zones.error." + field
	case code == frontline.EINVALID && field == "place_id":
		f.Errors["place_id"] = "zones.error.place"
	default:
		return err
	}
	page, perr := s.zonesPage(w, r, board, f)
	if perr != nil {
		return perr
	}
	return s.render(w, statusOf(frontline.ErrorCode(err)), pageZonesName, page)
}

// postStepDown records the decision to step a zone down as its rule
// says, and goes back to the board.
func (s *Server) postStepDown(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"board", "decided_by"})
	if err != nil {
		return err
	}
	if _, err := s.Zones.StepDownZone(r.Context(), id, frontline.StepDown{DecidedBy: f.Values["decided_by"]}); err != nil {
		return err
	}
	board, _ := formID(f.Values["board"])
	return redirect(w, r, "/zones?place="+strconv.FormatInt(board, 10))
}

// zoneMapPage is the building map of a compound or building.
type zoneMapPage struct {
	layout
	Node   *frontline.Place
	Map    zoneMap
	Levels []string
}

func (s *Server) pageZoneMap(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place := q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	node, err := s.Places.FindPlaceByID(ctx, s.placeOrScope(r, place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	buildings, err := s.mapBuildings(r, node)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "zones.map.title", node.Name)
	if err != nil {
		return err
	}
	page := zoneMapPage{layout: s.layout(r, lang, title), Node: node, Map: layoutMap(buildings),
		Levels: []string{"sealed", "controlled", "precaution", "none"}}
	return s.render(w, http.StatusOK, pageZoneMapName, page)
}
