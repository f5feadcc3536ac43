package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// roundFollowUpPage is the home sampling team's list of a round: the
// households to visit, each with its address, its persons to sample — a
// single re-test after a positive or invalid pool, or the first sample of
// someone who cannot come down — and its vulnerable residents, with a form
// per person for the single tube they were sampled into.
type roundFollowUpPage struct {
	layout
	Round     *frontline.Round
	PlaceID   int64
	PlaceName string
	Homes     []*frontline.RetestHome
	Total     int
	CanSample bool
	// CanDashboard links the round's dashboard, for those who read it.
	CanDashboard bool
	// Failed is the task whose form was refused, shown again with Form.
	Failed int64
	Form   form
	// Saved is the task just sampled.
	Saved int64
	Now   time.Time
	Prev  string
	Next  string
}

var retestFields = []string{"tube"}

func (s *Server) pageRoundFollowUp(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, saved, pg := q.id("place"), q.id("saved"), q.page()
	if err := q.check(); err != nil {
		return err
	}
	page := roundFollowUpPage{Form: newForm()}
	if saved != nil {
		page.Saved = *saved
	}
	return s.renderRoundFollowUp(w, r, page, place, pg, http.StatusOK)
}

func (s *Server) renderRoundFollowUp(w http.ResponseWriter, r *http.Request, page roundFollowUpPage, place *int64, pg page, status int) error {
	lang := pickLang(w, r)
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	f := frontline.RetestFilter{RoundID: &round.ID, Active: true, Under: place, Offset: pg.Offset, Limit: pg.Limit}
	if place != nil {
		p, err := s.Places.FindPlaceByID(ctx, *place)
		if err != nil {
			return notFoundIn(err, "place")
		}
		page.PlaceID, page.PlaceName = p.ID, p.Name
	}
	if page.Homes, page.Total, err = s.Lab.FindRetestHomes(ctx, f); err != nil {
		return notFoundIn(err, "place")
	}
	title, err := s.text(lang, "homesampling.title", round.Name)
	if err != nil {
		return err
	}
	page.layout, page.Round, page.Now = s.layout(r, lang, title), round, s.Now()
	page.CanSample = callerFrom(ctx).principal.Can(frontline.PermSampling)
	page.CanDashboard = callerFrom(ctx).principal.Can(frontline.PermReadReports)
	query := url.Values{}
	if place != nil {
		query.Set("place", strconv.FormatInt(*place, 10))
	}
	page.Prev, page.Next = pageLinks(fmt.Sprintf("/rounds/%d/followup", round.ID), query, pg.Offset, len(page.Homes), pg.Limit, page.Total)
	return s.render(w, status, pageFollowUpName, page)
}

// postSampleRetest records the single tube the home team sampled a
// person into, and returns to the list; a refused tube code is shown
// beside the task's field.
func (s *Server) postSampleRetest(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	taskID := q.pathID("task")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, append(retestFields, "place"))
	if err != nil {
		return err
	}
	var place *int64
	if id, ok := formID(f.Values["place"]); ok {
		place = &id
	}
	task, err := s.Lab.SampleRetest(r.Context(), taskID, f.Values["tube"])
	if err != nil {
		if err := s.formError(f, err, retestFields); err != nil {
			return err
		}
		return s.renderRoundFollowUp(w, r, roundFollowUpPage{Form: f, Failed: taskID}, place, page{Limit: defaultLimit}, http.StatusBadRequest)
	}
	// The task decides the round; the path's only names the list.
	back := fmt.Sprintf("/rounds/%d/followup?saved=%d", task.RoundID, taskID)
	if place != nil {
		back += "&place=" + strconv.FormatInt(*place, 10)
	}
	http.Redirect(w, r, back+"#task-"+strconv.FormatInt(taskID, 10), http.StatusSeeOther)
	return nil
}

// waited writes how long a task has waited, in days, hours and minutes.
func (s *Server) waited(lang string, since, now time.Time) (string, error) {
	d := max(now.Sub(since), 0)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return s.text(lang, "followup.wait.days", days, hours)
	case hours > 0:
		return s.text(lang, "followup.wait.hours", hours, mins)
	}
	return s.text(lang, "followup.wait.minutes", mins)
}

// postUnexcuse undoes an excusal from the gap list and returns to it: the
// person comes down after all, or the home team's task is withdrawn.
func (s *Server) postUnexcuse(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"person_id", "place"})
	if err != nil {
		return err
	}
	pid, _ := formID(f.Values["person_id"])
	if _, err := s.Rounds.Unexcuse(r.Context(), id, pid); err != nil {
		return err
	}
	back := fmt.Sprintf("/rounds/%d/gaps", id)
	if place, ok := formID(f.Values["place"]); ok {
		back += "?place=" + strconv.FormatInt(place, 10)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
