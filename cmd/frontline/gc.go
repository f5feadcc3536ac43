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

// tuneGC sets the collector's target to percent unless GOGC is set, which
// an operator keeps for a machine short of memory.
func tuneGC(percent int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}
