package sqldb_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// positiveRetest runs a pool through the lab to a confirmed positive: the
// pool (tube) holds the three persons of hh[0] and the first of hh[1]; it
// is positive, each is re-tested singly at home, and the first person of
// hh[0] is positive while the others are negative. It returns the post's
// summary of the confirming results.
func positiveRetest(t *testing.T, f *roundFixture, lab *sqldb.LabService, ctx context.Context, tube string) *frontline.ResultSummary {
	t.Helper()
	hh := f.tr.hh
	pool := append(slices.Clone(f.persons[hh[0].ID]), f.persons[hh[1].ID][0])
	f.bind(t, tube, true, pool...)
	sqldbtest.ReceiveTubes(t, f.db, tube)
	if sum, err := lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: tube, Result: frontline.ResultPositive}}); err != nil || len(sum.Cases) != 0 {
		t.Fatalf("post the pool: %v %+v (a positive pool opens no case)", err, sum)
	}
	open := frontline.RetestOpen
	tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Status: &open})
	if err != nil || len(tasks) != len(pool) {
		t.Fatalf("re-test tasks: %d, %v", len(tasks), err)
	}
	var rows []frontline.ResultRow
	for _, task := range tasks {
		code := tube + "-R" + strconv.FormatInt(task.PersonID, 10)
		if _, err := lab.SampleRetest(ctx, task.ID, code); err != nil {
			t.Fatal(err)
		}
		result := frontline.ResultNegative
		if task.PersonID == pool[0].ID {
			result = frontline.ResultPositive
		}
		rows = append(rows, frontline.ResultRow{TubeCode: code, Result: result})
	}
	sum, err := lab.PostResults(ctx, rows)
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("post the re-tests: %v %+v", err, sum)
	}
	return sum
}

// TestCase_LabRetestOpensCase follows a positive re-test into a case: the
// case names the person, the re-test tube and the pool; the household's
// other residents are close contacts sent to centralised isolation with a
// transfer each, the pool's other member and the rest of the building get
// health monitoring, every measure has its follow-ups, the case has its
// own transfer, the alert reaches the community and the subdistrict at
// once (not the district), and each person's restrictions say so.
func TestCase_LabRetestOpensCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "lab"})
		f := newRoundFixture(t, db, 3, nil)
		lab, cases := sqldb.NewLabService(db), sqldb.NewCaseService(db)
		hh := f.tr.hh
		sum := positiveRetest(t, f, lab, ctx, "P-1")
		if len(sum.Cases) != 1 {
			t.Fatalf("cases opened: %v", sum.Cases)
		}
		positive := f.persons[hh[0].ID][0]
		d, err := cases.CaseDetail(ctx, sum.Cases[0])
		if err != nil {
			t.Fatal(err)
		}
		c := d.Case
		if c.PersonID != positive.ID || c.HouseholdID != hh[0].ID || c.Source != frontline.SourceLab || c.PoolCode != "P-1" ||
			c.TubeCode != "P-1-R"+strconv.FormatInt(positive.ID, 10) || c.Status != frontline.CaseOpen || c.RoundID != f.round.ID ||
			c.RuleVersion < 1 || c.ConfirmedBy != "lab" {
			t.Fatalf("the case: %+v", c)
		}
		kinds := map[int64]frontline.ContactKind{}
		for _, ct := range d.Contacts {
			kinds[ct.PersonID] = ct.Kind
			if ct.Measure == nil || ct.Measure.CaseID != c.ID || ct.Measure.Status != frontline.MeasureActive {
				t.Fatalf("contact %d has no measure of the case: %+v", ct.PersonID, ct.Measure)
			}
		}
		want := map[int64]frontline.ContactKind{
			f.persons[hh[0].ID][1].ID: frontline.ContactHousehold, f.persons[hh[0].ID][2].ID: frontline.ContactHousehold,
			f.persons[hh[1].ID][0].ID: frontline.ContactPool,
			f.persons[hh[1].ID][1].ID: frontline.ContactBuilding, f.persons[hh[1].ID][2].ID: frontline.ContactBuilding,
		}
		if len(kinds) != len(want) {
			t.Fatalf("contacts %v, want %v", kinds, want)
		}
		for id, k := range want {
			if kinds[id] != k {
				t.Errorf("person %d is a %q contact, want %q", id, kinds[id], k)
			}
		}
		for _, ct := range d.Contacts {
			wantType := map[frontline.ContactKind]frontline.MeasureType{frontline.ContactHousehold: frontline.MeasureCentral,
				frontline.ContactPool: frontline.MeasureMonitoring, frontline.ContactBuilding: frontline.MeasureMonitoring}[ct.Kind]
			if ct.Measure.Type != wantType {
				t.Errorf("contact %d (%s) has %s, want %s", ct.PersonID, ct.Kind, ct.Measure.Type, wantType)
			}
		}
		// Transfers: the case to the hospital, each close contact to isolation.
		if len(d.Transfers) != 3 {
			t.Fatalf("transfers: %d", len(d.Transfers))
		}
		for _, tr := range d.Transfers {
			if tr.Status != frontline.TransferRequested || tr.DueAt.IsZero() {
				t.Fatalf("transfer %+v", tr)
			}
		}
		// Follow-ups of a contact's measure, as a screening measure has.
		fu := sqldb.NewFollowUpService(db)
		items, _, err := fu.FindFollowUps(ctx, frontline.FollowUpItemFilter{CaseID: &c.ID})
		if err != nil || len(items) == 0 {
			t.Fatalf("follow-ups of the case: %d, %v", len(items), err)
		}
		// Restrictions, the one fact every workflow asks.
		rs, err := sqldb.NewRestrictionService(db, nil).Restrictions(ctx, []int64{positive.ID, f.persons[hh[0].ID][1].ID,
			f.persons[hh[1].ID][1].ID, f.persons[hh[2].ID][0].ID})
		if err != nil {
			t.Fatal(err)
		}
		kindsOf := func(id int64) []frontline.RestrictionKind {
			var out []frontline.RestrictionKind
			for _, r := range rs[id].Items {
				out = append(out, r.Kind)
			}
			return out
		}
		for id, want := range map[int64][]frontline.RestrictionKind{
			positive.ID:               {frontline.RestrictCase, frontline.RestrictTransfer},
			f.persons[hh[0].ID][1].ID: {frontline.RestrictTransfer, frontline.RestrictCentral},
			f.persons[hh[1].ID][1].ID: {frontline.RestrictMonitoring},
			f.persons[hh[2].ID][0].ID: nil,
		} {
			if got := kindsOf(id); !slices.Equal(got, want) {
				t.Errorf("restrictions of %d: %v, want %v", id, got, want)
			}
		}
		// The alert: the community's staff and the subdistrict see it at
		// once, the district does not until it escalates.
		alerts := sqldb.NewAlertService(db)
		for _, who := range []struct {
			ctx  context.Context
			want int
		}{{as(frontline.RoleCommunitySecretary, f.tr.comm1), 1}, {as(frontline.RoleCommunityStaff, f.tr.comm1), 1},
			{as(frontline.RoleSubdistrictAdmin, f.tr.sub), 1}, {as(frontline.RoleDistrictAdmin, f.tr.district), 0},
			{as(frontline.RoleCommunitySecretary, f.tr.comm2), 0}, {as(frontline.RoleGridWorker, f.tr.comm1), 0}} {
			n, err := alerts.Unread(who.ctx)
			if err != nil || n != who.want {
				p := frontline.PrincipalFrom(who.ctx)
				t.Errorf("%s of %s sees %d unread alerts (%v), want %d", p.Role, p.ScopePath, n, err, who.want)
			}
		}
		list, _, err := alerts.FindAlerts(as(frontline.RoleCommunitySecretary, f.tr.comm1), frontline.AlertFilter{Open: true})
		if err != nil || len(list) != 1 || list[0].Kind != frontline.AlertCase || list[0].Action != "/cases/"+strconv.FormatInt(c.ID, 10) ||
			list[0].Where == "" || list[0].Detail == "" {
			t.Fatalf("the secretary's inbox: %+v, %v", list, err)
		}
		// The same positive posted again opens nothing more.
		again, err := lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: c.TubeCode, Result: frontline.ResultPositive}})
		if err != nil || again.Unchanged != 1 || len(again.Cases) != 0 {
			t.Fatalf("posted again: %v %+v", err, again)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestCase_Report opens a case a hospital reports, by ID number: the
// same report again answers with the same case; a person with an open
// case is refused a second one; a person outside the reporter's scope is
// not found; a bad field says which.
func TestCase_Report(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		p := mustPerson(t, db, tr.hh[0].ID, "王五", false)
		other := mustPerson(t, db, tr.hh[2].ID, "赵六", false)
		mate := mustPerson(t, db, tr.hh[0].ID, "王妻", false)
		cases := sqldb.NewCaseService(db)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		rep := func() *frontline.CaseReport {
			return &frontline.CaseReport{IDNumber: p.IDNumber, Name: "王五", Source: frontline.SourceCDC, ExternalRef: "TS-2022-0042",
				Reporter: "天水市疾控中心", ConfirmedAt: db.Now().Add(-2 * time.Hour)}
		}
		c, err := cases.ReportCase(staff, rep())
		if err != nil {
			t.Fatal(err)
		}
		if c.PersonID != p.ID || c.Source != frontline.SourceCDC || c.Ref() != "TS-2022-0042" || c.Reporter != "天水市疾控中心" {
			t.Fatalf("the case %+v", c)
		}
		advance(time.Minute)
		if again, err := cases.ReportCase(staff, rep()); err != nil || again.ID != c.ID {
			t.Fatalf("the same report again: %+v, %v", again, err)
		}
		second := rep()
		second.ExternalRef = "TS-2022-0043"
		if _, err := cases.ReportCase(staff, second); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a second case of a person with an open one: %v", err)
		}
		outside := rep()
		outside.IDNumber, outside.Name, outside.ExternalRef = other.IDNumber, "", "TS-2022-0044"
		if _, err := cases.ReportCase(staff, outside); frontline.ErrorCode(err) != frontline.ENOTFOUND || frontline.ErrorField(err) != "id_number" {
			t.Fatalf("a person outside the scope: %v", err)
		}
		wrongName := rep()
		wrongName.IDNumber, wrongName.ExternalRef = mate.IDNumber, "TS-2022-0045"
		if _, err := cases.ReportCase(staff, wrongName); frontline.ErrorField(err) != "name" {
			t.Fatalf("a name that does not match: %v", err)
		}
		if _, err := cases.ReportCase(as(frontline.RoleGridWorker, tr.comm1), second); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a grid worker reports a case: %v", err)
		}
		// Import: every bad row at once, and nothing stored.
		bad := rep()
		bad.IDNumber, bad.ExternalRef, bad.Row = mate.IDNumber, "", 3
		good := rep()
		good.IDNumber, good.Name, good.ExternalRef, good.Row = mate.IDNumber, "王妻", "TS-2022-0050", 2
		out, err := cases.ImportCases(staff, []*frontline.CaseReport{good, bad}, false)
		if err != nil || len(out.Errors) != 1 || out.Errors[0].Row != 3 || out.Errors[0].Column != "external_ref" {
			t.Fatalf("import with a bad row: %+v, %v", out, err)
		}
		if _, n, _ := cases.FindCases(staff, frontline.CaseFilter{}); n != 1 {
			t.Fatalf("a refused import stored %d cases", n-1)
		}
		out, err = cases.ImportCases(staff, []*frontline.CaseReport{good}, false)
		if err != nil || len(out.Cases) != 1 || len(out.Errors) != 0 {
			t.Fatalf("import: %+v, %v", out, err)
		}
		// The second case, under the rules the first one saved, still gives
		// its contacts their measures.
		d, err := cases.CaseDetail(staff, out.Cases[0].ID)
		if err != nil || len(d.Contacts) == 0 || d.Contacts[0].Measure == nil {
			t.Fatalf("the second case's contacts: %+v, %v", d, err)
		}
	})
}
