package main

import (
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRetention_Commands sets a rule version, prints what is due, and
// runs a dry run and a purge from the command line.
func TestRetention_Commands(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, _ := cityDB(t, db.Engine)
		code, stdout, stderr := run(t, "retention", "--db", url, "--set", "rounds=14,cases=90", "--note", "区卫健委通知")
		if code != exitOK || !strings.Contains(stdout, "version 1") || !strings.Contains(stdout, "rounds        14") {
			t.Fatalf("retention --set: exit %d\n%s%s", code, stdout, stderr)
		}
		if code, _, stderr = run(t, "retention", "--db", url, "--set", "rounds=-3"); code != exitFailed || !strings.Contains(stderr, "rounds") {
			t.Errorf("a negative rule: exit %d %q", code, stderr)
		}
		code, stdout, stderr = run(t, "purge", "--db", url, "--dry-run", "--under", "天水市/秦州区")
		if code != exitOK || !strings.Contains(stdout, "dry run under rules version 1") {
			t.Fatalf("purge --dry-run: exit %d\n%s%s", code, stdout, stderr)
		}
		code, stdout, stderr = run(t, "purge", "--db", url)
		if code != exitOK || !strings.Contains(stdout, "purge certificate 1 (retention)") || !strings.Contains(stdout, "total") {
			t.Fatalf("purge: exit %d\n%s%s", code, stdout, stderr)
		}
	})
}
