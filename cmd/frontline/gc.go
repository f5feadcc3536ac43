package main

import (
	"os"
	"runtime/debug"
)

// benchGCPercent is the benchmarks' garbage collector target (GOGC) when
// the environment sets none. The stations run in the benchmark's process
// on the cores the server uses; what they keep (every binding answered,
// every latency) grows through a run, and Go's default of 100 would
// collect it again and again.
const benchGCPercent = 400

// serveGCPercent is serve's garbage collector target (GOGC) when the
// environment sets none. The server's Go heap is small (about 13 MB live
// under 20,000 bindings/s on a city of a million; its memory is SQLite's
// page caches, outside the Go heap), and at Go's default of 100 it was
// collected about three times a second, 7% of the server's CPU. At 400 the
// heap may grow to about five times what is live, some tens of MB, and
// collections are a quarter as many (docs/testing.md, "CPU per binding").
const serveGCPercent = 400

// tuneGC sets the collector's target to percent unless GOGC is set, which
// an operator keeps for a machine short of memory.
func tuneGC(percent int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}
