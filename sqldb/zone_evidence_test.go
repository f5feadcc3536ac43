package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// storedPaths returns the stored path of every row of table (zones or
// zone_evidence) by id.
func storedPaths(tb testing.TB, db *sqldb.DB, table string) map[int64]string {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM `+table)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			tb.Fatal(err)
		}
		out[id] = path
	}
	return out
}

// TestMigrate_ZonePaths replays migrations 0007 and 0008 on a database
// whose zones and evidence predate them: the columns are dropped and the
// migrations forgotten, then Migrate adds the columns back and fills them
// from the places.
func TestMigrate_ZonePaths(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		want := map[string]map[int64]string{"zones": {}, "zone_evidence": {}}
		for _, p := range []*frontline.Place{tr.hh[0], tr.bld2, tr.comp1} {
			e := &frontline.ZoneEvidence{PlaceID: p.ID, Kind: frontline.EvidencePositive}
			if err := s.RecordEvidence(ctx, e); err != nil {
				t.Fatal(err)
			}
			want["zone_evidence"][e.ID] = p.Path
			want["zones"][mustZone(t, s, ctx, p, frontline.LevelSealed).Zone.ID] = p.Path
		}
		for table, w := range want {
			if got := storedPaths(t, db, table); !equalPaths(got, w) {
				t.Fatalf("recorded %s paths %v, want %v", table, got, w)
			}
		}
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DROP INDEX zone_evidence_path`, `ALTER TABLE zone_evidence DROP COLUMN path`,
			`DROP INDEX zones_active_path`, `ALTER TABLE zones DROP COLUMN path`,
			`DELETE FROM schema_migrations WHERE name IN ('0007_zone_evidence_path.sql', '0008_zone_path.sql')`} {
			if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for table, w := range want {
			if got := storedPaths(t, db, table); !equalPaths(got, w) {
				t.Fatalf("backfilled %s paths %v, want %v", table, got, w)
			}
		}
	})
}

func equalPaths(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestZoneService_EvidenceMoves moves a sealed building with a positive
// from one compound to another: the positive then counts against the zone
// of its new compound and no longer against the old one, and the
// building's own zone is found under its new compound.
func TestZoneService_EvidenceMoves(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		ctx := context.Background()
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		mustZone(t, s, ctx, tr.comp1, frontline.LevelControlled)
		mustZone(t, s, ctx, tr.comp2, frontline.LevelControlled)
		sealed := mustZone(t, s, ctx, tr.bld2, frontline.LevelSealed).Zone
		advance(time.Hour)
		if err := s.RecordEvidence(ctx, &frontline.ZoneEvidence{PlaceID: tr.hh[2].ID, Kind: frontline.EvidencePositive}); err != nil {
			t.Fatal(err)
		}
		positives := func() map[int64]int {
			out := map[int64]int{}
			for _, c := range stepDownChecks(t, s, ctx, tr.sub) {
				if c.LastPositive != nil {
					out[c.Zone.PlaceID]++
				}
			}
			return out
		}
		if got := positives(); got[tr.comp2.ID] != 1 || got[tr.comp1.ID] != 0 {
			t.Fatalf("before the move, zones with a positive: %v", got)
		}
		if _, err := sqldb.NewPlaceService(db).MovePlace(ctx, tr.bld2.ID, tr.comp1.ID); err != nil {
			t.Fatal(err)
		}
		if got := positives(); got[tr.comp1.ID] != 1 || got[tr.comp2.ID] != 0 {
			t.Fatalf("after the move, zones with a positive: %v", got)
		}
		for _, c := range stepDownChecks(t, s, ctx, tr.comp2) {
			if c.Zone.ID == sealed.ID {
				t.Fatalf("the moved building's zone is still under %s", tr.comp2.Name)
			}
		}
		if checks := stepDownChecks(t, s, ctx, tr.comp1); len(checks) != 2 {
			t.Fatalf("%d zones under %s after the move, want its own and the building's", len(checks), tr.comp1.Name)
		}
	})
}
