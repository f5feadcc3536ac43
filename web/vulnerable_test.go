package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withVulnerable gives a server the vulnerable's service (and the
// workforce's, for the contact form).
func withVulnerable(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Vulnerable, s.Workers = sqldb.NewVulnerableService(db), sqldb.NewWorkerService(db)
	}
}

// TestVulnerablePages: sealing 枣园小区 names its grid worker the contact
// of its three flagged residents; the grid worker's home page lists them
// with one tap for "called, fine", which takes one off the secretary's
// board; a check with a need offers the order on the household's behalf;
// a bad check keeps what was typed; the API serves the board; a shop has
// no board.
func TestVulnerablePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withOrders(db), withVulnerable(db))
		sec := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: 1, Login: "sec", Role: frontline.RoleCommunitySecretary,
			ScopeID: f.comm1.ID, ScopePath: f.comm1.Path})
		u := ts.user(t, "grid-v", frontline.RoleGridWorker, f.comp1)
		w := &frontline.Worker{PlaceID: f.comm1.ID, Name: "枣园网格员", Kind: frontline.WorkerGrid, Phone: "13912340000", UserID: u.ID}
		if err := sqldb.NewWorkerService(db).CreateWorker(sec, w); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewResponsibilityService(db).SetResponsible(sec, f.bld1.ID, w.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewZoneService(db).SetZone(sec, &frontline.Zone{PlaceID: f.comp1.ID, Level: frontline.LevelSealed, Reason: "阳性病例"}); err != nil {
			t.Fatal(err)
		}
		grid := ts.signIn(t, "grid-v", goodPassword)
		_, home := grid.get(t, "/")
		if !strings.Contains(home, `data-testid="my-vulnerable"`) || strings.Count(home, `data-testid="vuln-fine"`) != 3 {
			t.Fatalf("home page: %s", home)
		}
		zhang := f.persons[0]
		resp, dbg := grid.postForm(t, fmt.Sprintf("/vulnerable/persons/%d/checks", zhang.ID),
			url.Values{"method": {"called"}, "state": {"fine"}, "next": {"/"}, "form_token": {"dnVsbmVyYWJsZS1jaGVjazE"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("one tap: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), dbg)
		}
		if _, home = grid.get(t, "/"); strings.Count(home, `data-testid="vuln-fine"`) != 2 {
			t.Errorf("the one reached still has a tap")
		}
		secretary := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		resp, board := secretary.get(t, fmt.Sprintf("/vulnerable?place=%d", f.comp1.ID))
		if resp.StatusCode != http.StatusOK || strings.Count(board, `data-testid="vuln-card"`) != 2 || strings.Contains(board, "张三") {
			t.Fatalf("board: %d %s", resp.StatusCode, board)
		}
		var b frontline.VulnerableBoard
		grid.getJSON(t, fmt.Sprintf("/api/v1/vulnerable?place=%d&all=1", f.comp1.ID), http.StatusOK, &b)
		if b.Total != 3 || b.Checked != 1 || b.NoContact != 0 {
			t.Errorf("API board: %+v", b)
		}
		wang := f.persons[3]
		resp, body := grid.postForm(t, fmt.Sprintf("/vulnerable/persons/%d/checks", wang.ID),
			url.Values{"note": {"药快吃完了"}, "need1_kind": {"supplies"}, "need1_detail": {"大米一袋"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "药快吃完了") || !strings.Contains(body, "大米一袋") {
			t.Fatalf("a check without a method: %d %s", resp.StatusCode, body)
		}
		resp, _ = grid.postForm(t, fmt.Sprintf("/vulnerable/persons/%d/checks", wang.ID),
			url.Values{"method": {"visited"}, "state": {"fine"}, "need1_kind": {"supplies"}, "need1_detail": {"大米一袋"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a check with a need: %d", resp.StatusCode)
		}
		_, page := grid.get(t, fmt.Sprintf("/vulnerable/persons/%d", wang.ID))
		if !strings.Contains(page, fmt.Sprintf(`/households/%d/order?need=`, f.hh[1].ID)) {
			t.Fatalf("the need offers no order: %s", page)
		}
		_, order := grid.get(t, fmt.Sprintf("/households/%d/order?need=1", f.hh[1].ID))
		if !strings.Contains(order, `data-testid="order-for-need"`) || !strings.Contains(order, "/order?need=1") {
			t.Errorf("the order page does not carry the need: %s", order)
		}
		shop := ts.as(t, frontline.RoleShop, f.comm1)
		if resp, _ := shop.get(t, "/vulnerable"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a shop opens the board: %d", resp.StatusCode)
		}
	})
}

// TestVulnerableZonePage: a compound sealed while its community has no
// workforce leaves its three vulnerable residents without a contact; the
// zone page counts them at the top and on the zone, each count linking to
// the board of the vulnerable showing exactly them, and naming a contact
// takes one off both.
func TestVulnerableZonePage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withOrders(db), withVulnerable(db), withZones(db))
		sec := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: 1, Login: "sec", Role: frontline.RoleCommunitySecretary,
			ScopeID: f.comm1.ID, ScopePath: f.comm1.Path})
		a, err := sqldb.NewZoneService(db).SetZone(sec, &frontline.Zone{PlaceID: f.comp1.ID, Level: frontline.LevelSealed, Reason: "阳性病例"})
		if err != nil {
			t.Fatal(err)
		}
		secretary := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		resp, page := secretary.get(t, fmt.Sprintf("/zones?place=%d", f.comm1.ID))
		top := fmt.Sprintf(`data-testid="zones-nocontact">3 名特殊人群还没有包保责任人：没有人负责每天联系他们。 <a href="/vulnerable?place=%d&amp;nocontact=1">`, f.comm1.ID)
		zone := fmt.Sprintf(`data-testid="zone-nocontact-%d">3 名特殊人群还没有包保责任人：没有人负责每天联系他们。 <a href="/vulnerable?place=%d&amp;nocontact=1">`, a.Zone.ID, f.comp1.ID)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, top) || !strings.Contains(page, zone) {
			t.Fatalf("the zone page: %d %s", resp.StatusCode, page)
		}
		resp, board := secretary.get(t, fmt.Sprintf("/vulnerable?place=%d&nocontact=1", f.comp1.ID))
		if resp.StatusCode != http.StatusOK || strings.Count(board, `data-testid="vuln-card"`) != 3 || !strings.Contains(board, `data-testid="vuln-view-nocontact"`) {
			t.Fatalf("the board without a contact: %d %s", resp.StatusCode, board)
		}
		w := &frontline.Worker{PlaceID: f.comm1.ID, Name: "枣园网格员", Kind: frontline.WorkerGrid, Phone: "13912340000"}
		if err := sqldb.NewWorkerService(db).CreateWorker(sec, w); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewVulnerableService(db).SetContact(sec, f.persons[0].ID, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, page = secretary.get(t, fmt.Sprintf("/zones?place=%d", f.comp1.ID)); !strings.Contains(page, fmt.Sprintf(`data-testid="zone-nocontact-%d">2 `, a.Zone.ID)) {
			t.Errorf("after naming a contact: %s", page)
		}
		if _, board = secretary.get(t, fmt.Sprintf("/vulnerable?place=%d&nocontact=1", f.comp1.ID)); strings.Count(board, `data-testid="vuln-card"`) != 2 || strings.Contains(board, "张三") {
			t.Errorf("the board after naming a contact: %s", board)
		}
		// A board inside the zone links to itself, not to the zone's node.
		if _, page = secretary.get(t, fmt.Sprintf("/zones?place=%d", f.bld1.ID)); !strings.Contains(page, fmt.Sprintf(`/vulnerable?place=%d&amp;nocontact=1`, f.bld1.ID)) {
			t.Errorf("the building's zone page: %s", page)
		}
	})
}

// TestVulnerableNeedLinks: on a resident's page a medicine need found on a
// check offers the medicine request, made on the household's medicine page
// with the need carried, and then links to the request's page; an order
// and a help request met for needs link to theirs; the links lead to pages
// the contact may open.
func TestVulnerableNeedLinks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withMedicine(db), withHelp(db), withVulnerable(db))
		sec := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: 1, Login: "sec", Role: frontline.RoleCommunitySecretary,
			ScopeID: f.comm1.ID, ScopePath: f.comm1.Path})
		pharmacy := &frontline.Partner{Kind: frontline.PartnerPharmacy, Name: "罗玉药房", PlaceID: f.comm1.ID, Areas: []int64{f.comp1.ID}}
		if err := sqldb.NewPartnerService(db).CreatePartner(sec, pharmacy); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewZoneService(db).SetZone(sec, &frontline.Zone{PlaceID: f.comp1.ID, Level: frontline.LevelSealed, Reason: "阳性病例"}); err != nil {
			t.Fatal(err)
		}
		wang := f.persons[3]
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		resp, _ := staff.postForm(t, fmt.Sprintf("/vulnerable/persons/%d/checks", wang.ID), url.Values{"method": {"called"}, "state": {"unwell"},
			"need1_kind": {"medicine"}, "need1_detail": {"降压药两盒"}, "need2_kind": {"help"}, "need2_detail": {"头晕，需医生上门"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the check: %d", resp.StatusCode)
		}
		_, checks, err := sqldb.NewVulnerableService(db).Resident(sec, wang.ID)
		if err != nil || len(checks) != 1 || len(checks[0].Needs) != 2 {
			t.Fatalf("checks %+v, %v", checks, err)
		}
		med, help := checks[0].Needs[0], checks[0].Needs[1]
		_, page := staff.get(t, fmt.Sprintf("/vulnerable/persons/%d", wang.ID))
		offer := fmt.Sprintf(`href="/households/%d/medicine?need=%d" data-testid="vuln-medicine"`, f.hh[1].ID, med.ID)
		if !strings.Contains(page, offer) || !strings.Contains(page, fmt.Sprintf(`href="/help/%d"`, help.LinkID)) {
			t.Fatalf("the resident's page offers no medicine request or help link: %s", page)
		}
		_, form := staff.get(t, fmt.Sprintf("/households/%d/medicine?need=%d", f.hh[1].ID, med.ID))
		if !strings.Contains(form, `data-testid="medicine-for-need"`) || !strings.Contains(form, fmt.Sprintf(`action="/households/%d/medicine?need=%d"`, f.hh[1].ID, med.ID)) {
			t.Fatalf("the medicine page does not carry the need: %s", form)
		}
		resp, body := staff.postForm(t, fmt.Sprintf("/households/%d/medicine?need=%d", f.hh[1].ID, med.ID), url.Values{
			"med_partner": {fmt.Sprint(pharmacy.ID)}, "med_name": {"硝苯地平控释片"}, "med_quantity": {"2"}, "med_chronic": {"1"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/medicine/") {
			t.Fatalf("the request for the need: %d %s", resp.StatusCode, body)
		}
		link := resp.Header.Get("Location")
		_, page = staff.get(t, fmt.Sprintf("/vulnerable/persons/%d", wang.ID))
		if !strings.Contains(page, `href="`+link+`" class="saved" data-testid="vuln-need-link"`) || strings.Contains(page, `data-testid="vuln-medicine"`) {
			t.Fatalf("the met need does not link to %s: %s", link, page)
		}
		for _, href := range []string{link, fmt.Sprintf("/help/%d", help.LinkID)} {
			if resp, _ := staff.get(t, href); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", href, resp.StatusCode)
			}
		}
		// A volunteer contact may follow the medicine request, not the
		// help request (the unmet-needs board is not theirs): no link to it.
		vol := ts.as(t, frontline.RoleVolunteer, f.comp1)
		_, page = vol.get(t, fmt.Sprintf("/vulnerable/persons/%d", wang.ID))
		if !strings.Contains(page, `href="`+link+`"`) || strings.Contains(page, fmt.Sprintf(`href="/help/%d"`, help.LinkID)) {
			t.Errorf("the volunteer's links: %s", page)
		}
		if resp, _ := vol.get(t, link); resp.StatusCode != http.StatusOK {
			t.Errorf("the volunteer opens %s: %d", link, resp.StatusCode)
		}
	})
}

// TestVulnerableHouseholdPages: a case in 张三's household (his wife 李梅,
// not flagged) shows on the board's cards, the contact's list on the home
// page and his page as the household's restriction, and the API gives it
// as household_restriction.
func TestVulnerableHouseholdPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withOrders(db), withVulnerable(db))
		sec := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: 1, Login: "sec", Role: frontline.RoleCommunitySecretary,
			ScopeID: f.comm1.ID, ScopePath: f.comm1.Path})
		u := ts.user(t, "grid-h", frontline.RoleGridWorker, f.comp1)
		w := &frontline.Worker{PlaceID: f.comm1.ID, Name: "枣园网格员", Kind: frontline.WorkerGrid, Phone: "13912340000", UserID: u.ID}
		if err := sqldb.NewWorkerService(db).CreateWorker(sec, w); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewResponsibilityService(db).SetResponsible(sec, f.bld1.ID, w.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewZoneService(db).SetZone(sec, &frontline.Zone{PlaceID: f.comp1.ID, Level: frontline.LevelSealed, Reason: "阳性病例"}); err != nil {
			t.Fatal(err)
		}
		zhang, wife := f.persons[0], f.persons[1]
		c, err := sqldb.NewCaseService(db).ReportCase(sec, &frontline.CaseReport{PersonID: wife.ID, Source: frontline.SourceHospital,
			ExternalRef: "H-1", Reporter: "市第一人民医院", ConfirmedAt: db.Now()})
		if err != nil {
			t.Fatal(err)
		}
		const shown = "同户有人：阳性病例"
		secretary := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		_, board := secretary.get(t, fmt.Sprintf("/vulnerable?place=%d&all=1", f.comp1.ID))
		if strings.Count(board, shown) != 2 || !strings.Contains(board, `data-testid="vuln-household"`) {
			t.Errorf("the board does not show 101's case on its two cards: %s", board)
		}
		grid := ts.signIn(t, "grid-h", goodPassword)
		if _, home := grid.get(t, "/"); strings.Count(home, shown) != 2 {
			t.Errorf("the contact's list does not show 101's case: %s", home)
		}
		if _, page := grid.get(t, fmt.Sprintf("/vulnerable/persons/%d", zhang.ID)); !strings.Contains(page, shown) {
			t.Errorf("张三's page does not show his household's case: %s", page)
		}
		var got struct {
			Resident struct {
				HouseholdRestriction *frontline.Restriction `json:"household_restriction"`
			} `json:"resident"`
		}
		grid.getJSON(t, fmt.Sprintf("/api/v1/vulnerable/%d", zhang.ID), http.StatusOK, &got)
		if r := got.Resident.HouseholdRestriction; r == nil || r.Kind != frontline.RestrictCase || r.SourceID != c.ID {
			t.Errorf("API household_restriction %+v, want the case %d", r, c.ID)
		}
	})
}
