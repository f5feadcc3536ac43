package residentfile_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline/residentfile"
)

// benchCSV returns a resident list of n valid rows: one community, 20
// buildings of 4 units, distinct ID numbers.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString(fullHeader + "\r\n")
	flags := []string{"", "", "", "独居老人", "", "慢性病、行动不便"}
	for i := range n {
		// (birth date, sequence) is unique: 1,000 people born each day.
		birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000*7).Format("20060102")
		id := makeID("620502", birth, fmt.Sprintf("%03d", i%1000))
		fmt.Fprintf(&b, "大城街道,罗玉新村社区,枣园小区,%d,%d,%d%02d,居民%d,,%s,1380013%04d,,,,%s,\r\n",
			i%20+1, i%4+1, i%30+1, i%4+1, i, id, i%10000, flags[i%len(flags)])
	}
	return b.Bytes()
}

// BenchmarkReadCSV reads a 100,000-row list and reports rows per second.
func BenchmarkReadCSV(b *testing.B) {
	const n = 100_000
	data := benchCSV(n)
	f := readFile(b, "bench.csv", data, residentfile.ReadOptions{})
	if len(f.Errors) > 0 || len(f.Rows) != n {
		b.Fatalf("%d rows, errors %s", len(f.Rows), strings.Join(errorStrings(f)[:min(3, len(f.Errors))], "; "))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := residentfile.Read("bench.csv", bytes.NewReader(data), residentfile.ReadOptions{Now: now}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
