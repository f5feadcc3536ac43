package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// vulnerableFixture is the order fixture (忠义巷小区 of 自治巷社区, a shop
// serving it) with the community's workers: a grid worker who signs in
// and is responsible for 2号楼's first household, and a volunteer. hh[2]
// holds two flagged residents and one who is not; hh[3] one flagged
// resident with no responsible worker; 枣园小区 (hh[0]) one flagged
// resident outside the zone.
type vulnerableFixture struct {
	*orderFixture
	vuln            *sqldb.VulnerableService
	zones           *sqldb.ZoneService
	grid, volunteer *frontline.Worker
	gridUser        *frontline.User
	a, b, c, d      *frontline.Person
}

func newVulnerable(t *testing.T, db *sqldb.DB) *vulnerableFixture {
	t.Helper()
	f := &vulnerableFixture{orderFixture: newOrders(t, db), vuln: sqldb.NewVulnerableService(db), zones: sqldb.NewZoneService(db)}
	f.gridUser = mustUser(t, userService(db), "grid2", frontline.RoleGridWorker, f.tr.comp2)
	workers := sqldb.NewWorkerService(db)
	for i, w := range []**frontline.Worker{&f.grid, &f.volunteer} {
		*w = &frontline.Worker{PlaceID: f.tr.comm2.ID, Name: []string{"王网格", "李志愿"}[i],
			Kind: []frontline.WorkerKind{frontline.WorkerGrid, frontline.WorkerVolunteer}[i], Phone: fmt.Sprintf("1391111000%d", i)}
		if i == 0 {
			(*w).UserID = f.gridUser.ID
		}
		if err := workers.CreateWorker(f.ctx, *w); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sqldb.NewResponsibilityService(db).SetResponsible(f.ctx, f.tr.hh[2].ID, f.grid.ID, 0); err != nil {
		t.Fatal(err)
	}
	f.a = mustPerson(t, db, f.tr.hh[2].ID, "张秀英", true)
	f.b = mustPerson(t, db, f.tr.hh[2].ID, "张建国", true)
	mustPerson(t, db, f.tr.hh[2].ID, "张小明", false)
	f.c = mustPerson(t, db, f.tr.hh[3].ID, "刘桂兰", true)
	f.d = mustPerson(t, db, f.tr.hh[0].ID, "赵大爷", true)
	return f
}

func (f *vulnerableFixture) seal(t *testing.T, level frontline.ZoneLevel) {
	t.Helper()
	if _, err := f.zones.SetZone(f.ctx, &frontline.Zone{PlaceID: f.tr.comp2.ID, Level: level, Reason: "阳性病例", DecidedBy: "中城街道指挥部"}); err != nil {
		t.Fatal(err)
	}
}

func (f *vulnerableFixture) check(t *testing.T, ctx context.Context, p *frontline.Person, m frontline.CheckMethod, needs ...*frontline.VulnerableNeed) *frontline.VulnerableCheck {
	t.Helper()
	c := &frontline.VulnerableCheck{PersonID: p.ID, Method: m, Needs: needs}
	if err := f.vuln.RecordCheck(ctx, c); err != nil {
		t.Fatalf("check %s: %v", p.Name, err)
	}
	return c
}

// boardNames lists the residents on a board, by building.
func boardNames(b *frontline.VulnerableBoard) []string {
	var out []string
	for _, bl := range b.Buildings {
		for _, v := range bl.Residents {
			out = append(out, v.Name)
		}
	}
	return out
}

// TestVulnerableContactsOnSeal: every vulnerable resident of a newly sealed
// zone gets a contact in the sealing's transaction — the household's
// responsible worker, else a proposal the secretary confirms — and a
// precaution zone names nobody; changing a contact by hand is audited.
func TestVulnerableContactsOnSeal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelPrecaution)
		if n := count(t, db, `SELECT COUNT(*) FROM vulnerable_contacts`); n != 0 {
			t.Fatalf("a precaution zone named %d contacts", n)
		}
		f.seal(t, frontline.LevelSealed)
		b, err := f.vuln.Board(f.ctx, f.tr.comp2.ID, frontline.ViewAll)
		if err != nil {
			t.Fatal(err)
		}
		if b.Total != 3 || b.NoContact != 1 || b.Proposed != 1 || b.Checked != 0 {
			t.Fatalf("board after sealing: %+v", b)
		}
		for _, bl := range b.Buildings {
			for _, v := range bl.Residents {
				want, source := f.grid.ID, frontline.ContactResponsible
				if v.PersonID == f.c.ID {
					want, source = f.volunteer.ID, frontline.ContactProposed
				}
				if v.Contact == nil || v.Contact.WorkerID != want || v.Contact.Source != source || v.Level != frontline.LevelSealed {
					t.Errorf("%s: contact %+v at %s", v.Name, v.Contact, v.Level)
				}
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM vulnerable_contacts WHERE person_id = ?`, f.d.ID); n != 0 {
			t.Errorf("a resident outside the zone got a contact")
		}
		if n, err := f.vuln.ConfirmProposals(f.ctx, f.tr.comp2.ID); err != nil || n != 1 {
			t.Fatalf("confirm: %d, %v", n, err)
		}
		if b, _ := f.vuln.Board(f.ctx, f.tr.comp2.ID, frontline.ViewAll); b.NoContact != 0 {
			t.Errorf("%d without a contact after confirming", b.NoContact)
		}
		if _, err := f.vuln.SetContact(f.ctx, f.c.ID, f.grid.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'vulnerable_contact' AND entity_id = ?`, f.c.ID); n != 1 {
			t.Errorf("%d audit entries for a contact changed by hand", n)
		}
		if _, err := f.vuln.SetContact(as(frontline.RoleSubdistrictAdmin, f.tr.sub), f.d.ID, f.grid.ID); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("a worker of another community as contact: %v", err)
		}
		// A resident registered after the zone was drawn is named at once
		// (TestVulnerableContactsAfterSeal); the zone page's button finds
		// nobody left.
		late := mustPerson(t, db, f.tr.hh[3].ID, "刘小宝", true)
		if n, err := f.vuln.AssignContacts(f.ctx, f.tr.comp2.ID); err != nil || n != 0 {
			t.Fatalf("assign again: %d, %v", n, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM vulnerable_contacts WHERE person_id = ? AND source = 'proposed'`, late.ID); n != 1 {
			t.Errorf("the late resident has no proposal")
		}
	})
}

// TestVulnerableBoard: a resident called today leaves the board, one
// unreachable stays, and the next day brings everyone back; a retried
// check records once; the contact's own list; the daily report's section.
func TestVulnerableBoard(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelSealed)
		grid := asUser(f.gridUser, f.tr.comp2)
		mine, err := f.vuln.Mine(grid)
		if err != nil || len(mine) != 2 {
			t.Fatalf("the grid worker's people: %d, %v", len(mine), err)
		}
		c := &frontline.VulnerableCheck{PersonID: f.a.ID, Method: frontline.CheckCalled, Key: "tok1"}
		if err := f.vuln.RecordCheck(grid, c); err != nil || c.WorkerID != f.grid.ID || c.State != frontline.StateFine {
			t.Fatalf("check: %+v, %v", c, err)
		}
		again := &frontline.VulnerableCheck{PersonID: f.a.ID, Method: frontline.CheckCalled, Key: "tok1"}
		if err := f.vuln.RecordCheck(grid, again); err != nil || again.ID != c.ID {
			t.Fatalf("a retry: %+v, %v", again, err)
		}
		f.check(t, grid, f.b, frontline.CheckUnreachable)
		b, err := f.vuln.Board(f.ctx, f.tr.comp2.ID, frontline.ViewUnreached)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(boardNames(b)); got != "[张建国 刘桂兰]" || b.Checked != 1 || b.Total != 3 {
			t.Fatalf("board: %s, %+v", got, b)
		}
		if v := b.Buildings[0].Residents[0]; v.LastCheck == nil || v.LastCheck.Method != frontline.CheckUnreachable {
			t.Errorf("the unreachable attempt is not shown: %+v", v.LastCheck)
		}
		mine, _ = f.vuln.Mine(grid)
		if len(mine) != 2 || mine[0].PersonID != f.b.ID || !mine[1].CheckedToday {
			t.Errorf("the grid worker's list does not put the unreached first: %+v", mine)
		}
		r, err := sqldb.NewDailyReportService(db).DailyReport(f.ctx, f.tr.comm2.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if s := r.Section(frontline.DailyVulnerable); s == nil || fmt.Sprint(s.Total.Values) != "[3 2 1 2]" {
			t.Errorf("daily report section: %+v", s)
		}
		f.advance(24 * time.Hour)
		b, _ = f.vuln.Board(f.ctx, f.tr.comp2.ID, frontline.ViewUnreached)
		if got := fmt.Sprint(boardNames(b)); got != "[张秀英 张建国 刘桂兰]" || b.Checked != 0 {
			t.Errorf("a new day: %s, %+v", got, b)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM vulnerable_checks`); n != 2 {
			t.Errorf("%d checks recorded", n)
		}
	})
}

// TestVulnerableAlert: past the alert hour (16:00 local; not a minute
// before), a sealed zone with a resident not reached raises one alert,
// reaching everyone resolves it in the check's transaction, it is not
// raised again that day, and the next day raises a new one; a node's own
// hour moves it.
func TestVulnerableAlert(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelSealed)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system:alerts"})
		open := func() int {
			return count(t, db, `SELECT COUNT(*) FROM alerts WHERE kind = 'vulnerable_unchecked' AND resolved_at IS NULL`)
		}
		f.advance(time.Hour + 59*time.Minute) // 15:59 in China
		if n, err := f.vuln.AlertUnchecked(sys); err != nil || n != 0 {
			t.Fatalf("before the hour: %d, %v", n, err)
		}
		f.advance(time.Minute)
		if n, err := f.vuln.AlertUnchecked(sys); err != nil || n != 1 || open() != 1 {
			t.Fatalf("at the hour: %d, %v", n, err)
		}
		if n, _ := f.vuln.AlertUnchecked(sys); n != 0 {
			t.Fatalf("raised again: %d", n)
		}
		for _, p := range []*frontline.Person{f.a, f.b} {
			f.check(t, f.ctx, p, frontline.CheckVisited)
		}
		if open() != 1 {
			t.Fatal("resolved with a resident unreached")
		}
		f.check(t, f.ctx, f.c, frontline.CheckCalled)
		if open() != 0 {
			t.Fatal("everyone reached and the alert is open")
		}
		if n, _ := f.vuln.AlertUnchecked(sys); n != 0 {
			t.Fatalf("raised again the same day: %d", n)
		}
		if err := f.vuln.SetAlertHour(f.ctx, f.tr.comm2.ID, 10*60); err != nil {
			t.Fatal(err)
		}
		f.advance(18 * time.Hour) // 10:00 the next day
		if n, err := f.vuln.AlertUnchecked(sys); err != nil || n != 1 {
			t.Fatalf("the next day at the node's hour: %d, %v", n, err)
		}
		if _, err := f.zones.StepDownZone(f.ctx, zoneOf(t, f), frontline.StepDown{Lift: true, Override: true, Reason: "解封通告"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.vuln.AlertUnchecked(sys); err != nil || open() != 0 {
			t.Fatalf("a lifted zone's alert stays open: %v", err)
		}
	})
}

func zoneOf(t *testing.T, f *vulnerableFixture) int64 {
	t.Helper()
	return int64(count(t, f.db, `SELECT id FROM zones WHERE place_id = ? AND ended_at IS NULL`, f.tr.comp2.ID))
}

// TestVulnerableNeedOrder: a need for supplies found on a check becomes
// the household's order, once; a medicine need becomes the resident's
// medicine request, once; a help need is a help request at once.
func TestVulnerableNeedOrder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelSealed)
		c := f.check(t, f.ctx, f.a, frontline.CheckCalled,
			&frontline.VulnerableNeed{Kind: frontline.NeedSupplies, Detail: "大米一袋"},
			&frontline.VulnerableNeed{Kind: frontline.NeedMedicine, Detail: "降压药"})
		req := frontline.OrderRequest{PartnerID: f.shop.ID, Quantities: map[int64]int{f.rice.ID: 1}}
		o, err := f.vuln.OrderForNeed(f.ctx, c.Needs[0].ID, req)
		if err != nil || o.HouseholdID != f.tr.hh[2].ID || o.Note != "大米一袋" || o.Source != frontline.SourceStaff {
			t.Fatalf("order: %+v, %v", o, err)
		}
		again, err := f.vuln.OrderForNeed(f.ctx, c.Needs[0].ID, req)
		if err != nil || again.ID != o.ID || count(t, db, `SELECT COUNT(*) FROM supply_orders`) != 1 {
			t.Fatalf("a retry: %+v, %v", again, err)
		}
		_, checks, err := f.vuln.Resident(f.ctx, f.a.ID)
		if err != nil || len(checks) != 1 || !checks[0].Needs[0].Met() || checks[0].Needs[0].LinkID != o.ID || checks[0].Needs[1].Met() {
			t.Fatalf("the check's needs: %+v, %v", checks, err)
		}
		if _, err := f.vuln.OrderForNeed(f.ctx, c.Needs[1].ID, req); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("a medicine need as a shop order: %v", err)
		}
		med, err := f.vuln.MedicineForNeed(f.ctx, c.Needs[1].ID, frontline.MedicineRequestInput{PartnerID: f.pharmacy.ID,
			Medicine: "硝苯地平缓释片", Quantity: 2, Chronic: true})
		if err != nil || med.HouseholdID != f.tr.hh[2].ID || med.PersonID != f.a.ID || !med.Chronic {
			t.Fatalf("medicine: %+v, %v", med, err)
		}
		if again, err := f.vuln.MedicineForNeed(f.ctx, c.Needs[1].ID, frontline.MedicineRequestInput{PartnerID: f.pharmacy.ID,
			Medicine: "硝苯地平缓释片", Quantity: 2}); err != nil || again.ID != med.ID {
			t.Fatalf("medicine again: %+v, %v", again, err)
		}
		// A help need is the household's help request at once, with the
		// category the resident's flags suggest and the deadlines of its
		// category; the help board sees it.
		h := f.check(t, f.ctx, f.b, frontline.CheckVisited, &frontline.VulnerableNeed{Kind: frontline.NeedHelp, Detail: "胸闷气短"})
		if n := h.Needs[0]; n.LinkKind != "help" || n.LinkID == 0 || n.Category != frontline.HelpOther {
			t.Fatalf("help need: %+v", n)
		}
		reqs, _, err := sqldb.NewHelpService(db).FindHelp(f.ctx, frontline.HelpFilter{})
		if err != nil || len(reqs) != 1 || reqs[0].ID != h.Needs[0].LinkID || reqs[0].PersonID != f.b.ID || reqs[0].Status != frontline.HelpOpen {
			t.Fatalf("the help board: %+v, %v", reqs, err)
		}
		bad := &frontline.VulnerableCheck{PersonID: f.b.ID, Method: frontline.CheckUnreachable,
			Needs: []*frontline.VulnerableNeed{{Kind: frontline.NeedHelp, Detail: "x"}}}
		if err := f.vuln.RecordCheck(f.ctx, bad); frontline.ErrorField(err) != "needs" {
			t.Errorf("needs on an unreachable attempt: %v", err)
		}
	})
}

// TestVulnerableScope: a grid worker of another compound sees neither the
// board nor the residents; a shop has no access; a volunteer's list is
// their own people only.
func TestVulnerableScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelSealed)
		other := as(frontline.RoleGridWorker, f.tr.comp1)
		if _, err := f.vuln.Board(other, f.tr.comp2.ID, frontline.ViewAll); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("board of another compound: %v", err)
		}
		if err := f.vuln.RecordCheck(other, &frontline.VulnerableCheck{PersonID: f.a.ID, Method: frontline.CheckCalled}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("check of another compound's resident: %v", err)
		}
		if _, err := f.vuln.Board(as(frontline.RoleShop, f.tr.comm2), f.tr.comp2.ID, frontline.ViewAll); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a shop reads the board: %v", err)
		}
		if _, err := f.vuln.SetContact(as(frontline.RoleVolunteer, f.tr.comp2), f.a.ID, f.volunteer.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a volunteer sets a contact: %v", err)
		}
		if b, err := f.vuln.Board(other, f.tr.comp1.ID, frontline.ViewAll); err != nil || b.Total != 0 {
			t.Errorf("the open compound's board: %+v, %v", b, err)
		}
		if mine, err := f.vuln.Mine(as(frontline.RoleVolunteer, f.tr.comp2)); err != nil || len(mine) != 0 {
			t.Errorf("a volunteer with nobody: %d, %v", len(mine), err)
		}
	})
}

// TestVulnerableWithoutContact: the zone page's count of the vulnerable
// without a named contact is per deciding zone — a building sealed inside
// a controlled compound takes its residents from the compound's zone —
// it counts a proposal as none (the resident flagged after the zone was
// drawn has one), it equals the board's figure and the board's "without a contact"
// view lists exactly them, and it stays in the caller's scope.
func TestVulnerableWithoutContact(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelControlled)
		compound := zoneOf(t, f)
		got, err := f.vuln.WithoutContact(f.ctx, f.tr.comm2.ID)
		if err != nil || fmt.Sprint(got) != fmt.Sprintf("map[%d:1]", compound) {
			t.Fatalf("controlled compound: %v, %v", got, err)
		}
		if _, err := f.zones.SetZone(f.ctx, &frontline.Zone{PlaceID: f.tr.bld2.ID, Level: frontline.LevelSealed, Reason: "阳性病例", DecidedBy: "中城街道指挥部"}); err != nil {
			t.Fatal(err)
		}
		building := int64(count(t, db, `SELECT id FROM zones WHERE place_id = ? AND ended_at IS NULL`, f.tr.bld2.ID))
		late := mustPerson(t, db, f.tr.hh[3].ID, "刘小宝", true)
		for _, node := range []int64{f.tr.comm2.ID, f.tr.comp2.ID, f.tr.hh[3].ID} {
			got, err := f.vuln.WithoutContact(f.ctx, node)
			if err != nil || fmt.Sprint(got) != fmt.Sprintf("map[%d:2]", building) {
				t.Errorf("under %d: %v, %v (want the sealed building's 2)", node, got, err)
			}
		}
		if got, err := f.vuln.WithoutContact(f.ctx, f.tr.hh[2].ID); err != nil || len(got) != 0 {
			t.Errorf("a household whose residents have contacts: %v, %v", got, err)
		}
		b, err := f.vuln.Board(f.ctx, f.tr.comm2.ID, frontline.ViewNoContact)
		if err != nil {
			t.Fatal(err)
		}
		if names := fmt.Sprint(boardNames(b)); names != "[刘桂兰 刘小宝]" || b.NoContact != 2 || b.Total != 4 || b.View != frontline.ViewNoContact {
			t.Fatalf("the board without a contact: %s, %+v", names, b)
		}
		f.check(t, f.ctx, late, frontline.CheckCalled)
		if b, _ := f.vuln.Board(f.ctx, f.tr.comm2.ID, frontline.ViewNoContact); fmt.Sprint(boardNames(b)) != "[刘桂兰 刘小宝]" {
			t.Errorf("reached today leaves the view: %v", boardNames(b))
		}
		if _, err := f.vuln.Board(f.ctx, f.tr.comm2.ID, "nobody"); frontline.ErrorField(err) != "view" {
			t.Errorf("an unknown view: %v", err)
		}
		if n, err := f.vuln.ConfirmProposals(f.ctx, f.tr.comp2.ID); err != nil || n != 2 {
			t.Fatalf("confirm: %d, %v", n, err)
		}
		if got, _ := f.vuln.WithoutContact(f.ctx, f.tr.comm2.ID); len(got) != 0 {
			t.Errorf("after confirming the proposals: %v", got)
		}
		if _, err := f.vuln.WithoutContact(as(frontline.RoleGridWorker, f.tr.comp1), f.tr.comp2.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("another compound's grid worker: %v", err)
		}
		if _, err := f.vuln.WithoutContact(as(frontline.RoleShop, f.tr.comm2), f.tr.comp2.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a shop: %v", err)
		}
	})
}

// TestVulnerableAlertCounts: the alert job reads no resident before the
// alert hour and, past it, one aggregate count per zone a turn, never
// the zone's rows; a resident who stops being vulnerable resolves the
// alert on the job's next turn; a zone left with nobody to decide (a
// building sealed inside a controlled compound takes every resident) has
// its alert resolved, and the building raises its own.
func TestVulnerableAlertCounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelControlled)
		compound := zoneOf(t, f)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system:alerts"})
		turn := func(wantRaised int, wantRows int64) {
			t.Helper()
			before := sqldb.VulnerableRowsRead(db)
			if n, err := f.vuln.AlertUnchecked(sys); err != nil || n != wantRaised {
				t.Fatalf("raised %d, %v; want %d", n, err, wantRaised)
			}
			if rows := sqldb.VulnerableRowsRead(db) - before; rows != wantRows {
				t.Errorf("the turn read %d rows, want %d", rows, wantRows)
			}
		}
		detail := func(zone int64) string {
			tx, err := db.BeginReadTx(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var d string
			if err := tx.QueryRowContext(context.Background(), `SELECT detail FROM alerts WHERE subject = 'zone' AND subject_id = ?
				AND resolved_at IS NULL`, zone).Scan(&d); err != nil {
				return err.Error()
			}
			return d
		}
		f.advance(time.Hour + 59*time.Minute) // 15:59 in China
		turn(0, 0)
		f.advance(time.Minute)
		turn(1, 1)
		if d := detail(compound); d != "3/3" {
			t.Errorf("the alert's detail %q", d)
		}
		turn(0, 1) // open: counted again, not raised again
		f.check(t, f.ctx, f.a, frontline.CheckCalled)
		f.check(t, f.ctx, f.b, frontline.CheckVisited)
		none := []frontline.Flag{}
		if _, err := sqldb.NewPersonService(db).UpdatePerson(f.ctx, f.c.ID, frontline.PersonUpdate{Flags: &none}); err != nil {
			t.Fatal(err)
		}
		turn(0, 1)
		if d := detail(compound); d != "sql: no rows in result set" {
			t.Fatalf("everyone left is reached and the alert is open: %q", d)
		}
		// The next day a building sealed inside the compound decides its
		// residents: the compound's alert goes, the building's comes.
		f.advance(24 * time.Hour)
		turn(1, 1)
		if _, err := f.zones.SetZone(f.ctx, &frontline.Zone{PlaceID: f.tr.bld2.ID, Level: frontline.LevelSealed, Reason: "阳性病例", DecidedBy: "中城街道指挥部"}); err != nil {
			t.Fatal(err)
		}
		building := int64(count(t, db, `SELECT id FROM zones WHERE place_id = ? AND ended_at IS NULL`, f.tr.bld2.ID))
		turn(1, 2) // the compound's share, now empty, and the building's
		if detail(compound) != "sql: no rows in result set" || detail(building) != "2/2" {
			t.Errorf("after sealing the building: compound %q, building %q", detail(compound), detail(building))
		}
	})
}

// TestVulnerableContactsAfterSeal: a vulnerable resident who comes to a
// sealed zone after it was drawn — registered, flagged or moved in — gets
// a contact in that write's transaction; one flagged outside any zone
// does not; and a zone whose residents had nobody to propose gets them one
// on the alert job's turn once a worker is registered.
func TestVulnerableContactsAfterSeal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelSealed)
		persons := sqldb.NewPersonService(db)
		contact := func(p *frontline.Person) (int64, string) {
			t.Helper()
			v, _, err := f.vuln.Resident(context.Background(), p.ID)
			if err != nil || v.Contact == nil {
				return 0, fmt.Sprint(err)
			}
			return v.Contact.WorkerID, string(v.Contact.Source)
		}
		born := mustPerson(t, db, f.tr.hh[2].ID, "张奶奶", true)
		if w, src := contact(born); w != f.grid.ID || src != string(frontline.ContactResponsible) {
			t.Fatalf("registered in a sealed household: contact %d %s", w, src)
		}
		later := mustPerson(t, db, f.tr.hh[3].ID, "刘大爷", false)
		if n := count(t, db, `SELECT COUNT(*) FROM vulnerable_contacts WHERE person_id = ?`, later.ID); n != 0 {
			t.Fatalf("a resident not flagged has %d contacts", n)
		}
		if _, err := persons.UpdatePerson(f.ctx, later.ID, frontline.PersonUpdate{Flags: &[]frontline.Flag{frontline.FlagBedridden}}); err != nil {
			t.Fatal(err)
		}
		if w, src := contact(later); w == 0 || src != string(frontline.ContactProposed) {
			t.Fatalf("flagged after the seal: contact %d %s", w, src)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM vulnerable_contacts WHERE person_id = ?`, f.d.ID); n != 0 {
			t.Fatal("a resident of an open compound has a contact")
		}
		if _, err := persons.MovePerson(context.Background(), f.d.ID, f.tr.hh[2].ID); err != nil {
			t.Fatal(err)
		}
		if w, _ := contact(f.d); w != f.grid.ID {
			t.Fatalf("moved into a sealed household: contact %d", w)
		}

		// 枣园小区 sealed with nobody of 罗玉新村社区 to propose: its
		// resident waits for a worker, and the job names them.
		old := mustPerson(t, db, f.tr.hh[0].ID, "孙奶奶", true)
		if _, err := f.zones.SetZone(context.Background(), &frontline.Zone{PlaceID: f.tr.comp1.ID, Level: frontline.LevelSealed, Reason: "阳性病例"}); err != nil {
			t.Fatal(err)
		}
		if w, _ := contact(old); w != 0 {
			t.Fatalf("a contact with nobody to propose: %d", w)
		}
		helper := &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: "周志愿", Kind: frontline.WorkerVolunteer, Phone: "13911110009"}
		if err := sqldb.NewWorkerService(db).CreateWorker(context.Background(), helper); err != nil {
			t.Fatal(err)
		}
		f.advance(2 * time.Hour) // 16:00 in China: the job's turn
		if _, err := f.vuln.AlertUnchecked(frontline.WithActor(context.Background(), frontline.Actor{Name: "system:alerts"})); err != nil {
			t.Fatal(err)
		}
		if w, src := contact(old); w != helper.ID || src != string(frontline.ContactProposed) {
			t.Fatalf("after the job: contact %d %s", w, src)
		}
	})
}

// TestVulnerableHouseholdRestriction: the board, the contact's list and
// the resident's page show the strictest restriction of anyone in the
// resident's household, as RestrictionService answers it for each member:
// a case in 101 (a resident who is not flagged) shows on both flagged
// residents of 101; the case's household mates' own measures are milder;
// a household nobody in which is restricted shows none; a member who
// moved out does not count.
func TestVulnerableHouseholdRestriction(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newVulnerable(t, db)
		f.seal(t, frontline.LevelSealed)
		rs := sqldb.NewRestrictionService(db, nil)
		b, err := f.vuln.Board(f.ctx, f.tr.comp2.ID, frontline.ViewAll)
		if err != nil {
			t.Fatal(err)
		}
		for _, bl := range b.Buildings {
			for _, v := range bl.Residents {
				if v.HouseholdRestriction != nil {
					t.Errorf("%s: a household restriction before any: %+v", v.Name, v.HouseholdRestriction)
				}
			}
		}
		// 张小明 of 101, not flagged, not on the board himself.
		son := &frontline.Person{ID: int64(count(t, db, `SELECT id FROM persons WHERE name = '张小明'`)), Name: "张小明"}
		// A resident of 102 who moved out, with a case: 102 stays free.
		gone := mustPerson(t, db, f.tr.hh[3].ID, "刘迁", false)
		cases := sqldb.NewCaseService(db)
		var c *frontline.Case
		for _, p := range []*frontline.Person{son, gone} {
			opened, err := cases.ReportCase(f.ctx, &frontline.CaseReport{PersonID: p.ID, Source: frontline.SourceHospital,
				ExternalRef: "H-" + p.Name, Reporter: "市第一人民医院", ConfirmedAt: db.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if p == son {
				c = opened
			}
		}
		if _, err := sqldb.NewPersonService(db).UpdatePerson(f.ctx, gone.ID, frontline.PersonUpdate{Status: ptr(frontline.StatusMovedOut)}); err != nil {
			t.Fatal(err)
		}
		// 102's own flagged resident: what the one call says of her alone.
		own, err := rs.Restrictions(f.ctx, []int64{f.c.ID})
		if err != nil {
			t.Fatal(err)
		}
		check := func(where string, v *frontline.VulnerableResident) {
			t.Helper()
			switch v.PersonID {
			case f.a.ID, f.b.ID:
				if r := v.HouseholdRestriction; r == nil || r.Kind != frontline.RestrictCase || r.Source != "case" || r.SourceID != c.ID {
					t.Errorf("%s, %s: household restriction %+v, want the case %d", where, v.Name, r, c.ID)
				}
			case f.c.ID:
				want := own[f.c.ID].Strictest()
				if r := v.HouseholdRestriction; (r == nil) != (want == nil) || r != nil && (r.Kind != want.Kind || r.SourceID != want.SourceID) {
					t.Errorf("%s, %s: household restriction %+v, want her own %+v", where, v.Name, r, want)
				}
			}
		}
		b, err = f.vuln.Board(f.ctx, f.tr.comp2.ID, frontline.ViewAll)
		if err != nil {
			t.Fatal(err)
		}
		if len(boardNames(b)) != 3 {
			t.Fatalf("board: %v", boardNames(b))
		}
		for _, bl := range b.Buildings {
			for _, v := range bl.Residents {
				check("board", v)
			}
		}
		mine, err := f.vuln.Mine(asUser(f.gridUser, f.tr.comp2))
		if err != nil || len(mine) != 2 {
			t.Fatalf("the contact's list: %d, %v", len(mine), err)
		}
		for _, v := range mine {
			check("list", v)
		}
		for _, p := range []*frontline.Person{f.a, f.c} {
			v, _, err := f.vuln.Resident(f.ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			check("page", v)
		}
		// Her own measure is milder than the case: the household shows the case.
		mates, err := rs.Restrictions(f.ctx, []int64{f.a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if s := mates[f.a.ID].Strictest(); s != nil && s.Kind == frontline.RestrictCase {
			t.Errorf("a household mate is a case herself: %+v", s)
		}
	})
}
