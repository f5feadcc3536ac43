package sqldb_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestRetention_Rules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		rs := sqldb.NewRetentionService(db)
		r, err := rs.Rules(ctx)
		if err != nil || r.Version != 0 || r.Days[frontline.RetainCases] != frontline.DefaultRetention[frontline.RetainCases] {
			t.Fatalf("defaults: %+v, %v", r, err)
		}
		if err := rs.SaveRules(ctx, &frontline.RetentionRules{Days: map[frontline.RetentionKind]int{frontline.RetainRounds: -1}}); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("negative days: %v", err)
		}
		if err := rs.SaveRules(as(frontline.RoleGridWorker, tr.comp1), &frontline.RetentionRules{Days: map[frontline.RetentionKind]int{frontline.RetainRounds: 7}}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a grid worker saved rules: %v", err)
		}
		for i, days := range []int{7, 10} {
			if err := rs.SaveRules(ctx, &frontline.RetentionRules{Days: map[frontline.RetentionKind]int{frontline.RetainRounds: days}, Note: "office decision"}); err != nil {
				t.Fatal(err)
			}
			r, err := rs.Rules(ctx)
			if err != nil || r.Version != i+1 || r.Days[frontline.RetainRounds] != days || r.Days[frontline.RetainPassages] != 14 {
				t.Fatalf("version %d: %+v, %v", i+1, r, err)
			}
		}
		changes, _, err := sqldb.NewAuditService(db).FindChanges(ctx, frontline.ChangeFilter{Entity: ptr("retention_rules")})
		if err != nil || len(changes) != 2 {
			t.Fatalf("audit of rule changes: %d, %v", len(changes), err)
		}
	})
}

// purgeScene is a closed screening campaign over the test tree's
// subdistrict: 赵六 (枣园小区) was screened and has no other record, 孙七
// (忠义巷小区) was screened and is a member of a round still open there.
type purgeScene struct {
	*screening
	zhao, sun *frontline.Person
	closedAt  time.Time
	round     *frontline.Round
}

func newPurgeScene(t *testing.T, db *sqldb.DB) *purgeScene {
	t.Helper()
	return finishScene(t, db, newScreening(t, db))
}

// finishScene records the visits of a screening and closes it.
func finishScene(t *testing.T, db *sqldb.DB, sc *screening) *purgeScene {
	t.Helper()
	ctx := context.Background()
	s := &purgeScene{screening: sc}
	ps := sqldb.NewPersonService(db)
	s.zhao = &frontline.Person{HouseholdID: s.tr.hh[1].ID, Name: "赵六斤", IDNumber: testID(), Phone: "13912345671"}
	s.sun = &frontline.Person{HouseholdID: s.tr.hh[2].ID, Name: "孙七巧", IDNumber: testID(), Phone: "13912345672"}
	for _, p := range []*frontline.Person{s.zhao, s.sun} {
		if err := ps.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	s.visit(t, ctx, s.tr.hh[0], frontline.OutcomeVacant)
	s.visit(t, ctx, s.tr.hh[1], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.zhao.ID, Present: true})
	s.visit(t, ctx, s.tr.hh[2], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.sun.ID, Present: true})
	for _, hh := range []*frontline.Place{s.tr.hh[3], s.unitHH[0]} {
		s.visit(t, ctx, hh, frontline.OutcomeMovedOut)
	}
	s.visit(t, ctx, s.unitHH[1], frontline.OutcomeRefused)
	s.round = mustOpenRound(t, sqldb.NewRoundService(db), s.tr.comm2.ID, nil)
	if _, err := s.cs.CloseCampaign(ctx, s.c.ID); err != nil {
		t.Fatal(err)
	}
	s.closedAt = testNow
	return s
}

func (s *purgeScene) at(t time.Time) { s.db.Now = func() time.Time { return t } }

func personName(t *testing.T, db *sqldb.DB, id int64) string {
	t.Helper()
	tx, err := db.BeginReadTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var name string
	if err := tx.QueryRowContext(context.Background(), `SELECT name FROM persons WHERE id = ?`, id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func countWhere(t *testing.T, db *sqldb.DB, query string, args ...any) int {
	t.Helper()
	tx, err := db.BeginReadTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func dueOf(t *testing.T, rs *sqldb.RetentionService, ctx context.Context, under int64, kind frontline.RetentionKind) frontline.RetentionDue {
	t.Helper()
	due, err := rs.Due(ctx, under)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if d.Kind == kind {
			return d
		}
	}
	t.Fatalf("no %s in %+v", kind, due)
	return frontline.RetentionDue{}
}

// TestPurge_DueAndNotDue purges a closed campaign's visits and the
// registry entry of a person with no other record once their rules have
// passed, and nothing before; a person in a round still open keeps theirs.
// The campaign's report gives the same totals before and after.
func TestPurge_DueAndNotDue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newPurgeScene(t, db)
		rs := sqldb.NewRetentionService(db)
		reports := sqldb.NewReportService(db)
		before, err := reports.Report(ctx, s.c.ID, s.tr.sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		covBefore := s.coverage(t, s.tr.sub)

		// Twenty days after the close nothing is due; the page says when.
		s.at(s.closedAt.AddDate(0, 0, 20))
		d := dueOf(t, rs, as(frontline.RoleCommunitySecretary, s.tr.comm1), s.tr.comm1.ID, frontline.RetainScreening)
		if d.Now != 0 || len(d.Upcoming) != 1 || d.Upcoming[0].Day != "2026-02-04" || d.Upcoming[0].Records != 4 {
			t.Fatalf("screening due under 罗玉新村社区 at +20 days: %+v", d)
		}
		run, err := rs.Purge(ctx, frontline.PurgeRequest{})
		if err != nil || run.Records() != 0 || run.ID != 0 {
			t.Fatalf("purge at +20 days (nothing due, no certificate): %+v, %v", run, err)
		}

		s.at(s.closedAt.AddDate(0, 0, 31))
		dry, err := rs.Purge(ctx, frontline.PurgeRequest{DryRun: true})
		if err != nil || !dry.DryRun || dry.ID != 0 {
			t.Fatalf("dry run: %+v, %v", dry, err)
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM screening_visits WHERE purged_at IS NOT NULL`); n != 0 {
			t.Fatalf("a dry run purged %d visits", n)
		}
		run, err = rs.Purge(ctx, frontline.PurgeRequest{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[frontline.RetentionKind]int{}
		for _, k := range run.Kinds {
			got[k.Kind] = k.Records
		}
		if got[frontline.RetainScreening] != 6 || got[frontline.RetainResidents] != 1 || got[frontline.RetainRounds] != 0 ||
			dry.Records() != run.Records() || run.FinishedAt == nil || run.RuleVersion != 0 {
			t.Fatalf("purged %v (dry run %d), run %+v", got, dry.Records(), run)
		}
		if name := personName(t, db, s.zhao.ID); name != "" {
			t.Errorf("赵六斤 is still named %q", name)
		}
		if name := personName(t, db, s.sun.ID); name != s.sun.Name {
			t.Errorf("孙七巧, a member of an open round, is named %q", name)
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM screening_visits WHERE note <> ''`); n != 0 {
			t.Errorf("%d visits keep their note", n)
		}
		// Counted before purged: the statistics hold every record.
		if n := countWhere(t, db, `SELECT COALESCE(SUM(records), 0) FROM purge_stats WHERE kind = 'screening'`); n != 6 {
			t.Errorf("statistics count %d visits, want 6", n)
		}
		after, err := reports.Report(ctx, s.c.ID, s.tr.sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", after.Totals) != fmt.Sprintf("%+v", before.Totals) || len(after.Children) != len(before.Children) {
			t.Errorf("report totals changed by the purge:\n%+v\n%+v", before.Totals, after.Totals)
		}
		if covAfter := s.coverage(t, s.tr.sub); fmt.Sprintf("%+v", *covAfter) != fmt.Sprintf("%+v", *covBefore) {
			t.Errorf("coverage changed by the purge: %+v → %+v", *covBefore, *covAfter)
		}
		s.checkCounts(t)
		assertCountsMatchRecount(t, db)
		// Nothing is purged twice.
		again, err := rs.Purge(ctx, frontline.PurgeRequest{})
		if err != nil || again.Records() != 0 {
			t.Fatalf("second purge: %+v, %v", again, err)
		}
		d = dueOf(t, rs, ctx, 0, frontline.RetainScreening)
		if d.Now != 0 || d.Purged != 6 {
			t.Errorf("screening after the purge: %+v", d)
		}
		// The certificate names no person.
		cert, err := rs.FindPurgeRun(ctx, run.ID)
		if err != nil || strings.Contains(fmt.Sprintf("%+v", cert), s.zhao.Name) {
			t.Fatalf("certificate %+v, %v", cert, err)
		}
	})
}

// TestPurge_RawBytes purges on SQLite and then reads the database file
// and its WAL as bytes: none of the purged person's name, ID number or
// phone is left anywhere in them.
func TestPurge_RawBytes(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	s := newPurgeScene(t, db)
	// Change the phone once, so older versions of the row exist too.
	newPhone := "13912345679"
	if _, err := sqldb.NewPersonService(db).UpdatePerson(ctx, s.zhao.ID, frontline.PersonUpdate{Phone: &newPhone}); err != nil {
		t.Fatal(err)
	}
	// The new phone asks for no more notices: the opt-out holds it too.
	if _, err := sqldb.NewNoticeOptOutService(db).OptOut(ctx, newPhone, "不需要"); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(db.URL, "sqlite:")
	secrets := [][]byte{[]byte(s.zhao.Name), []byte(s.zhao.IDNumber), []byte(s.zhao.Phone), []byte(newPhone)}
	raw := func() []byte {
		var all []byte
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	if b := raw(); !bytes.Contains(b, secrets[0]) || !bytes.Contains(b, secrets[1]) {
		t.Fatal("the test reads the wrong file: the person is not in it before the purge")
	}
	s.at(s.closedAt.AddDate(0, 0, 31))
	if _, err := sqldb.NewRetentionService(db).Purge(ctx, frontline.PurgeRequest{}); err != nil {
		t.Fatal(err)
	}
	b := raw()
	for _, sec := range secrets {
		if i := bytes.Index(b, sec); i >= 0 {
			t.Errorf("%q is still in the file at byte %d: …%q…", sec, i, b[max(0, i-60):min(len(b), i+60)])
		}
	}
	if !bytes.Contains(b, []byte(s.sun.Name)) {
		t.Error("孙七巧, not due, is gone from the file")
	}
}

// TestPurge_Scope: a secretary sees what is due only under their scope,
// and purges only there; a grid worker neither.
func TestPurge_Scope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newPurgeScene(t, db)
		rs := sqldb.NewRetentionService(db)
		sec := as(frontline.RoleCommunitySecretary, s.tr.comm1)
		if _, err := rs.Due(sec, s.tr.comm2.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("due outside the scope: %v", err)
		}
		if _, err := rs.Due(as(frontline.RoleGridWorker, s.tr.comp1), s.tr.comp1.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a grid worker read what is due: %v", err)
		}
		if _, err := rs.Purge(sec, frontline.PurgeRequest{UnderID: s.tr.comm2.ID}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("a secretary purged outside the scope: %v", err)
		}
		if _, err := rs.Purge(sec, frontline.PurgeRequest{}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a secretary purged everywhere: %v", err)
		}
		if _, err := rs.Purge(as(frontline.RoleGridWorker, s.tr.comp1), frontline.PurgeRequest{UnderID: s.tr.comp1.ID}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a grid worker purged: %v", err)
		}
	})
}

// TestPurge_Kill9 kills a purge with SIGKILL in the middle (a child
// process running it one record per transaction) and finds every record
// either untouched or purged and counted, never purged without its count;
// a second purge then finishes the work.
func TestPurge_Kill9(t *testing.T) {
	if os.Getenv("FRONTLINE_PURGE_CHILD") != "" {
		return // the child runs in TestPurge_Kill9Child
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r, _ := demoRound(t, db, 1000)
		if _, err := sqldb.NewRoundService(db).CloseRound(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		later := time.Now().AddDate(0, 0, 31).UTC()
		cmd := exec.Command(os.Args[0], "-test.run=^TestPurge_Kill9Child$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FRONTLINE_PURGE_CHILD="+db.URL, "FRONTLINE_PURGE_NOW="+later.Format(time.RFC3339))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		purged := func() int {
			return countWhere(t, db, `SELECT COUNT(*) FROM round_members WHERE purged_at IS NOT NULL`)
		}
		for deadline := time.Now().Add(60 * time.Second); purged() < 20 && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		// Both counts in one statement: one snapshot. (PostgreSQL may
		// still commit a transaction whose COMMIT the child had sent.)
		both := func() (int, int) {
			tx, err := db.BeginReadTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var n, counted int
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM round_members WHERE purged_at IS NOT NULL),
				(SELECT COALESCE(SUM(records), 0) FROM purge_stats WHERE kind = 'rounds')`).Scan(&n, &counted); err != nil {
				t.Fatal(err)
			}
			return n, counted
		}
		n, counted := both()
		if n == 0 || n == 1000 {
			t.Fatalf("the kill should come in the middle of the purge: %d of 1000 purged\n%s", n, out.String())
		}
		if n != counted {
			t.Fatalf("after the kill %d members are purged and %d counted", n, counted)
		}
		t.Logf("killed after %d of 1000 members", n)
		db.Now = func() time.Time { return later }
		run, err := sqldb.NewRetentionService(db).Purge(ctx, frontline.PurgeRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if n, counted := both(); n != 1000 || counted != 1000 {
			t.Errorf("after the second purge (%+v) %d members are purged and %d counted", run.Kinds, n, counted)
		}
		if bad, err := db.CheckAllCounts(ctx); err != nil || len(bad) > 0 {
			t.Errorf("counters after the purges: %v %v", bad, err)
		}
	})
}

// TestPurge_Kill9Child is the process TestPurge_Kill9 kills.
func TestPurge_Kill9Child(t *testing.T) {
	url := os.Getenv("FRONTLINE_PURGE_CHILD")
	if url == "" {
		t.Skip("run by TestPurge_Kill9")
	}
	now, err := time.Parse(time.RFC3339, os.Getenv("FRONTLINE_PURGE_NOW"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(context.Background(), url, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	rs := sqldb.NewRetentionService(db)
	rs.BatchSize, rs.Reclaim = 1, false
	if _, err := rs.Purge(context.Background(), frontline.PurgeRequest{}); err != nil {
		t.Fatal(err)
	}
}

// TestStandDown refuses while a campaign over a wider area is open, then,
// once it is closed, stands a community down: its open round closes, its
// sealed compound is lifted, every person under it loses their personal
// values, the places and the statistics stay, and the other community is
// untouched.
func TestStandDown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "cli:office"})
		s := &purgeScene{screening: newScreening(t, db)}
		rs := sqldb.NewRetentionService(db)
		_, err := rs.StandDown(ctx, s.tr.comm2.ID)
		if frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(frontline.ErrorMessage(err), "返乡人员摸排") {
			t.Fatalf("stand-down with the subdistrict's campaign open: %v", err)
		}
		s = finishScene(t, db, s.screening)
		if _, err := sqldb.NewZoneService(db).SetZone(ctx, &frontline.Zone{PlaceID: s.tr.comp2.ID, Level: frontline.LevelSealed, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		w := &frontline.Worker{PlaceID: s.tr.comm2.ID, Name: "周九章", Phone: "13512340009", Kind: frontline.WorkerVolunteer}
		if err := sqldb.NewWorkerService(db).CreateWorker(ctx, w); err != nil {
			t.Fatal(err)
		}
		persons := countWhere(t, db, `SELECT COUNT(*) FROM persons p JOIN places h ON h.id = p.household_id WHERE h.path LIKE ?`, s.tr.comm2.Path+"%")
		places := countWhere(t, db, `SELECT COUNT(*) FROM places`)
		res, err := rs.StandDown(ctx, s.tr.comm2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Closed["rounds"] != 1 || res.Closed["zones"] != 1 || res.Run.Reason != frontline.PurgeStandDown || res.Run.UnderID != s.tr.comm2.ID {
			t.Fatalf("stand-down closed %v, run %+v", res.Closed, res.Run)
		}
		got := map[frontline.RetentionKind]int{}
		for _, k := range res.Run.Kinds {
			got[k.Kind] = k.Records
		}
		if got[frontline.RetainResidents] != persons || persons == 0 {
			t.Errorf("stand-down purged %v; %d persons live under 自治巷社区", got, persons)
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM persons p JOIN places h ON h.id = p.household_id
			WHERE h.path LIKE ? AND (p.name <> '' OR p.phone <> '')`, s.tr.comm2.Path+"%"); n != 0 {
			t.Errorf("%d persons under 自治巷社区 keep a name or phone", n)
		}
		if name := personName(t, db, s.zhao.ID); name != s.zhao.Name {
			t.Errorf("赵六斤 in the other community is named %q", name)
		}
		// The audit log keeps no value of the purged: not the worker's
		// name, not the residents'.
		for _, name := range []string{w.Name, s.sun.Name} {
			if n := countWhere(t, db, `SELECT COUNT(*) FROM audit_log WHERE before LIKE ? OR after LIKE ?`, "%"+name+"%", "%"+name+"%"); n != 0 {
				t.Errorf("%d audit entries still name %s", n, name)
			}
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM audit_log WHERE after LIKE ?`, "%"+s.zhao.Name+"%"); n == 0 {
			t.Error("the audit entries of 赵六斤, not purged, were emptied")
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM places`); n != places {
			t.Errorf("the place tree changed: %d places, was %d", n, places)
		}
		stats, err := rs.PurgeStats(ctx, s.tr.comm2.ID)
		if err != nil || len(stats) == 0 {
			t.Fatalf("statistics under 自治巷社区: %v, %v", stats, err)
		}
		if bad, err := db.CheckAllCounts(ctx); err != nil || len(bad) > 0 {
			t.Errorf("counters after the stand-down: %v %v", bad, err)
		}
		// A second stand-down finds nothing left.
		again, err := rs.StandDown(ctx, s.tr.comm2.ID)
		if err != nil || again.Run.Records() != 0 {
			t.Errorf("second stand-down: %+v, %v", again, err)
		}
	})
}

// TestPurge_Orders: an order under way keeps a stand-down from running;
// once cancelled, the stand-down empties its note (and the audit log's
// entries about it) and counts it.
func TestPurge_Orders(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newOrders(t, db)
		note := "放在门口，别敲门"
		o, err := f.orders.PlaceOrder(f.ctx, frontline.OrderRequest{HouseholdID: f.tr.hh[3].ID, PartnerID: f.shop.ID,
			Quantities: map[int64]int{f.greens.ID: 2}, Note: note})
		if err != nil {
			t.Fatal(err)
		}
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "cli:office"})
		rs := sqldb.NewRetentionService(db)
		if _, err := rs.StandDown(ctx, f.tr.comm2.ID); frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "1 order(s) under way") {
			t.Fatalf("stand-down with an order under way: %v", err)
		}
		if _, err := f.orders.CancelOrder(f.ctx, o.ID, "不要了"); err != nil {
			t.Fatal(err)
		}
		res, err := rs.StandDown(ctx, f.tr.comm2.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range res.Run.Kinds {
			if k.Kind == frontline.RetainOrders && k.Records != 1 {
				t.Errorf("orders purged: %+v", k)
			}
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM supply_orders WHERE note <> '' OR purged_at IS NULL`); n != 0 {
			t.Errorf("%d orders keep a note or are not marked", n)
		}
		if n := countWhere(t, db, `SELECT COUNT(*) FROM audit_log WHERE after LIKE ?`, "%"+note+"%"); n != 0 {
			t.Errorf("%d audit entries keep the order's note", n)
		}
	})
}
