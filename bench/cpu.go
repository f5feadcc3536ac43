package bench

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system, every thread) this process
// has used so far, 0 where getrusage fails. The stations run in this
// process, so its CPU while they bind is what the harness takes of the
// cores it shares with the server.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perBinding is a CPU time per binding in microseconds, 0 without
// bindings.
func perBinding(cpu time.Duration, bindings int) float64 {
	if bindings == 0 {
		return 0
	}
	return float64(cpu) / float64(time.Microsecond) / float64(bindings)
}
