package sqldb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// batchFile is a resident list of n good rows in new buildings of 枣园小区.
func batchFile(n int) *frontline.ResidentFile {
	var rows []frontline.ResidentRow
	for i := range n {
		rows = append(rows, row(i+2, "枣园小区", fmt.Sprintf("%d号楼", 20+i/6), "", fmt.Sprint(101+i%6/2), fmt.Sprintf("批%d", i), testID()))
	}
	return residentFile(rows...)
}

// TestImportService_FailsMidWrite fails an import after its first batch
// of persons is committed: what it wrote is removed, and the registry is
// as before it, counts included.
func TestImportService_FailsMidWrite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		before := snapshot(t, db, tr.sub.ID)
		s := sqldb.NewImportService(db)
		boom := errors.New("the disk is full")
		// Batch 1 creates the places, 2 and 3 write persons.
		sqldb.SetImportBatches(s, 4, func(batch int) error {
			if batch == 3 {
				if got := snapshot(t, db, tr.sub.ID); got == before {
					t.Errorf("nothing written before the failure: %s", got)
				}
				return boom
			}
			return nil
		})
		if _, err := s.ImportResidents(ctx, batchFile(12), frontline.ImportOptions{Under: tr.sub.ID}); !errors.Is(err, boom) {
			t.Fatalf("import: %v, want the failure", err)
		}
		if got := snapshot(t, db, tr.sub.ID); got != before {
			t.Fatalf("after a failed import: %s, want %s", got, before)
		}
		status, failure, _, _, err := sqldb.ImportRunForTest(ctx, db)
		if err != nil || status != "failed" || failure == "" {
			t.Fatalf("run %q %q %v", status, failure, err)
		}
		assertCountsMatchRecount(t, db)
	})
}

// TestImportService_OtherWriterBetweenBatches has another user write while
// an import runs: the write completes before the import goes on, so the
// import holds no lock between its batches; the import then ends whole.
func TestImportService_OtherWriterBetweenBatches(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		s := sqldb.NewImportService(db)
		sqldb.SetImportBatches(s, 4, func(batch int) error {
			if batch != 2 {
				return nil
			}
			done := make(chan error, 1)
			go func() {
				// A registry edit elsewhere, a write like a visit or a
				// binding: it takes the writer.
				done <- sqldb.NewPlaceService(db).CreatePlace(ctx, &frontline.Place{ParentID: tr.comm1.ID, Kind: frontline.KindCompound, Name: "并发小区"})
			}()
			if err := <-done; err != nil {
				return fmt.Errorf("the other writer: %w", err)
			}
			status, _, checked, written, err := sqldb.ImportRunForTest(ctx, db)
			if err != nil || status != "running" || checked != 12 || written != 4 {
				return fmt.Errorf("while the other wrote, the import was %q checked %d written %d (%v)", status, checked, written, err)
			}
			return nil
		})
		res, err := s.ImportResidents(ctx, batchFile(12), frontline.ImportOptions{Under: tr.sub.ID})
		if err != nil || res.Added != 12 {
			t.Fatalf("import: %v %+v", err, res)
		}
		status, _, checked, written, err := sqldb.ImportRunForTest(ctx, db)
		if err != nil || status != "done" || checked != 12 || written != 12 {
			t.Fatalf("run %q checked %d written %d %v", status, checked, written, err)
		}
		if _, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区/并发小区"); err != nil {
			t.Fatal(err)
		}
		assertCountsMatchRecount(t, db)
	})
}

// TestImportService_Interrupted stops an import as its server would stop:
// past the heartbeat's grace, a sweep (as serve runs at start and every
// minute) removes what it wrote and fails it and its upload; the import,
// should it wake, stops at its next batch.
func TestImportService_Interrupted(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		tr := buildTree(t, db)
		before := snapshot(t, db, tr.sub.ID)
		uploads := sqldb.NewUploadService(db)
		u := &frontline.ResidentUpload{Name: "名单.csv", Under: tr.sub.ID, Preview: &frontline.ImportPreview{}}
		if err := uploads.CreateUpload(ctx, u, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := uploads.StartUpload(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		s := sqldb.NewImportService(db)
		sqldb.SetImportBatches(s, 4, func(batch int) error {
			if batch != 2 {
				return nil
			}
			if n, err := s.SweepInterrupted(ctx); err != nil || n != 0 {
				t.Errorf("a sweep took a live import: %d %v", n, err)
			}
			now = now.Add(3 * time.Minute) // the server stopped
			if n, err := s.SweepInterrupted(ctx); err != nil || n != 1 {
				t.Errorf("sweep: %d %v, want 1", n, err)
			}
			return nil
		})
		_, err := s.ImportResidents(ctx, batchFile(12), frontline.ImportOptions{Under: tr.sub.ID, Upload: u.ID})
		if frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("import after the sweep: %v, want a conflict", err)
		}
		if got := snapshot(t, db, tr.sub.ID); got != before {
			t.Fatalf("after an interrupted import: %s, want %s", got, before)
		}
		status, failure, _, _, err := sqldb.ImportRunForTest(ctx, db)
		if err != nil || status != "failed" || failure != frontline.UploadInterrupted {
			t.Fatalf("run %q %q %v", status, failure, err)
		}
		got, err := uploads.FindUpload(ctx, u.ID)
		if err != nil || got.Status != frontline.UploadFailed || got.Error != frontline.UploadInterrupted {
			t.Fatalf("upload %+v %v", got, err)
		}
		assertCountsMatchRecount(t, db)
	})
}

// TestImportService_BoundedErrors imports a streamed list with more bad
// rows than are kept in full: the first MaxRowErrors are listed, the rest
// counted, every bad row skipped and written to the file of skipped rows.
func TestImportService_BoundedErrors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		var b strings.Builder
		b.WriteString("小区,楼栋,单元,房号,姓名,身份证号\n")
		bad := frontline.MaxRowErrors + 150
		for i := range bad {
			fmt.Fprintf(&b, "枣园小区,9号楼,1单元,%d,坏%d,12345\n", 100+i%50, i)
		}
		for i := range 20 {
			fmt.Fprintf(&b, "枣园小区,9号楼,1单元,%d,好%d,%s\n", 100+i, i, testID())
		}
		data := []byte(b.String())
		f, err := residentfile.Open("名单.csv", data, residentfile.ReadOptions{Under: frontline.KindCommunity})
		if err != nil {
			t.Fatal(err)
		}
		res, err := sqldb.NewImportService(db).ImportResidents(ctx, f, frontline.ImportOptions{Under: tr.comm1.ID, SkipBad: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != frontline.MaxRowErrors || res.MoreErrors != 150 || res.Skipped != bad || res.Added != 20 || res.Rows != bad+20 {
			t.Fatalf("errors %d more %d skipped %d added %d rows %d", len(res.Errors), res.MoreErrors, res.Skipped, res.Added, res.Rows)
		}
		var out bytes.Buffer
		if err := residentfile.WriteSkipped(&out, data, "", f, res.Errors, res.SkippedRows); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\r\n")
		if len(lines) != bad+1 || !strings.HasSuffix(lines[len(lines)-1], residentfile.UnlistedProblem) || strings.Contains(lines[1], residentfile.UnlistedProblem) {
			t.Fatalf("skipped file: %d lines, first %q, last %q", len(lines), lines[1], lines[len(lines)-1])
		}
	})
}

// TestImportService_StreamedAllOrNothing imports a streamed list: a
// failure after some batches are committed leaves the registry as before;
// a person listed twice far apart fails the whole file with both rows and
// the column named, writing nothing; the good list then imports whole.
func TestImportService_StreamedAllOrNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		before := snapshot(t, db, tr.sub.ID)
		const n = 3000
		ids := make([]string, n)
		for i := range ids {
			// testID has a thousand numbers; these are born a day apart.
			first := "620502" + time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("20060102") + "123"
			ids[i] = first + string(frontline.IDCheckDigit(first))
		}
		list := func(edit func(ids []string)) *frontline.ResidentFile {
			ids := slices.Clone(ids)
			if edit != nil {
				edit(ids)
			}
			var b strings.Builder
			b.WriteString("小区,楼栋,单元,房号,姓名,身份证号\n")
			for i, id := range ids {
				fmt.Fprintf(&b, "枣园小区,%d号楼,1单元,%d,流%d,%s\n", 30+i/60, 101+i%60/3, i, id)
			}
			f, err := residentfile.Open("名单.csv", []byte(b.String()), residentfile.ReadOptions{Under: frontline.KindCommunity})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		s := sqldb.NewImportService(db)
		boom := errors.New("the disk is full")
		sqldb.SetImportBatches(s, 250, func(batch int) error {
			if batch == 6 {
				return boom
			}
			return nil
		})
		if _, err := s.ImportResidents(ctx, list(nil), frontline.ImportOptions{Under: tr.comm1.ID}); !errors.Is(err, boom) {
			t.Fatalf("import: %v, want the failure", err)
		}
		if got := snapshot(t, db, tr.sub.ID); got != before {
			t.Fatalf("after a failed import: %s, want %s", got, before)
		}

		sqldb.SetImportBatches(s, 250, nil)
		res, err := s.ImportResidents(ctx, list(func(ids []string) { ids[2900] = ids[100] }), frontline.ImportOptions{Under: tr.comm1.ID})
		if frontline.ErrorCode(err) != frontline.EINVALID || len(res.Errors) != 2 {
			t.Fatalf("a number listed twice: %v %+v", err, res)
		}
		for i, row := range []int{102, 2902} {
			if e := res.Errors[i]; e.Row != row || e.Column != "F (身份证号)" || !strings.Contains(e.Message, "appears twice") {
				t.Errorf("problem %d: %+v, want row %d, column F", i, e, row)
			}
		}
		if got := snapshot(t, db, tr.sub.ID); got != before {
			t.Fatalf("after a refused file: %s, want %s", got, before)
		}

		if res, err = s.ImportResidents(ctx, list(nil), frontline.ImportOptions{Under: tr.comm1.ID}); err != nil || res.Added != n {
			t.Fatalf("the good list: %v %+v", err, res)
		}
		assertCountsMatchRecount(t, db)
		// The page caches an import widens (the writer's) and narrows (its
		// check's reader) have their own sizes again.
		if writer, readers, err := sqldb.PageCachesForTest(ctx, db); err != nil {
			t.Fatal(err)
		} else if db.Engine == sqldb.SQLite && (writer != -32<<10 || len(readers) == 0 || slices.ContainsFunc(readers, func(r int) bool { return r != -256<<10 })) {
			t.Fatalf("after the imports the writer's cache_size is %d, the readers' %v", writer, readers)
		}
	})
}
