package residentfile_test

import (
	"bytes"
	"testing"

	"github.com/frontline-org/frontline/residentfile"
)

// FuzzReadCSV feeds Read arbitrary bytes as a CSV file. Whatever the
// input, Read must not panic, and what it returns must be consistent:
// errors point at real rows, good rows are numbered once each below the
// header, and no more rows come out than lines went in.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(fullHeader + "\n大城街道,罗玉新村社区,枣园小区,3,2,501,张伟,," + idA + ",13800138000,男,1990-01-02,户主,独居老人,常住\n"))
	f.Add([]byte(shortHeader + "\r\n枣园小区,3,2,501,张伟," + idA + ",,,,,,\r\n枣园小区,3,2,502,李娜," + idA + ",,,,,,\r\n"))
	f.Add([]byte("\uFEFF小区,楼栋,户号,姓名,身份证号\n\n枣园小区,\"3\n号楼\",501,\"张\"伟,6.20502E+17\n,,,,\n"))
	f.Add([]byte("\xd0\xa1\xc7\xf8,\xc2\xa5\xb6\xb0\n\xd4\xe6,3\n")) // GBK
	f.Add([]byte("姓名\t身份证号\t楼栋\n张伟\t" + idB + "\t３栋\n"))
	f.Add([]byte("\xff\xfe\x00\x00"))
	f.Add([]byte("身份证号,身份证号码\n1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rf, err := residentfile.Read("fuzz.csv", bytes.NewReader(data), residentfile.ReadOptions{Now: now})
		if err != nil {
			if rf != nil {
				t.Fatalf("Read returned a file and an error %v", err)
			}
			return
		}
		for _, e := range rf.Errors {
			if e.Row < 0 {
				t.Fatalf("error with row %d: %v", e.Row, e)
			}
		}
		seen := make(map[int]bool)
		for _, r := range rf.Rows {
			if r.Row < 2 || seen[r.Row] {
				t.Fatalf("row number %d out of range or repeated", r.Row)
			}
			if _, bad := rf.BadRows[r.Row]; bad {
				t.Fatalf("row %d is both good and bad", r.Row)
			}
			seen[r.Row] = true
		}
		// Every row is on at least one line, and the header takes one.
		lines := bytes.Count(data, []byte("\n")) + 1
		if n := len(rf.Rows) + len(rf.BadRows); n > lines-1 {
			t.Fatalf("%d rows out of %d lines", n, lines)
		}
	})
}
