package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBenchDay runs a small `frontline bench day` on each engine: every
// kind of client works at once against a real `frontline serve`, nothing
// is lost or doubled, no request fails, and the last line is the
// key=value result. It checks what the day does, not how fast this
// machine is: reads may take up to a minute here (--slow-read), since CI
// shares its cores; the 1 s target is for `bench day` on a quiet machine.
func TestBenchDay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a city")
	}
	bin := frontlineBinary(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			args := []string{"bench", "day", "--residents", "3000", "--sites", "4", "--stations", "8", "--rate", "120",
				"--duration", "5s", "--offices", "6", "--read-every", "1s", "--gates", "3", "--gate-every", "500ms",
				"--grid", "2", "--visit-every", "1s", "--lab-every", "500ms", "--positive-every", "5", "--slow-read", "1m"}
			if engine == "postgres" {
				args = append(args, "--db", sqldbtest.PostgresURL(t))
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "FRONTLINE_BENCH_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bench day: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			last := lines[len(lines)-1]
			for _, want := range []string{"day=ok ", " lost=0 ", " duplicated=0 ", " slow_reads=0 ", " errors=0 "} {
				if !strings.Contains(last, want) {
					t.Errorf("last line lacks %q: %s", want, last)
				}
			}
			// Every kind of request was made.
			seen := map[string]int{}
			for _, l := range lines {
				if f := strings.Fields(l); len(f) == 7 {
					if n, err := strconv.Atoi(f[1]); err == nil {
						seen[f[0]] = n
					}
				}
			}
			for _, kind := range []string{"bind", "coverage", "gaps", "dashboard", "passage", "visit", "bag", "receive", "results", "retests", "retest"} {
				if seen[kind] == 0 {
					t.Errorf("no %s requests:\n%s", kind, out)
				}
			}
		})
	}
}
