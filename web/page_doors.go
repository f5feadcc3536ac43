package web

import (
	"maps"
	"net/http"
	"slices"

	"github.com/frontline-org/frontline"
)

// doorsPage is a grid worker's phone page for one campaign: their
// households in walking order (building, unit, floor, room), one tap per
// outcome, and a short form for the persons of a household when it is
// screened. doors.js records taps in a queue on the phone and sends them
// when there is a network.
type doorsPage struct {
	layout
	Campaign *frontline.Campaign
	Doors    []door
	// Mine says the list is the caller's own households; otherwise it is
	// the open doors of their scope (a secretary helping out).
	Mine      bool
	Outcomes  []frontline.Outcome
	Areas     []*frontline.RiskArea
	Today     string
	Truncated bool
	// Text holds what doors.js says about a visit the server refused, in
	// the page's language: the message of each field error by code and
	// field, and the rest. The server's own messages are English and
	// never reach this page.
	Text map[string]string
}

// visitFields are the fields a refused visit may name; the catalogue's
// message for each (form.invalid.name …) is shown at the person's field.
var visitFields = []string{"name", "sex", "birth_date", "id_type", "id_number", "phone", "relation", "flags", "status",
	"health", "temperature", "travel.area", "travel.area_code", "travel.arrived_on", "travel.detail", "persons", "outcome"}

// doorsText builds the page's Text: "code.field" for each field error
// the catalogue has a message for, "error.code" for the rest, and the
// draft's own lines.
func (s *Server) doorsText(lang string) (map[string]string, error) {
	text := map[string]string{}
	codes := []string{frontline.EINVALID, frontline.ECONFLICT, frontline.ENOTFOUND, frontline.EFORBIDDEN}
	for _, code := range codes {
		for _, field := range visitFields {
			if id := fieldMessageID(code, field); s.catalog[id] != (message{}) {
				t, err := s.text(lang, id)
				if err != nil {
					return nil, err
				}
				text[code+"."+field] = t
			}
		}
	}
	// The note of a visit is refused only without a reason for a refusal.
	note, err := s.text(lang, "screening.refused.note")
	if err != nil {
		return nil, err
	}
	text[frontline.EINVALID+".note"] = note
	for _, id := range append([]string{"error.internal", "error.unauthorized", "draft.refused", "draft.kept", "draft.item"},
		prefixAll("error.", codes)...) {
		t, err := s.scriptText(lang, id)
		if err != nil {
			return nil, err
		}
		text[id] = t
	}
	return text, nil
}

// prefixAll returns each of list with prefix in front.
func prefixAll(prefix string, list []string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = prefix + v
	}
	return out
}

// door is one household on the phone page.
type door struct {
	*frontline.CampaignMember
	Persons []*frontline.Person
	Final   bool
	// Restriction is the strictest restriction of anyone inside
	// (RestrictionService.Households): a case or an isolated member means
	// the screener asks through the door or by phone.
	Restriction *frontline.Restriction
}

// maxDoors bounds one phone page: a worker has a few hundred households
// (about 19 visited a day in 2020), never thousands.
const maxDoors = 1000

func (s *Server) pageDoors(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.Campaigns.FindCampaignByID(ctx, id)
	if err != nil {
		return err
	}
	p := callerFrom(ctx).principal
	f := frontline.CampaignMemberFilter{Assignee: &p.UserID, Limit: maxDoors}
	ms, total, err := s.Campaigns.FindMembers(ctx, id, f)
	if err != nil {
		return err
	}
	mine := total > 0
	if !mine {
		ms, total, err = s.Campaigns.FindMembers(ctx, id, frontline.CampaignMemberFilter{OnlyPending: true, Limit: maxDoors})
		if err != nil {
			return err
		}
	}
	lang := pickLang(w, r)
	page := doorsPage{layout: s.layout(r, lang, c.Name), Campaign: c, Mine: mine, Outcomes: frontline.Outcomes,
		Today: s.Now().In(s.Location).Format(frontline.DateLayout), Truncated: total > len(ms)}
	if page.Doors, err = s.doors(r, ms); err != nil {
		return err
	}
	if page.Text, err = s.doorsText(lang); err != nil {
		return err
	}
	page.Areas, _, err = s.RiskAreas.FindRiskAreas(ctx, frontline.RiskAreaFilter{On: page.Today, Current: true, Limit: maxRows})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageDoorsName, page)
}

// doors adds each household's registered persons, for the screening
// form, and the strictest restriction of anyone inside each (one call
// for all the doors); one query per household would be hundreds, so the persons of
// the caller's scope are read at once when the registry is theirs to read.
func (s *Server) doors(r *http.Request, ms []*frontline.CampaignMember) ([]door, error) {
	out := make([]door, len(ms))
	byHousehold := map[int64]int{}
	for i, m := range ms {
		out[i] = door{CampaignMember: m, Final: m.Status.Final()}
		byHousehold[m.HouseholdID] = i
	}
	p := callerFrom(r.Context()).principal
	if len(ms) == 0 || !p.Can(frontline.PermReadRegistry) {
		return out, nil
	}
	if s.Restrictions != nil {
		kept, err := s.Restrictions.Households(r.Context(), slices.Collect(maps.Keys(byHousehold)))
		if err != nil {
			return nil, err
		}
		for hh, i := range byHousehold {
			out[i].Restriction = kept[hh]
		}
	}
	persons, _, err := s.Persons.FindPersons(r.Context(), frontline.PersonFilter{Under: &p.ScopeID, Limit: 20 * maxDoors})
	if err != nil {
		return nil, err
	}
	for _, ps := range persons {
		if i, ok := byHousehold[ps.HouseholdID]; ok {
			out[i].Persons = append(out[i].Persons, ps)
		}
	}
	return out, nil
}
