package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// roundPage is a round's dashboard at one node: the counters of the node
// and its children (live), the flow, the stations, the pool advice.
type roundPage struct {
	layout
	Round    *frontline.Round
	Node     roundCoverageJSON
	Children []roundCoverageJSON
	Flow     template.HTML
	Sites    []*frontline.SiteThroughput
	Stations []*frontline.StationThroughput
	Advice   string
	Policy   []policyRow
	Dead     []*frontline.Notice
	// Notices are the round's latest call-ups, for managers: what was
	// sent to whom and when, NoticeTotal of them in all, NoticeCounts
	// saying how many are in each state.
	Notices      []*frontline.Notice
	NoticeTotal  int
	NoticeCounts string
	CanManage    bool
	CanSample    bool
	CanLab       bool
	EventsURL    string
	// CanSetUp links the setup page, for those who manage the round as a
	// whole (CanManage is the role's permission, whatever the round).
	CanSetUp bool
	// CanDelete offers to delete the round: a draft its manager made by
	// mistake.
	CanDelete bool
}

type policyRow struct{ Level, Rule string }

func (s *Server) pageRound(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	_, place, err := roundPlace(r)
	if err != nil {
		return err
	}
	cov, err := s.roundCoverage(r, round.ID, place)
	if err != nil {
		return notFoundIn(err, "place")
	}
	p := callerFrom(r.Context()).principal
	page := roundPage{layout: s.layout(r, lang, round.Name), Round: round, Node: cov.Node, Children: cov.Children, Sites: cov.Sites, Stations: cov.Stations,
		CanManage: p.Can(frontline.PermManageRounds), CanSample: p.Can(frontline.PermSampling), CanLab: p.Can(frontline.PermPostResults),
		EventsURL: fmt.Sprintf("/api/v1/rounds/%d/events?place=%d", round.ID, cov.Node.PlaceID)}
	page.CanSetUp = round.ManagedBy(p)
	page.CanDelete = page.CanSetUp && round.Status == frontline.RoundDraft
	if err := s.fillRoundPage(r, lang, &page); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageRoundName, page)
}

// fillRoundPage adds the flow, the stations, the advice, the policy and,
// for managers, the notices that could not be delivered.
func (s *Server) fillRoundPage(r *http.Request, lang string, page *roundPage) error {
	ctx := r.Context()
	flow, err := s.Coverage.Flow(ctx, page.Round.ID, page.Node.PlaceID)
	if err != nil {
		return err
	}
	page.Flow = flowSVG(flow, page.Round, s.Location)
	for _, level := range page.Round.Policy.Levels() {
		name := "level.none"
		if level != "" {
			name = "level." + level
		}
		label, err := s.text(lang, name)
		if err != nil {
			label = level
		}
		rule, err := s.ruleText(lang, page.Round.Policy[level])
		if err != nil {
			return err
		}
		page.Policy = append(page.Policy, policyRow{label, rule})
	}
	if page.Advice, err = s.adviceText(r, lang, page); err != nil {
		return err
	}
	if page.CanManage {
		dead := frontline.NoticeDead
		if page.Dead, _, err = s.Outbox.FindNotices(ctx, frontline.NoticeFilter{Status: &dead, RoundID: &page.Round.ID, Limit: 50}); err != nil {
			return err
		}
		return s.roundNotices(r, lang, page)
	}
	return err
}

// maxNotices bounds the call-ups listed on a round's page.
const maxNotices = 200

// roundNotices fills the notices of a round's page: the latest call-ups
// and how many are delivered, waiting, not delivered and withdrawn.
func (s *Server) roundNotices(r *http.Request, lang string, page *roundPage) error {
	ctx := r.Context()
	var err error
	if page.Notices, page.NoticeTotal, err = s.Outbox.FindNotices(ctx, frontline.NoticeFilter{RoundID: &page.Round.ID, Limit: maxNotices}); err != nil {
		return err
	}
	counts, err := s.Outbox.CountNotices(ctx, frontline.NoticeFilter{RoundID: &page.Round.ID})
	if err != nil {
		return err
	}
	var parts []countText
	for _, st := range noticeStatuses() {
		parts = append(parts, countText{"notices.count." + string(st), counts[st]})
	}
	page.NoticeCounts, err = s.counts(lang, parts...)
	return err
}

// adviceText writes the pool advice for the next round from the recent
// rounds' positivity at the page's node.
func (s *Server) adviceText(r *http.Request, lang string, page *roundPage) (string, error) {
	pos, err := s.Coverage.Positivity(r.Context(), page.Round.ID, page.Node.PlaceID)
	if err != nil {
		return "", err
	}
	if _, tested := pos.Estimate(); tested == 0 {
		return s.text(lang, "cov.advice.none")
	}
	current := page.Round.Policy.Rule("").Capacity(1)
	a := frontline.AdviseFromPositivity(*pos, current, 20)
	return s.text(lang, "cov.advice", len(pos.Rounds), strconv.FormatFloat(100*a.Prevalence, 'f', 2, 64)+"%", a.Best,
		strconv.FormatFloat(a.BestTests, 'f', 3, 64), a.Current, strconv.FormatFloat(a.CurrentTests, 'f', 3, 64))
}

// flowSVG draws the persons sampled per ten minutes as bars over the
// round's hours (widened to any binding outside them), the hours marked
// below, so a bar's place says when. It is drawn on the server: no
// script, prints as it shows.
func flowSVG(flow []frontline.FlowBucket, round *frontline.Round, loc *time.Location) template.HTML {
	if len(flow) == 0 {
		return ""
	}
	first, last := flow[0].At, flow[len(flow)-1].At
	// The round's hours, unless the bindings lie far from them (a round
	// that ran late, a clock that was wrong): then their own span.
	if start := frontline.FlowBucketOf(round.StartsAt); start.Before(first) && first.Sub(start) <= 24*time.Hour {
		first = start
	}
	if end := frontline.FlowBucketOf(round.EndsAt.Add(-time.Nanosecond)); end.After(last) && end.Sub(first) <= 24*time.Hour {
		last = end
	}
	n := int(last.Sub(first)/frontline.FlowBucketSize) + 1
	peak := 1
	for _, b := range flow {
		peak = max(peak, b.Sampled)
	}
	const w, h, bottom = 600, 140, 20
	bw := float64(w) / float64(n)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="flow" viewBox="0 0 %d %d" role="img">`, w, h)
	for _, f := range flow {
		i := int(f.At.Sub(first) / frontline.FlowBucketSize)
		bh := float64(h-bottom-4) * float64(f.Sampled) / float64(peak)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2a7ab0"><title>%s %d</title></rect>`,
			float64(i)*bw+1, float64(h-bottom)-bh, max(bw-2, 1), bh, f.At.In(loc).Format("15:04"), f.Sampled)
	}
	every := max(1, (n+71)/72) // hours between labels: a dozen at most, so they do not overlap
	for i := range n {
		at := first.Add(time.Duration(i) * frontline.FlowBucketSize).In(loc)
		if (at.Minute() == 0 && at.Hour()%every == 0) || n <= 12 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#555">%s</text>`, float64(i)*bw, h-4, at.Format("15:04"))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="12" font-size="11" fill="#555" text-anchor="end">%d</text></svg>`, w-2, peak)
	return template.HTML(b.String())
}

// gapsPage is the list of households with persons to sample under a
// node, by building: what staff take from door to door.
type gapsPage struct {
	layout
	Round *frontline.Round
	Node  roundCoverageJSON
	// Buildings hold the page's households, one folded list per
	// building: a phone shows the buildings first, not every door.
	Buildings []*roundGapBuilding
	Total     int
	From, To  int // the page's households, counted from 1
	Reasons   []frontline.ExcuseReason
	CanManage bool
	Prev      string
	Next      string
	// Excusals are the persons under the node taken off the site's queue
	// and not sampled (the first maxExcusals of ExcusalTotal), with who
	// decided and why, for managers to undo.
	Excusals     []*frontline.Member
	ExcusalTotal int
	Offset       int
	Excuse       excuseForm // a refused excusal, shown at its person
}

// maxExcusals bounds the excusals shown under the gap list.
const maxExcusals = 200

func (s *Server) pageGaps(w http.ResponseWriter, r *http.Request) error {
	return s.renderGaps(w, r, excuseForm{}, http.StatusOK)
}

// excuseForm is an excusal the store refused, shown again at its person
// with the message and what was chosen and typed.
type excuseForm struct {
	PersonID int64
	Msg      string // message id
	Reason   string
	Note     string
}

// renderGaps shows the gap list of the node and page in r's query.
func (s *Server) renderGaps(w http.ResponseWriter, r *http.Request, ex excuseForm, status int) error {
	lang := pickLang(w, r)
	q := newParams(r)
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	_, place, err := roundPlace(r)
	if err != nil {
		return err
	}
	cov, err := s.roundCoverage(r, round.ID, place)
	if err != nil {
		return notFoundIn(err, "place")
	}
	homes, total, err := s.Coverage.NotSampled(r.Context(), round.ID, cov.Node.PlaceID, pg.Offset, pg.Limit)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "gaps.title", cov.Node.Name)
	if err != nil {
		return err
	}
	page := gapsPage{layout: s.layout(r, lang, title), Round: round, Node: cov.Node, Buildings: roundGapBuildings(homes, ex.PersonID),
		Total: total, From: pg.Offset + 1, To: pg.Offset + len(homes),
		Reasons: frontline.ExcuseReasons, CanManage: callerFrom(r.Context()).principal.Can(frontline.PermManageRounds),
		Offset: pg.Offset, Excuse: ex}
	// Links go to the gap list, also when the page answers a refused
	// excusal posted to another address.
	page.Prev, page.Next = pageLinks(fmt.Sprintf("/rounds/%d/gaps", round.ID), r.URL.Query(), pg.Offset, len(homes), pg.Limit, total)
	if page.Excusals, page.ExcusalTotal, err = s.Coverage.Excusals(r.Context(), round.ID, cov.Node.PlaceID, 0, maxExcusals); err != nil {
		return err
	}
	return s.render(w, status, pageGapsName, page)
}

// roundGapBuilding is one building of a page of the gap list.
type roundGapBuilding struct {
	ID      int64
	Name    string
	Homes   []*frontline.GapHousehold
	Persons int
	// Open unfolds the building: the only one of the page, or the one
	// whose excusal is shown again with its error.
	Open bool
}

// roundGapBuildings groups a page of households, which come in building
// order, by building.
func roundGapBuildings(homes []*frontline.GapHousehold, refused int64) []*roundGapBuilding {
	var out []*roundGapBuilding
	for _, h := range homes {
		if len(out) == 0 || out[len(out)-1].ID != h.BuildingID {
			out = append(out, &roundGapBuilding{ID: h.BuildingID, Name: h.Building})
		}
		b := out[len(out)-1]
		b.Homes, b.Persons = append(b.Homes, h), b.Persons+len(h.Persons)
		for _, p := range h.Persons {
			b.Open = b.Open || (refused != 0 && p.PersonID == refused)
		}
	}
	if len(out) == 1 {
		out[0].Open = true
	}
	return out
}

var excuseFields = []string{"person_id", "reason", "note", "place"}

// postExcuse excuses a person from the gap list and returns to it. A
// refusal (no reason, "other" without a note, a person sampled meanwhile)
// shows the list again with the message at the person's form.
func (s *Server) postExcuse(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, excuseFields)
	if err != nil {
		return err
	}
	pid, _ := formID(f.Values["person_id"])
	e := frontline.Excusal{PersonID: pid, Reason: frontline.ExcuseReason(f.Values["reason"]), Note: f.Values["note"]}
	// A choice the store would refuse is shown again at once, not after a
	// confirmation that could not have done anything.
	err = e.Validate()
	if err == nil {
		var ok bool
		if ok, err = s.confirmExcuse(w, r, id, e); !ok && err == nil {
			return nil
		}
	}
	if err == nil {
		_, err = s.Rounds.Excuse(r.Context(), id, e)
	}
	if err != nil {
		if err := s.formError(f, err, excuseFields); err != nil {
			return err
		}
		ex := excuseForm{PersonID: pid, Reason: f.Values["reason"], Note: f.Values["note"]}
		for _, msg := range f.Errors {
			ex.Msg = msg
		}
		return s.renderGaps(w, r, ex, http.StatusBadRequest)
	}
	back := url.Values{}
	if place, ok := formID(f.Values["place"]); ok {
		back.Set("place", strconv.FormatInt(place, 10))
	}
	if off := r.URL.Query().Get("offset"); off != "" {
		back.Set("offset", off)
	}
	to := fmt.Sprintf("/rounds/%d/gaps", id)
	if len(back) > 0 {
		to += "?" + back.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// confirmExcuse asks before a person is excused: it names the person and
// the reason. It reports whether the excusal was confirmed; when not, the
// question is on the page (or err says why it could not be asked).
func (s *Server) confirmExcuse(w http.ResponseWriter, r *http.Request, roundID int64, e frontline.Excusal) (bool, error) {
	lang := langOf(r)
	m, err := s.Rounds.FindMember(r.Context(), roundID, e.PersonID)
	if err != nil {
		return false, notFoundIn(err, "person_id")
	}
	back := fmt.Sprintf("/rounds/%d/gaps", roundID)
	if q := r.URL.RawQuery; q != "" {
		back += "?" + q
	}
	reason, err := s.text(lang, "excuse."+string(e.Reason))
	if err != nil {
		return false, err
	}
	c := confirmation{Back: back}
	var line string
	if c.Question, err = s.text(lang, "confirm.excuse.title", m.Name); err == nil {
		if c.Button, err = s.text(lang, "confirm.excuse.button"); err == nil {
			line, err = s.text(lang, "confirm.excuse.reason", reason)
		}
	}
	if err != nil {
		return false, err
	}
	c.Lines = []string{line}
	if e.Note != "" {
		if line, err = s.text(lang, "confirm.excuse.note", e.Note); err != nil {
			return false, err
		}
		c.Lines = append(c.Lines, line)
	}
	return s.confirmed(w, r, lang, c)
}
