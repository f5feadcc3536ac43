package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func mustCheckpoint(tb testing.TB, s *sqldb.CheckpointService, ctx context.Context, place *frontline.Place, name string) *frontline.Checkpoint {
	tb.Helper()
	c := &frontline.Checkpoint{PlaceID: place.ID, Name: name, Type: frontline.CheckpointGate, Location: place.Name + "北门"}
	if err := s.CreateCheckpoint(ctx, c); err != nil {
		tb.Fatalf("create checkpoint %s: %v", name, err)
	}
	return c
}

// issueAll issues what every material of the checklist needs.
func issueAll(tb testing.TB, s *sqldb.CheckpointService, ctx context.Context, c *frontline.Checkpoint) {
	tb.Helper()
	for _, it := range c.Checklist {
		if it.Kind != frontline.ItemMaterial {
			continue
		}
		if _, err := s.RecordMaterial(ctx, &frontline.LedgerEntry{ItemID: it.ID, Kind: frontline.LedgerIssued, Quantity: it.Need, Source: "区林草局"}); err != nil {
			tb.Fatalf("issue %s: %v", it.Key, err)
		}
	}
}

// forestryShift puts a 12-hour shift from start on a checkpoint's post
// with three workers registered at the checkpoint's node, tested
// negative an hour before: two cadres of 区林草局, 王林 leading, and a
// volunteer.
func forestryShift(tb testing.TB, db *sqldb.DB, ctx context.Context, c *frontline.Checkpoint, start time.Time) *frontline.Shift {
	tb.Helper()
	got, err := sqldb.NewCheckpointService(db).FindCheckpointByID(ctx, c.ID)
	if err != nil {
		tb.Fatal(err)
	}
	roster := sqldb.NewRosterService(db)
	sh := &frontline.Shift{PostID: got.PostID, Start: start, End: start.Add(12 * time.Hour), Headcount: 3}
	if err := roster.AddShifts(ctx, []*frontline.Shift{sh}); err != nil {
		tb.Fatal(err)
	}
	for i, w := range []*frontline.Worker{
		{Name: "王林", Kind: frontline.WorkerDepartment, Unit: "区林草局"},
		{Name: "李森", Kind: frontline.WorkerDepartment, Unit: "区林草局"},
		{Name: "赵志", Kind: frontline.WorkerVolunteer},
	} {
		w.PlaceID, w.LastNegative, w.Phone = c.PlaceID, start.Add(-time.Hour), fmt.Sprintf("1390000%04d", c.ID*10+int64(i))
		if err := sqldb.NewWorkerService(db).CreateWorker(ctx, w); err != nil {
			tb.Fatal(err)
		}
		if _, err := roster.Assign(ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: w.ID, Leader: i == 0}); err != nil {
			tb.Fatal(err)
		}
	}
	return sh
}

// openCheckpoint sets a checkpoint up completely and opens it.
func openCheckpoint(tb testing.TB, db *sqldb.DB, ctx context.Context, place *frontline.Place, name string, now time.Time) *frontline.Checkpoint {
	tb.Helper()
	s := sqldb.NewCheckpointService(db)
	c := mustCheckpoint(tb, s, ctx, place, name)
	issueAll(tb, s, ctx, c)
	forestryShift(tb, db, ctx, c, now.Add(-time.Hour))
	c, err := s.SetCheckpointStatus(ctx, c.ID, frontline.CheckpointOpen)
	if err != nil {
		tb.Fatalf("open %s: %v", name, err)
	}
	return c
}

// TestCheckpointService_Setup follows one checkpoint from creation
// through its checklist, ledger and staffing to opening.
func TestCheckpointService_Setup(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock(db)
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "xiahong"})
		s := sqldb.NewCheckpointService(db)
		tr := buildTree(t, db)
		c := mustCheckpoint(t, s, ctx, tr.comm1, "2号卡点")
		mustCheckpoint(t, s, ctx, tr.comm1, "10号卡点")
		if len(c.Checklist) != 10 || c.Checklist[0].Key != "tent" || c.Checklist[3].Name != "煤炭" || c.Status != frontline.CheckpointSettingUp {
			t.Fatalf("new checkpoint %+v", c)
		}
		wantCode(t, "duplicate name", s.CreateCheckpoint(ctx, &frontline.Checkpoint{PlaceID: tr.comm1.ID, Name: "2号卡点", Type: frontline.CheckpointRoad}), frontline.ECONFLICT)
		wantCode(t, "checkpoint on a household", s.CreateCheckpoint(ctx, &frontline.Checkpoint{PlaceID: tr.hh[0].ID, Name: "x", Type: frontline.CheckpointRoad}), frontline.EINVALID)
		_, err := s.SetCheckpointStatus(ctx, c.ID, frontline.CheckpointOpen)
		if frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(frontline.ErrorMessage(err), "帐篷 0/1 顶") ||
			!strings.Contains(frontline.ErrorMessage(err), "no shift with a leader") {
			t.Fatalf("open an empty checkpoint: %v", err)
		}

		issueAll(t, s, ctx, c)
		coal := c.Checklist[3]
		b, err := s.RecordMaterial(ctx, &frontline.LedgerEntry{ItemID: coal.ID, Kind: frontline.LedgerUsed, Quantity: 30, Note: "一夜"})
		if err != nil || b.OnHand != 20 || b.Short != 30 {
			t.Fatalf("coal after a night: %+v, %v", b, err)
		}
		_, err = s.RecordMaterial(ctx, &frontline.LedgerEntry{ItemID: coal.ID, Kind: frontline.LedgerUsed, Quantity: 21})
		wantCode(t, "use more coal than on hand", err, frontline.EINVALID)
		short, err := s.Shortages(ctx, tr.comm1.ID)
		if err != nil || len(short) != 2 || short[0].Checkpoint.Name != "2号卡点" || len(short[0].Items) != 1 || short[0].Items[0].Short != 30 ||
			short[1].Checkpoint.Name != "10号卡点" || len(short[1].Items) != 10 {
			t.Fatalf("shortages %+v, %v", short, err)
		}
		if b, _ := s.RecordMaterial(ctx, &frontline.LedgerEntry{ItemID: coal.ID, Kind: frontline.LedgerRestocked, Quantity: 40, Source: "煤场"}); b.OnHand != 60 || b.Short != 0 {
			t.Fatalf("after restocking %+v", b)
		}

		task := &frontline.ChecklistItem{CheckpointID: c.ID, Key: "notice", Name: "张贴通告", Kind: frontline.ItemTask}
		if err := s.AddChecklistItem(ctx, task); err != nil || task.Position != 11 {
			t.Fatalf("add task: %+v, %v", task, err)
		}
		if _, err := s.SetTaskDone(ctx, coal.ID, true); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Fatalf("tick a material: %v", err)
		}
		forestryShift(t, db, ctx, c, db.Now().Add(-time.Hour))
		_, err = s.SetCheckpointStatus(ctx, c.ID, frontline.CheckpointOpen)
		if frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(frontline.ErrorMessage(err), "张贴通告") {
			t.Fatalf("open with the task undone: %v", err)
		}
		if it, err := s.SetTaskDone(ctx, task.ID, true); err != nil || !it.Done || it.DoneBy != "xiahong" {
			t.Fatalf("tick task: %+v, %v", it, err)
		}
		if c, err = s.SetCheckpointStatus(ctx, c.ID, frontline.CheckpointOpen); err != nil || c.Status != frontline.CheckpointOpen {
			t.Fatalf("open: %v", err)
		}

		got, err := s.FindCheckpointByID(ctx, c.ID)
		if err != nil || len(got.Shifts) != 1 || got.Shifts[0].Leader().Name != "王林" || got.Shifts[0].Assignments[1].Unit != "区林草局" ||
			got.Checklist[3].OnHand != 60 || !got.Checklist[10].Done {
			t.Fatalf("found %+v, %v", got, err)
		}
		l, err := s.Ledger(ctx, c.ID)
		if err != nil || len(l.Entries) != 12 || l.Entries[0].ItemKey != "tent" || l.Entries[0].Source != "区林草局" {
			t.Fatalf("ledger %d entries, %v", len(l.Entries), err)
		}
		if b := l.Balances[3]; b.Issued != 50 || b.Used != 30 || b.Restocked != 40 || b.OnHand != 60 {
			t.Fatalf("coal balance %+v", b)
		}
		all, total, err := s.FindCheckpoints(ctx, frontline.CheckpointFilter{Under: &tr.sub.ID})
		if err != nil || total != 2 || all[0].Name != "2号卡点" || all[1].Name != "10号卡点" {
			t.Fatalf("checkpoints %d, %v", total, err)
		}
		shifts, err := sqldb.NewRosterService(db).FindShifts(ctx, frontline.ShiftFilter{PostID: &got.PostID, From: db.Now().Add(-24 * time.Hour), To: db.Now()})
		if err != nil || len(shifts) != 1 || len(shifts[0].Assignments) != 3 {
			t.Fatalf("shifts %+v, %v", shifts, err)
		}
		for entity, want := range map[string]int{"checkpoint": 3, "checkpoint_item": 22, "material": 12, "assignment": 3, "post": 3} {
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = ? AND actor = 'xiahong'`, entity); n != want {
				t.Errorf("%d audit entries for %s, want %d", n, entity, want)
			}
		}
	})
}
