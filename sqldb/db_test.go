package sqldb

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
)

func TestMigrationNames(t *testing.T) {
	lite, err := MigrationNames(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := MigrationNames(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("migration files differ between engines:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
	for _, n := range lite {
		if len(n) < 6 || n[4] != '_' || !strings.HasSuffix(n, ".sql") {
			t.Errorf("migration %q is not named NNNN_name.sql", n)
		}
	}
}

func TestRebind(t *testing.T) {
	db := &DB{Engine: Postgres}
	for in, want := range map[string]string{
		`SELECT 1`:                                   `SELECT 1`,
		`SELECT a FROM t WHERE b = ? AND c = ?`:      `SELECT a FROM t WHERE b = $1 AND c = $2`,
		`SELECT '?' , "x?" FROM t WHERE b = ?`:       `SELECT '?' , "x?" FROM t WHERE b = $1`,
		`INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`: `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`,
	} {
		if got := db.rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
	lite := &DB{Engine: SQLite}
	if got := lite.rebind(`a = ?`); got != `a = ?` {
		t.Errorf("sqlite rebind changed the query: %q", got)
	}
}

func TestSubtreeRange(t *testing.T) {
	lo, hi := subtreeRange("/1/7/")
	for path, in := range map[string]bool{
		"/1/7/": true, "/1/7/42/": true, "/1/7/9999/1/": true,
		"/1/70/": false, "/1/8/": false, "/1/": false, "/1/6/9/": false,
	} {
		if got := path >= lo && path < hi; got != in {
			t.Errorf("%s in [%s, %s) = %v, want %v", path, lo, hi, got, in)
		}
	}
}

func TestOpen_Errors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "sqlite:", Options{}); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("empty sqlite path: err = %v, want EINVALID", err)
	}
	if _, err := Open(ctx, "sqlite:"+t.TempDir()+"/x.db", Options{Synchronous: "SOMETIMES"}); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("bad synchronous: err = %v, want EINVALID", err)
	}
}

func TestNaturalCompare(t *testing.T) {
	names := []string{"10号楼", "2号楼", "1号楼", "A座", "2单元", "12"}
	slices.SortFunc(names, NaturalCompare)
	if got := strings.Join(names, " "); got != "1号楼 2单元 2号楼 10号楼 12 A座" {
		t.Fatalf("sorted %q", got)
	}
}
