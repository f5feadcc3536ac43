package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/xuri/excelize/v2"
)

// TestImport_Offices imports files as offices make them from the command
// line: a workbook with a cover sheet and a title, thousands of bad rows
// on a dry run, and --skip-bad writing the file the README names.
func TestImport_Offices(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, _ := cityDB(t, db.Engine)
		under := "天水市/秦州区/大城街道/罗玉新村社区"

		t.Run("SheetAndHeaderRow", func(t *testing.T) {
			x := excelize.NewFile()
			x.SetSheetName("Sheet1", "说明")
			x.SetSheetRow("说明", "A1", &[]any{"身份证号列请设为文本"})
			x.NewSheet("居民")
			x.SetSheetRow("居民", "A1", &[]any{"罗玉新村社区居民花名册"})
			x.SetSheetRow("居民", "A3", &[]any{"小区", "楼栋", "户号", "姓名", "身份证号"})
			x.SetSheetRow("居民", "A4", &[]any{"枣园小区", "9", "101", "张三", id("19900102", "123")})
			var buf bytes.Buffer
			x.Write(&buf)
			code, out, errOut := run(t, "import", "residents", writeFile(t, "名单.xlsx", buf.Bytes()), "--under", under, "--db", url)
			if code != 0 || !strings.Contains(errOut, `名单.xlsx: sheet "居民", header on row 3`) || !strings.Contains(out, "imported 1 of 1 rows") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})

		t.Run("DryRunBoundsErrors", func(t *testing.T) {
			var b strings.Builder
			b.WriteString("小区,楼栋,户号,姓名,身份证号\n")
			for i := range 3000 {
				fmt.Fprintf(&b, "枣园小区,8,%d,张%d,12345\n", 100+i, i)
			}
			code, out, errOut := run(t, "import", "residents", writeFile(t, "big.csv", []byte(b.String())), "--under", under, "--dry-run", "--db", url)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if code != exitFailed || len(lines) != 1+maxShownErrors+2 {
				t.Fatalf("exit %d, %d lines of stderr (want %d)\nstdout: %s\nstderr (end): %s", code, len(lines), maxShownErrors+3, out,
					strings.Join(lines[max(0, len(lines)-3):], "\n"))
			}
			if want := "big.csv: … and 2900 more problems on 2900 more rows, not shown"; !strings.Contains(lines[len(lines)-2], want) {
				t.Errorf("line before the last = %q, want %q…", lines[len(lines)-2], want)
			}
			if last := lines[len(lines)-1]; !strings.Contains(last, "3000 problem(s) found, nothing was imported") {
				t.Errorf("last line = %q, want the summary", last)
			}
		})

		t.Run("AgainWithSync", func(t *testing.T) {
			a, b := id("19700101", "111"), id("19700101", "222")
			head := "小区,楼栋,户号,姓名,身份证号,手机号\n"
			first := writeFile(t, "a.csv", []byte(head+"同心小区,1,101,钱一,"+a+",\n同心小区,1,102,钱二,"+b+",\n"))
			if code, out, errOut := run(t, "import", "residents", first, "--under", under, "--db", url); code != 0 {
				t.Fatalf("first: %d %s %s", code, out, errOut)
			}
			second := writeFile(t, "b.csv", []byte(head+"同心小区,1,103,钱一,"+a+",13900139000\n"))
			code, out, errOut := run(t, "import", "residents", second, "--under", "天水市/秦州区/大城街道/罗玉新村社区/同心小区", "--sync", "--dry-run", "--db", url)
			if code != 0 || !strings.Contains(out, "row 2: moved 钱一 (phone): 大城街道/罗玉新村社区/同心小区/1号楼/101 → 大城街道/罗玉新村社区/同心小区/1号楼/103") ||
				!strings.Contains(out, "moved_out 钱二: 大城街道/罗玉新村社区/同心小区/1号楼/102") ||
				!strings.Contains(out, "0 added, 0 updated, 1 moved, 0 unchanged, 1 moved out") {
				t.Fatalf("dry run: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})

		t.Run("SkipBadFileAsREADMESays", func(t *testing.T) {
			readme, err := os.ReadFile("../../README.md")
			if err != nil || !strings.Contains(string(readme), "`名单.xlsx` → `名单.skipped.csv`") {
				t.Fatalf("README no longer names the file of skipped rows as this test checks (%v)", err)
			}
			x := excelize.NewFile()
			x.SetSheetRow("Sheet1", "A1", &[]any{"小区", "楼栋", "户号", "姓名", "身份证号"})
			x.SetSheetRow("Sheet1", "A2", &[]any{"枣园小区", "9", "102", "李四", id("19850520", "134")})
			x.SetSheetRow("Sheet1", "A3", &[]any{"枣园小区", "9", "103", "王五", "123"})
			var buf bytes.Buffer
			x.Write(&buf)
			path := writeFile(t, "名单.xlsx", buf.Bytes())
			code, out, errOut := run(t, "import", "residents", path, "--under", under, "--skip-bad", "--db", url)
			if code != exitPartial {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			skipped, err := os.ReadFile(filepath.Join(filepath.Dir(path), "名单.skipped.csv"))
			if err != nil || !strings.Contains(string(skipped), "王五") || !strings.Contains(out, "名单.skipped.csv") {
				t.Fatalf("skipped file: %v\n%s\nstdout: %s", err, skipped, out)
			}
		})
	})
}
