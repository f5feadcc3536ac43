package backup_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/backup"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// demoRound builds a small demo city and opens a round over it.
func demoRound(tb testing.TB, db *sqldb.DB, residents int) (*frontline.Round, []*frontline.Person) {
	tb.Helper()
	ctx := context.Background()
	sum, err := demo.Build(ctx, demo.Config{Residents: residents}, sqldb.NewPlaceService(db), sqldb.NewImportService(db))
	if err != nil {
		tb.Fatal(err)
	}
	rs := sqldb.NewRoundService(db)
	start := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	r := &frontline.Round{ScopeID: sum.City.ID, Name: "第一轮", Day: "2026-03-02", StartsAt: start, EndsAt: start.Add(12 * time.Hour)}
	if err := rs.CreateRound(ctx, r); err != nil {
		tb.Fatal(err)
	}
	if r, err = rs.OpenRound(ctx, r.ID); err != nil {
		tb.Fatal(err)
	}
	var persons []*frontline.Person
	err = sqldb.NewPersonService(db).WalkPersons(ctx, frontline.PersonFilter{}, func(p *frontline.Person) error {
		persons = append(persons, p)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r, persons
}

func writePass(tb testing.TB, pass string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "pass")
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestBackup_DuringBindings takes an encrypted backup while stations bind
// persons to tubes, restores it, and finds a database whose counters equal
// a recount (Restore refuses otherwise) and that holds a consistent part
// of the bindings. On PostgreSQL the backup refuses with the advice.
func TestBackup_DuringBindings(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		out := filepath.Join(t.TempDir(), "copy.db.age")
		if db.Engine == sqldb.Postgres {
			err := backup.Take(ctx, db, out, "")
			if frontline.ErrorCode(err) != frontline.EINVALID || !bytes.Contains([]byte(frontline.ErrorMessage(err)), []byte("pg_dump")) {
				t.Fatalf("backup on PostgreSQL = %v, want a refusal naming pg_dump", err)
			}
			return
		}
		r, persons := demoRound(t, db, 400)
		samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
		defer samp.Close()
		var bound atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := g; i < len(persons); i += 4 {
					select {
					case <-stop:
						return
					default:
					}
					a, err := samp.Bind(ctx, &frontline.BindRequest{RequestID: fmt.Sprintf("b-%d", i), RoundID: r.ID,
						TubeCode: fmt.Sprintf("T-%d", i/10), PersonIDs: []int64{persons[i].ID}})
					if err != nil {
						t.Errorf("bind: %v", err)
						return
					}
					if a.Items[0].OK {
						bound.Add(1)
					}
				}
			})
		}
		for bound.Load() < 20 {
			time.Sleep(time.Millisecond)
		}
		if err := backup.Take(ctx, db, out, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		atBackup := bound.Load()
		close(stop)
		wg.Wait()
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(persons[0].Name)) || bytes.Contains(raw, []byte("SQLite format")) {
			t.Fatal("the encrypted copy holds plain text")
		}
		target := filepath.Join(t.TempDir(), "restored.db")
		res, err := backup.Restore(ctx, out, target, "correct horse battery")
		if err != nil {
			t.Fatalf("restore: %v (differences %v)", err, res)
		}
		restored, err := sqldb.Open(ctx, "sqlite:"+target, sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer restored.Close()
		if bad, err := restored.CheckAllCounts(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("restored counters differ from a recount: %v %v", bad, err)
		}
		n := res.Check.Rows["bindings"]
		if n < 20 || n > atBackup+4 {
			t.Errorf("restored %d bindings; %d were answered before the copy began and %d when it ended", n, 20, atBackup)
		}
	})
}

// TestBackup_Restore covers the refusals: an existing target, a wrong
// passphrase, a changed byte, a newer database; and a plain copy.
func TestBackup_Restore(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	if _, err := demo.Build(ctx, demo.Config{Residents: 100}, sqldb.NewPlaceService(db), sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plain, enc := filepath.Join(dir, "a.db"), filepath.Join(dir, "a.db.age")
	if err := backup.Take(ctx, db, plain, ""); err != nil {
		t.Fatal(err)
	}
	if err := backup.Take(ctx, db, plain, ""); frontline.ErrorCode(err) != frontline.ECONFLICT {
		t.Errorf("second backup to the same file = %v, want ECONFLICT", err)
	}
	if err := backup.Take(ctx, db, enc, "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	t.Run("Plain", func(t *testing.T) {
		res, err := backup.Restore(ctx, plain, filepath.Join(t.TempDir(), "r.db"), "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Check.Rows["persons"] != 100 {
			t.Errorf("restored %d persons, want 100", res.Check.Rows["persons"])
		}
	})
	t.Run("ErrTargetExists", func(t *testing.T) {
		if _, err := backup.Restore(ctx, plain, plain, ""); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("restore onto an existing file = %v, want ECONFLICT", err)
		}
	})
	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "r.db")
		if _, err := backup.Restore(ctx, enc, target, "not the passphrase"); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("wrong passphrase = %v, want EINVALID", err)
		}
		if _, err := os.Stat(target); err == nil {
			t.Error("a refused restore left a file at the target")
		}
		if _, err := backup.Restore(ctx, enc, target, ""); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("no passphrase = %v, want EINVALID", err)
		}
	})
	t.Run("ErrDamaged", func(t *testing.T) {
		data, _ := os.ReadFile(enc)
		data[len(data)/2] ^= 0x40
		bad := filepath.Join(t.TempDir(), "bad.db.age")
		os.WriteFile(bad, data, 0o600)
		target := filepath.Join(t.TempDir(), "r.db")
		if _, err := backup.Restore(ctx, bad, target, "a long passphrase"); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("changed byte = %v, want EINVALID", err)
		}
		if _, err := os.Stat(target); err == nil {
			t.Error("a refused restore left a file at the target")
		}
	})
	t.Run("ErrNewerVersion", func(t *testing.T) {
		newer := filepath.Join(t.TempDir(), "newer.db")
		src, _ := os.ReadFile(plain)
		os.WriteFile(newer, src, 0o600)
		ndb, err := sqldb.Open(ctx, "sqlite:"+newer, sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tx, _ := ndb.BeginTx(ctx)
		tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', '2030-01-01T00:00:00Z')`)
		tx.Commit()
		ndb.Close()
		if _, err := backup.Restore(ctx, newer, filepath.Join(t.TempDir(), "r.db"), ""); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("copy from a newer version = %v, want EINVALID", err)
		}
	})
}

// TestBackup_Schedule takes copies on a moved clock, keeps the newest
// Keep, and says when the newest is older than twice the interval.
func TestBackup_Schedule(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("kept"), 0o600)
	s := &backup.Schedule{DB: db, Dir: dir, Every: time.Hour, Keep: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if s.Age() != -1 || s.Stale(now) {
		t.Fatalf("no copy yet: age %v stale %v", s.Age(), s.Stale(now))
	}
	for range 5 {
		if _, err := s.TakeOne(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"frontline-20261207T100000Z.db", "frontline-20261207T110000Z.db", "frontline-20261207T120000Z.db", "notes.txt"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("files after 5 copies, keep 3 = %v, want %v", names, want)
	}
	if s.Age() != time.Hour || s.Stale(now) {
		t.Errorf("age %v stale %v, want 1h and fresh", s.Age(), s.Stale(now))
	}
	now = now.Add(90 * time.Minute)
	if !s.Stale(now) {
		t.Error("a copy 2h30m old with hourly backups is not stale")
	}
	// A restarted server reads the newest copy's time from the directory.
	s2 := &backup.Schedule{DB: db, Dir: dir, Every: time.Hour, Keep: 3, Now: s.Now}
	if err := s2.Start(); err != nil {
		t.Fatal(err)
	}
	if !s2.LastGood().Equal(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("restarted schedule's last good = %v", s2.LastGood())
	}
}
