package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/frontline-org/frontline"
)

// workItem is one thing the home page says its reader has to do, and the
// page where it is done.
type workItem struct {
	Title  string // what, in the page's language
	Detail string // how much, in the page's language; may be empty
	Href   string // where it is done; "" for a statement with no page
	TestID string
}

// workSource says what one workflow has for the signed-in person to do;
// nothing for a role with no work in it, or a server without the
// workflow.
type workSource func(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error)

// workSources are the workflows the home page asks, in the order their
// work is listed. A new workflow adds its function here, and its page
// links are then also found by the crawl of every role's pages.
func (s *Server) workSources() []workSource {
	return []workSource{s.helpWork, s.labWork, s.samplingWork, s.roundWork, s.screeningWork, s.zoneWork, s.checkpointWork, s.supplyWork, s.deliveryWork, s.vulnerableWork}
}

// work lists what the signed-in person has to do, for the home page:
// every role finds its work there, not by guessing at the menu.
func (s *Server) work(r *http.Request, lang string) ([]workItem, error) {
	p := callerFrom(r.Context()).principal
	var out []workItem
	for _, src := range s.workSources() {
		items, err := src(r, p, lang)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// counts says each count with its message, joined with the language's
// list separator; a zero count is left out.
func (s *Server) counts(lang string, parts ...countText) (string, error) {
	var out []string
	for _, c := range parts {
		if c.n == 0 {
			continue
		}
		t, err := s.text(lang, c.id, formatNumber(c.n))
		if err != nil {
			return "", err
		}
		out = append(out, t)
	}
	sep, err := s.text(lang, "list.sep")
	return strings.Join(out, sep), err
}

// countText is a count and the message that says it.
type countText struct {
	id string
	n  int
}

// labWork: per round, the bags to receive, the tubes to result and the
// results held for a decision.
func (s *Server) labWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Lab == nil || !p.Can(frontline.PermPostResults) {
		return nil, nil
	}
	work, err := s.Lab.FindLabWork(r.Context())
	if err != nil {
		return nil, err
	}
	var out []workItem
	for _, w := range work {
		detail, err := s.counts(lang, countText{"work.lab.bags", w.BagsToReceive}, countText{"work.lab.tubes", w.TubesToResult},
			countText{"work.lab.held", w.Held})
		if err != nil {
			return nil, err
		}
		out = append(out, workItem{Title: w.Round, Detail: detail, Href: fmt.Sprintf("/rounds/%d/lab", w.RoundID), TestID: "work-lab"})
	}
	if len(out) == 0 {
		return s.nothingToDo(lang, "work.lab.none", "/rounds")
	}
	return out, nil
}

// nothingToDo is the one item of a role whose workflow has nothing
// waiting: it says so, and where to look.
func (s *Server) nothingToDo(lang, id, href string) ([]workItem, error) {
	t, err := s.text(lang, id)
	return []workItem{{Title: t, Href: href, TestID: "work-none"}}, err
}

// openRounds lists the rounds under way that the caller sees.
func (s *Server) openRounds(r *http.Request) ([]*frontline.Round, error) {
	open := frontline.RoundOpen
	rounds, _, err := s.Rounds.FindRounds(r.Context(), frontline.RoundFilter{Status: &open, Limit: maxRows})
	return rounds, err
}

// samplingWork: the stations of the rounds under way, and the households
// waiting for the home sampling team.
func (s *Server) samplingWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Rounds == nil || s.Sites == nil || !p.Can(frontline.PermSampling) {
		return nil, nil
	}
	rounds, err := s.openRounds(r)
	if err != nil {
		return nil, err
	}
	var out []workItem
	for _, round := range rounds {
		stations, err := s.workingStations(r, round.ID)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(stations))
		for i, st := range stations {
			names[i] = st.Name
		}
		sep, err := s.text(lang, "list.sep")
		if err != nil {
			return nil, err
		}
		title, err := s.text(lang, "work.station", round.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, workItem{Title: title, Detail: strings.Join(names, sep), Href: fmt.Sprintf("/rounds/%d/station", round.ID), TestID: "work-station"})
		if s.Lab == nil {
			continue
		}
		_, homes, err := s.Lab.FindRetestHomes(r.Context(), frontline.RetestFilter{RoundID: &round.ID, Active: true, Limit: 1})
		if err != nil {
			return nil, err
		}
		if homes > 0 {
			if title, err = s.text(lang, "work.homes", formatNumber(homes)); err != nil {
				return nil, err
			}
			out = append(out, workItem{Title: title, Detail: round.Name, Href: fmt.Sprintf("/rounds/%d/followup", round.ID), TestID: "work-homes"})
		}
	}
	if len(out) == 0 {
		return s.nothingToDo(lang, "work.sampling.none", "/rounds")
	}
	return out, nil
}

// roundWork: for command staff, the rounds under way with the persons not
// yet sampled in the caller's part of each.
func (s *Server) roundWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Rounds == nil || s.Coverage == nil || !p.Can(frontline.PermReadReports) {
		return nil, nil
	}
	rounds, err := s.openRounds(r)
	if err != nil {
		return nil, err
	}
	var out []workItem
	for _, round := range rounds {
		// The caller's part of the round: the round's scope, or theirs
		// when the round is wider.
		place := round.ScopeID
		if round.Scope != nil && !p.InScope(round.Scope.Path) {
			place = p.ScopeID
		}
		node, _, err := s.Coverage.Coverage(r.Context(), round.ID, place)
		if err != nil {
			return nil, err
		}
		detail, err := s.text(lang, "work.round.left", formatNumber(node.Expected-node.Sampled-node.Excused), formatNumber(node.Expected))
		if err != nil {
			return nil, err
		}
		out = append(out, workItem{Title: round.Name, Detail: detail, Href: fmt.Sprintf("/rounds/%d?place=%d", round.ID, place), TestID: "work-round"})
	}
	return out, nil
}

// screeningWork: for a grid worker, their doors not yet visited and their
// follow-ups due today; for command staff, each campaign's households not
// yet screened and the follow-ups escalated to them.
func (s *Server) screeningWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Campaigns == nil || !p.Can(frontline.PermVisit) {
		return nil, nil
	}
	ctx := r.Context()
	open := frontline.CampaignOpen
	campaigns, _, err := s.Campaigns.FindCampaigns(ctx, frontline.CampaignFilter{Status: &open, Limit: maxRows})
	if err != nil {
		return nil, err
	}
	command := p.Can(frontline.PermReadReports)
	var out []workItem
	for _, c := range campaigns {
		f := frontline.CampaignMemberFilter{OnlyPending: true, Limit: 1}
		if !command {
			f.Assignee = &p.UserID
		}
		_, doors, err := s.Campaigns.FindMembers(ctx, c.ID, f)
		if err != nil {
			return nil, err
		}
		items := frontline.FollowUpItemFilter{CampaignID: &c.ID, Open: true, Limit: 1}
		if command {
			items.MinEscalation = frontline.EscalationSecretary
		} else {
			items.Assignee, items.DueBefore = &p.UserID, s.endOfToday()
		}
		var followUps int
		if s.FollowUps != nil {
			if _, followUps, err = s.FollowUps.FindFollowUps(ctx, items); err != nil {
				return nil, err
			}
		}
		doorsID, followID, href := "work.doors", "work.followups", fmt.Sprintf("/screening/%d/doors", c.ID)
		if command {
			doorsID, followID, href = "work.campaign.pending", "work.escalated", fmt.Sprintf("/screening/%d", c.ID)
		}
		detail, err := s.counts(lang, countText{doorsID, doors}, countText{followID, followUps})
		if err != nil {
			return nil, err
		}
		if detail == "" {
			if detail, err = s.text(lang, "work.campaign.done"); err != nil {
				return nil, err
			}
		}
		out = append(out, workItem{Title: c.Name, Detail: detail, Href: href, TestID: "work-campaign"})
		if !command && followUps > 0 {
			title, err := s.text(lang, "work.followups", formatNumber(followUps))
			if err != nil {
				return nil, err
			}
			out = append(out, workItem{Title: title, Detail: c.Name, Href: fmt.Sprintf("/screening/%d/follow-ups", c.ID), TestID: "work-followups"})
		}
	}
	return out, nil
}

// zoneWork: for those who run zones, the zones in force in their area,
// whose residents every other workflow serves at the door.
func (s *Server) zoneWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Zones == nil || !p.Can(frontline.PermManageZones) {
		return nil, nil
	}
	_, n, err := s.Zones.FindZones(r.Context(), frontline.ZoneFilter{Active: true, Limit: 1})
	if err != nil || n == 0 {
		return nil, err
	}
	title, err := s.text(lang, "work.zones", formatNumber(n))
	return []workItem{{Title: title, Href: "/zones", TestID: "work-zones"}}, err
}

// checkpointWork: for those who log passages and do not run checkpoints,
// the checkpoints open in their area.
func (s *Server) checkpointWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Checkpoints == nil || !p.Can(frontline.PermCheckpointLog) || p.Can(frontline.PermManageCheckpoints) {
		return nil, nil
	}
	open := frontline.CheckpointOpen
	_, n, err := s.Checkpoints.FindCheckpoints(r.Context(), frontline.CheckpointFilter{Status: &open, Limit: 1})
	if err != nil {
		return nil, err
	}
	title, err := s.text(lang, "work.checkpoints", formatNumber(n))
	return []workItem{{Title: title, Href: "/checkpoints", TestID: "work-checkpoints"}}, err
}

// supplyWork: shops and pharmacies fill orders and prescriptions, which
// come with the supplies workflow; until then their home page says so
// plainly rather than showing an empty page or a dead link.
func (s *Server) supplyWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	var id string
	switch {
	case p.Can(frontline.PermFillOrders):
		id = "work.orders"
	case p.Can(frontline.PermFillMedicines):
		id = "work.medicines"
	default:
		return nil, nil
	}
	if s.Partners == nil {
		t, err := s.text(lang, id)
		return []workItem{{Title: t, TestID: "work-supplies"}}, err
	}
	mine, _, err := s.Partners.FindPartners(r.Context(), frontline.PartnerFilter{Mine: true, Limit: maxRows})
	if err != nil {
		return nil, err
	}
	if len(mine) == 0 {
		return s.nothingToDo(lang, "work.supply.nopartner", "/account")
	}
	var out []workItem
	for _, sp := range mine {
		t, err := s.text(lang, "work.supply.partner", sp.Name, formatNumber(sp.Items))
		if err != nil {
			return nil, err
		}
		item := workItem{Title: t, Href: fmt.Sprintf("%s/partners/%d", partnerPrefix(p), sp.ID), TestID: "work-supplies"}
		if s.Orders != nil {
			// The pick list of tomorrow, when most orders arrive.
			day := frontline.AddDays(s.Now().In(s.Location).Format(frontline.DateLayout), 1)
			pl, err := s.Orders.PickList(r.Context(), sp.ID, day)
			if err != nil {
				return nil, err
			}
			if item.Detail, err = s.text(lang, "pick.count", pl.Orders, pl.Packed); err != nil {
				return nil, err
			}
			item.Href += "/picklist?day=" + day
		}
		out = append(out, item)
	}
	if p.Can(frontline.PermFillMedicines) {
		med, err := s.medicineWork(r, lang)
		if err != nil {
			return nil, err
		}
		out = append(out, med...)
	}
	return out, nil
}
