package residentfile_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/google/go-cmp/cmp"
)

// now is the clock of every test, so birth-date checks do not drift.
var now = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// Valid ID numbers used across the tests (region 620502, 秦州区).
const (
	idA = "620502199001021230" // male, 1990-01-02
	idB = "620502199001021345" // female, 1990-01-02
	idC = "62050219900102145X" // male, 1990-01-02, ends in X
	idD = "620502198505201345" // female, 1985-05-20
	idE = "620502195003151233" // male, 1950-03-15
	idF = "620502201807091342" // female, 2018-07-09
)

// makeID returns a valid mainland ID number: region (6 digits), birth
// date (8) and sequence (3), followed by the right check character.
func makeID(region, birth, seq string) string {
	first := region + birth + seq
	return first + string(frontline.IDCheckDigit(first))
}

// readFile reads data as a file named name, failing the test on a
// file-level error. A zero Now in opts becomes the test clock.
func readFile(tb testing.TB, name string, data []byte, opts residentfile.ReadOptions) *frontline.ResidentFile {
	tb.Helper()
	if opts.Now.IsZero() {
		opts.Now = now
	}
	f, err := residentfile.Read(name, bytes.NewReader(data), opts)
	if err != nil {
		tb.Fatalf("Read(%s): %v", name, err)
	}
	return f
}

// readCSV reads CSV lines joined with LF.
func readCSV(tb testing.TB, opts residentfile.ReadOptions, lines ...string) *frontline.ResidentFile {
	tb.Helper()
	return readFile(tb, "名单.csv", []byte(strings.Join(lines, "\n")+"\n"), opts)
}

// errorStrings returns the errors of a file as the user reads them.
func errorStrings(f *frontline.ResidentFile) []string {
	var s []string
	for _, e := range f.Errors {
		s = append(s, e.Error())
	}
	return s
}

// assertErrors compares a file's errors with the exact expected messages.
func assertErrors(tb testing.TB, f *frontline.ResidentFile, want ...string) {
	tb.Helper()
	if diff := cmp.Diff(want, errorStrings(f)); diff != "" {
		tb.Errorf("errors (-want +got):\n%s", diff)
	}
}

// rowNumbers returns the row numbers of the good rows.
func rowNumbers(f *frontline.ResidentFile) []int {
	var n []int
	for _, r := range f.Rows {
		n = append(n, r.Row)
	}
	return n
}

// assertFileError checks that err is an EINVALID *frontline.Error with
// the given user message.
func assertFileError(tb testing.TB, err error, msg string) {
	tb.Helper()
	var fe *frontline.Error
	if !errors.As(err, &fe) {
		tb.Fatalf("error = %v, want a *frontline.Error", err)
	}
	if fe.Code != frontline.EINVALID || fe.Message != msg {
		tb.Errorf("error = %s %q, want %s %q", fe.Code, fe.Message, frontline.EINVALID, msg)
	}
}

// fullHeader is the canonical header: 街道 in A ... 居住状态 in O, with
// 身份证号 (an alias) in I.
const fullHeader = "街道,社区,小区,楼栋,单元,户号,姓名,证件类型,身份证号,手机号,性别,出生日期,与户主关系,特殊人群,居住状态"

// shortHeader leaves out the levels above the compound, as a file imported
// under a community may; 身份证号 is then in F.
const shortHeader = "小区,楼栋,单元,户号,姓名,身份证号,手机号,性别,出生日期,与户主关系,特殊人群,居住状态"

// underCommunity reads files with shortHeader.
var underCommunity = residentfile.ReadOptions{Under: frontline.KindCommunity}
