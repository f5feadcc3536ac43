package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestShiftMigration writes checkpoint shifts as 0003 stored them (free
// names typed into each shift) and migrates: every checkpoint gets its
// post, a closed one retired; the names become workers, the same phone on
// two shifts one worker and the same name of one unit without a phone one
// worker, the one with an account linked to it; each shift becomes a shift
// of the post with its people, the leader kept, and the roster finds them.
func TestShiftMigration(t *testing.T) {
	for _, e := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			db := sqldbtest.OpenEmpty(t, e)
			if err := db.MigrateTo(ctx, "0045_workforce.sql"); err != nil {
				t.Fatal(err)
			}
			clock(db)
			tr := buildTree(t, db)
			u := &frontline.User{Login: "wanglin", Name: "王林", Phone: "13900000001", Role: frontline.RoleVolunteer, ScopeID: tr.comm1.ID}
			if err := userService(db).CreateUser(ctx, u, goodPassword); err != nil {
				t.Fatal(err)
			}
			tx, err := db.BeginTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			now := db.Now()
			checkpoint := func(place *frontline.Place, name, status string) int64 {
				var id int64
				if err := tx.QueryRowContext(ctx, `INSERT INTO checkpoints (place_id, name, location, type, hours, status, created_at,
					created_by, updated_at) VALUES (?, ?, '', 'footpath', '', ?, ?, 'xiahong', ?) RETURNING id`,
					place.ID, name, status, now, now).Scan(&id); err != nil {
					t.Fatal(err)
				}
				return id
			}
			type member struct {
				name, phone, origin, dept string
				leader                    bool
			}
			shift := func(checkpoint int64, start time.Time, staff ...member) {
				var id int64
				if err := tx.QueryRowContext(ctx, `INSERT INTO shifts (checkpoint_id, starts_at, ends_at, created_at, created_by)
					VALUES (?, ?, ?, ?, 'xiahong') RETURNING id`, checkpoint, start, start.Add(12*time.Hour), now).Scan(&id); err != nil {
					t.Fatal(err)
				}
				for i, m := range staff {
					if _, err := tx.ExecContext(ctx, `INSERT INTO shift_staff (shift_id, position, name, phone, origin, department, leader)
						VALUES (?, ?, ?, ?, ?, ?, ?)`, id, i+1, m.name, m.phone, m.origin, m.dept, m.leader); err != nil {
						t.Fatal(err)
					}
				}
			}
			wang := member{"王林", "13900000001", "department", "区林草局", true}
			li := member{"李森", "", "department", "区林草局", false}
			zhao := member{"赵志", "", "volunteer", "", false}
			gate := checkpoint(tr.comp1, "枣园北门", "open")
			closed := checkpoint(tr.comm1, "旧卡点", "closed")
			shift(gate, now.Add(-time.Hour), wang, li, zhao)
			shift(gate, now.Add(23*time.Hour), wang, li)
			shift(closed, now.Add(-48*time.Hour), member{"王林", "13900000001", "department", "区林草局", false})
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}

			if n := count(t, db, `SELECT COUNT(*) FROM posts WHERE kind = 'checkpoint'`); n != 2 {
				t.Fatalf("%d checkpoint posts", n)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM posts WHERE checkpoint_id = ? AND retired`, closed); n != 1 {
				t.Fatal("the closed checkpoint's post is not retired")
			}
			ws, n, err := sqldb.NewWorkerService(db).FindWorkers(ctx, frontline.WorkerFilter{})
			if err != nil || n != 3 {
				t.Fatalf("%d workers, %v", n, err)
			}
			for _, w := range ws {
				switch w.Name {
				case "王林":
					if w.UserID != u.ID || w.Kind != frontline.WorkerDepartment || w.Unit != "区林草局" || w.PlaceID != tr.comm1.ID {
						t.Errorf("王林: %+v (registered where his first shift was, linked to his account)", w)
					}
				case "李森":
					if w.UserID != 0 || w.PlaceID != tr.comp1.ID {
						t.Errorf("李森: %+v", w)
					}
				case "赵志":
					if w.Kind != frontline.WorkerVolunteer {
						t.Errorf("赵志: %+v", w)
					}
				}
			}
			c, err := sqldb.NewCheckpointService(db).FindCheckpointByID(ctx, gate)
			if err != nil || c.PostID == 0 || len(c.Shifts) != 2 {
				t.Fatalf("the gate after the migration: %+v, %v", c, err)
			}
			first := c.Shifts[0]
			if len(first.Assignments) != 3 || first.Leader() == nil || first.Leader().Name != "王林" || first.Headcount != 3 ||
				!first.Start.Equal(now.Add(-time.Hour)) || len(c.Shifts[1].Assignments) != 2 {
				t.Fatalf("the first shift: %+v, leader %+v", first, first.Leader())
			}
			// The carried-over shifts are the roster's: found by time, and
			// the rules see them (王林 is on the gate now).
			roster := sqldb.NewRosterService(db)
			found, err := roster.FindShifts(ctx, frontline.ShiftFilter{From: now, To: now.Add(time.Minute)})
			if err != nil || len(found) != 1 || found[0].ID != first.ID {
				t.Fatalf("shifts on now: %+v, %v", found, err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM duty_assignments WHERE worker_id = (SELECT id FROM workers WHERE name = '王林')`); n != 3 {
				t.Fatalf("王林 is on %d shifts, want 3", n)
			}
			// Nobody could check in before: none is a no-show.
			clock(db)(2 * time.Hour)
			if n, err := sqldb.NewDutyService(db).MarkNoShows(ctx); err != nil || n != 0 {
				t.Fatalf("no-shows of carried-over shifts: %d, %v", n, err)
			}
			for _, table := range []string{"shifts", "shift_staff"} {
				if exists(t, db, table) {
					t.Errorf("table %s is still there", table)
				}
			}
		})
	}
}

// exists reports whether a table exists.
func exists(t *testing.T, db *sqldb.DB, table string) bool {
	t.Helper()
	tx, err := db.BeginReadTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(context.Background(), `SELECT 1 FROM `+table+` WHERE 1 = 0`)
	return err == nil
}
