package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// The call-up plan and the pool policy on the setup page, and the notice
// a post leaves for the page it goes back to.

// setupPlan is the plan section: what was saved, the settings and the plan
// they propose.
type setupPlan struct {
	// Draft: the round is not open, so nobody is to call yet.
	Draft bool
	Saved string
	// Form holds the settings, the ones given or the saved ones; its ""
	// error is about saving.
	Form     form
	Summary  string
	Warnings []string
	Rows     []planRow
}

// planRow is one slot of the proposed plan as the page shows it.
type planRow struct {
	Site, Building, Part, Time string
	Persons                    int
	// Warn: the slot's queue would exceed the target.
	Warn bool
}

// planFields are the settings the page lets a manager change; the
// channels and the notice text stay as they were saved.
var planFields = []string{"per_station", "min_per_station", "max_per_station", "queue_minutes", "seconds_per_person", "lead_minutes"}

// planSettings reads the settings of a plan form over base: fields left
// blank keep base's value. Fields that are not whole numbers, or that
// PlanSettings.Validate refuses, are marked in f.
func planSettings(f form, base frontline.PlanSettings) frontline.PlanSettings {
	s := base
	targets := map[string]*int{"per_station": &s.PerStation, "min_per_station": &s.MinPerStation,
		"max_per_station": &s.MaxPerStation, "queue_minutes": &s.QueueMinutes, "seconds_per_person": &s.SecondsPerPerson,
		"lead_minutes": &s.LeadMinutes}
	for _, name := range planFields {
		v := strings.TrimSpace(frontline.FoldWidth(f.Values[name]))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Errors[name] = "roundsetup.invalid." + name
			continue
		}
		*targets[name] = n
	}
	if len(f.Errors) > 0 {
		return s
	}
	if err := s.Validate(); err != nil {
		if name, ok := strings.CutPrefix(frontline.ErrorField(err), "settings."); ok && slices.Contains(planFields, name) {
			f.Errors[name] = "roundsetup.invalid." + name
		} else {
			f.Errors[""] = "error." + frontline.ErrorCode(err)
		}
	}
	return s
}

// settingsForm writes settings into the plan form.
func settingsForm(s frontline.PlanSettings) form {
	f := newForm()
	lo, hi := s.LoadBand()
	for name, n := range map[string]int{"per_station": s.PerStation, "min_per_station": lo, "max_per_station": hi,
		"queue_minutes": s.QueueMinutes, "seconds_per_person": s.SecondsPerPerson, "lead_minutes": s.LeadMinutes} {
		f.Values[name] = strconv.Itoa(n)
	}
	return f
}

// savedSettings returns the settings the round's plan was saved with, or
// the defaults, and the line that says what was saved.
func (s *Server) savedSettings(r *http.Request, lang string, roundID int64) (frontline.PlanSettings, string, error) {
	saved, err := s.Sites.FindSavedPlan(r.Context(), roundID)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		line, err := s.text(lang, "roundsetup.plan.unsaved")
		return frontline.DefaultPlanSettings(), line, err
	} else if err != nil {
		return frontline.PlanSettings{}, "", err
	}
	line, err := s.text(lang, "roundsetup.plan.saved", saved.Slots, saved.Notices, s.formatTime(lang, saved.SavedAt), saved.SavedBy)
	return saved.Settings, line, err
}

// fillPlan fills the plan section: the settings from query when it has
// them (the regenerate form), else the saved ones, and the plan they
// propose.
func (s *Server) fillPlan(r *http.Request, lang string, page *setupPage, query url.Values) error {
	base, saved, err := s.savedSettings(r, lang, page.Round.ID)
	if err != nil {
		return err
	}
	page.Plan = setupPlan{Draft: page.Round.Status == frontline.RoundDraft, Saved: saved, Form: settingsForm(base)}
	settings := base
	if query.Has("per_station") {
		f := newForm()
		for _, name := range planFields {
			f.Values[name] = query.Get(name)
		}
		page.Plan.Form = f
		if settings = planSettings(f, base); len(f.Errors) > 0 {
			return nil
		}
	}
	plan, err := s.Sites.PlanSlots(r.Context(), page.Round.ID, settings)
	if err != nil {
		return err
	}
	return s.describePlan(lang, page, plan)
}

// describePlan writes a proposed plan's summary, warnings and slots in
// lang.
func (s *Server) describePlan(lang string, page *setupPage, plan *frontline.SitePlan) error {
	sites := map[int64]string{}
	for _, v := range page.Sites {
		sites[v.ID] = v.Name
	}
	var err error
	if page.Plan.Summary, err = s.text(lang, "roundsetup.plan.summary", formatNumber(plan.Persons), plan.Settings.PerStation,
		plan.StationsNeeded, plan.Stations); err != nil {
		return err
	}
	for _, sl := range plan.Slots {
		part, err := s.text(lang, "roundsetup.plan.part", sl.Part, sl.Parts)
		if err != nil {
			return err
		}
		building := sl.Building
		if sl.Units != "" {
			building += " " + sl.Units
		}
		page.Plan.Rows = append(page.Plan.Rows, planRow{Site: sites[sl.SiteID], Building: building, Part: part,
			Persons: sl.Persons, Time: s.formatClock(sl.StartsAt) + "–" + s.formatClock(sl.EndsAt)})
	}
	for _, w := range plan.Warnings {
		var text string
		switch w.Kind {
		case "no_sites":
			text, err = s.text(lang, "roundsetup.warn.no_sites", w.Need)
		case "stations_short":
			text, err = s.text(lang, "roundsetup.warn.stations_short", w.Need, w.Have)
		case "past_closing":
			text, err = s.text(lang, "roundsetup.warn.past_closing", sites[w.SiteID], w.Minutes)
		case frontline.WarnStationLoad:
			id := "roundsetup.warn.load_low"
			if w.Have > w.Need {
				id = "roundsetup.warn.load_high"
			}
			text, err = s.text(lang, id, sites[w.SiteID], w.Have, w.Need)
		case frontline.WarnQueue:
			var slot string
			if w.Slot >= 1 && w.Slot <= len(page.Plan.Rows) {
				row := &page.Plan.Rows[w.Slot-1]
				row.Warn, slot = true, row.Building+" "+row.Part
			}
			text, err = s.text(lang, "roundsetup.warn.queue_over", sites[w.SiteID], slot, w.Minutes, w.Need)
		default:
			// A kind this page does not know yet is still worth seeing.
			text = w.Kind
		}
		if err != nil {
			return err
		}
		page.Plan.Warnings = append(page.Plan.Warnings, text)
	}
	return nil
}

// postSetupPlan makes the plan again from the posted settings and saves
// it; the notices go to the outbox in the save's transaction. The plan is
// made at the moment of saving, from the persons still to sample then,
// rather than taken from the page, which may be minutes old.
func (s *Server) postSetupPlan(w http.ResponseWriter, r *http.Request) error {
	round, err := s.setupRound(r)
	if err != nil {
		return err
	}
	f, err := readForm(r, planFields)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	base, _, err := s.savedSettings(r, lang, round.ID)
	if err != nil {
		return err
	}
	settings := planSettings(f, base)
	if len(f.Errors) == 0 {
		var plan *frontline.SitePlan
		if plan, err = s.Sites.PlanSlots(r.Context(), round.ID, settings); err != nil {
			return err
		}
		var n int
		if n, err = s.Sites.SaveSlots(r.Context(), round.ID, plan.Slots, settings); err == nil {
			return s.setupDone(w, r, round.ID, "#plan", "roundsetup.done.plan_saved", len(plan.Slots), n)
		}
		code, field := frontline.ErrorCode(err), frontline.ErrorField(err)
		if code != frontline.EINVALID && code != frontline.ECONFLICT {
			return err
		}
		if name, ok := strings.CutPrefix(field, "settings."); ok && slices.Contains(planFields, name) {
			f.Errors[name] = "roundsetup.invalid." + name
		} else {
			f.Errors[""] = "error." + code
		}
	}
	return s.renderSetup(w, r, round, http.StatusBadRequest, func(p *setupPage) { p.Plan.Form = f })
}

// policyField is one zone level's rule in the policy form.
type policyField struct {
	// Key is the level as the policy names it ("" for no zone), the
	// suffix of the form's field names; ID is the same for HTML ids.
	Key, ID string
	Label   string
	Mode    string
	Size    string
	// Error is what is wrong with the level's rule, in the page's
	// language: it names the level, since the form shows them all.
	Error string
}

// policyFields lists the standard zone levels and any other the policy
// names, each with its rule (a level the policy lacks shows the rule it
// falls back to).
func (s *Server) policyFields(lang string, p frontline.PoolPolicy) []policyField {
	levels := slices.Clone(frontline.PoolPolicyLevels)
	for _, l := range p.Levels() {
		if !slices.Contains(levels, l) {
			levels = append(levels, l)
		}
	}
	out := make([]policyField, 0, len(levels))
	for _, l := range levels {
		id, msg := l, "level."+l
		if l == "" {
			id, msg = "none", "level.none"
		}
		rule := p.Rule(l)
		f := policyField{Key: l, ID: id, Label: s.label(lang, msg, l), Mode: string(rule.Mode)}
		if rule.Mode == frontline.PoolMixed {
			f.Size = strconv.Itoa(rule.Size)
		}
		out = append(out, f)
	}
	return out
}

// postSetupPolicy changes the round's pool policy. Each level's rule is
// checked on its own (PoolRule.Validate) so the message stands beside
// the level that is wrong; the service checks the policy again.
func (s *Server) postSetupPolicy(w http.ResponseWriter, r *http.Request) error {
	round, err := s.setupRound(r)
	if err != nil {
		return err
	}
	if err := parseBody(r); err != nil {
		return err
	}
	lang := pickLang(w, r)
	fields := s.policyFields(lang, round.Policy)
	policy := frontline.PoolPolicy{}
	for l, rule := range round.Policy {
		policy[l] = rule
	}
	bad := false
	for i := range fields {
		f := &fields[i]
		f.Mode = strings.TrimSpace(r.PostForm.Get("mode:" + f.Key))
		f.Size = strings.TrimSpace(frontline.FoldWidth(r.PostForm.Get("size:" + f.Key)))
		rule := frontline.PoolRule{Mode: frontline.PoolMode(f.Mode)}
		if rule.Mode == frontline.PoolMixed {
			rule.Size, _ = strconv.Atoi(f.Size)
		}
		if verr := rule.Validate(); verr != nil {
			bad = true
			if f.Error, err = s.policyError(lang, f, verr); err != nil {
				return err
			}
			continue
		}
		policy[f.Key] = rule
	}
	formErr := newForm()
	if !bad {
		if _, err = s.Rounds.UpdateRound(r.Context(), round.ID, frontline.RoundUpdate{Policy: policy}); err == nil {
			return s.setupDone(w, r, round.ID, "#policy", "roundsetup.done.policy_saved")
		}
		if code := frontline.ErrorCode(err); code != frontline.EINVALID && code != frontline.ECONFLICT {
			return err
		}
		if !s.policyRefusal(lang, fields, err) {
			formErr.Errors[""] = "error." + frontline.ErrorCode(err)
			if frontline.ErrorCode(err) == frontline.ECONFLICT {
				formErr.Errors[""] = "roundsetup.conflict"
			}
		}
	}
	return s.renderSetup(w, r, round, http.StatusBadRequest, func(p *setupPage) { p.Policy, p.PolicyForm = fields, formErr })
}

// policyError says in lang what is wrong with a level's rule, from the
// field the rule's refusal names (".mode" or ".size").
func (s *Server) policyError(lang string, f *policyField, refusal error) (string, error) {
	if strings.HasSuffix(frontline.ErrorField(refusal), ".mode") {
		return s.text(lang, "roundsetup.policy.bad_mode", f.Label)
	}
	return s.text(lang, "roundsetup.policy.bad_size", f.Label, frontline.MaxPoolSize)
}

// policyRefusal puts a refusal of the service beside the level it names
// ("pool_policy.sealed.size", "pool_policy.none"), and reports whether it
// found one.
func (s *Server) policyRefusal(lang string, fields []policyField, err error) bool {
	rest, ok := strings.CutPrefix(frontline.ErrorField(err), "pool_policy.")
	if !ok {
		return false
	}
	level, _, _ := strings.Cut(rest, ".")
	for i := range fields {
		if fields[i].ID != level {
			continue
		}
		text, terr := s.text(lang, "roundsetup.policy.refused", fields[i].Label)
		if terr != nil {
			return false
		}
		fields[i].Error = text
		return true
	}
	return false
}

// setupNoticeCookie carries what a post did to the page it goes back to,
// for one showing: a notice in the URL would come back with every reload
// and every shared link.
const setupNoticeCookie = "setup_notice"

// setupNotices are the notices the setup page shows after a post.
var setupNotices = []string{"roundsetup.done.site_added", "roundsetup.done.site_saved", "roundsetup.done.site_removed",
	"roundsetup.done.station_renamed", "roundsetup.done.station_retired", "roundsetup.done.plan_saved", "roundsetup.done.policy_saved"}

// setupDone goes back to the setup page at anchor, leaving the notice id
// (with its numbers) for the page to show once.
func (s *Server) setupDone(w http.ResponseWriter, r *http.Request, roundID int64, anchor, id string, args ...int) error {
	value := strings.TrimPrefix(id, "roundsetup.done.")
	for _, n := range args {
		value += "." + strconv.Itoa(n)
	}
	path := fmt.Sprintf("/rounds/%d/setup", roundID)
	http.SetCookie(w, &http.Cookie{Name: setupNoticeCookie, Value: value, Path: path, MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
	return redirect(w, r, path+anchor)
}

// takeSetupNotice returns the notice a post left, in lang, and clears it.
// A value that is not one of setupNotices is dropped unread.
func (s *Server) takeSetupNotice(w http.ResponseWriter, r *http.Request, lang string, roundID int64) (string, error) {
	c, err := r.Cookie(setupNoticeCookie)
	if err != nil {
		return "", nil
	}
	http.SetCookie(w, &http.Cookie{Name: setupNoticeCookie, Value: "", Path: fmt.Sprintf("/rounds/%d/setup", roundID),
		MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
	parts := strings.Split(c.Value, ".")
	id := "roundsetup.done." + parts[0]
	if !slices.Contains(setupNotices, id) {
		return "", nil
	}
	var args []any
	for _, p := range parts[1:] {
		n, err := strconv.Atoi(p)
		if err != nil {
			return "", nil
		}
		args = append(args, n)
	}
	text, err := s.text(lang, id, args...)
	if err != nil {
		return "", err
	}
	if strings.Contains(text, "%!") {
		return "", nil // the wrong numbers for the message: a cookie made by hand
	}
	return text, nil
}
