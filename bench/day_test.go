package bench

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDayResult_Failed(t *testing.T) {
	read := &Kind{Name: "gaps", Read: true}
	write := &Kind{Name: "passage"}
	for _, d := range []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 900 * time.Millisecond} {
		read.add(d, nil)
	}
	write.add(3*time.Second, nil) // a slow write is reported, not a failure
	read.finish(10 * time.Second)
	write.finish(10 * time.Second)
	r := &DayResult{Kinds: []*Kind{read, write}, SlowRead: time.Second}
	if why := r.Failed(); why != "" || read.slow(time.Second) != 0 {
		t.Fatalf("failed: %q", why)
	}
	if !strings.HasPrefix(r.Line(), "day=ok ") || !strings.Contains(r.Line(), " read_max_ms=900.0 ") {
		t.Fatal(r.Line())
	}
	read.add(1100*time.Millisecond, nil)
	read.add(2*time.Millisecond, errors.New("503"))
	read.finish(10 * time.Second)
	r.SlowReads, r.Errors, r.Duplicated = read.slow(time.Second), read.Errors, 1
	why := r.Failed()
	for _, want := range []string{"1 reads over 1s", "1 requests failed", "0 bindings lost, 1 doubled"} {
		if !strings.Contains(why, want) {
			t.Errorf("%q lacks %q", why, want)
		}
	}
	if !strings.HasPrefix(r.Line(), "day=failed ") || !strings.Contains(r.Line(), " slow_reads=1 ") || read.FirstErr != "503" {
		t.Fatal(r.Line(), read.FirstErr)
	}
}
