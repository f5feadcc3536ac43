// Package office opens Frontline's XLSX files in LibreOffice for tests: a
// workbook that LibreOffice reads is one that offices can open, which is
// what exports and reports are for.
//
// Where LibreOffice is not installed the tests skip, unless
// FRONTLINE_TEST_REQUIRE lists "libreoffice" (CI sets it).
package office

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Executable returns the path of LibreOffice's soffice, or "".
func Executable() string {
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// required returns soffice's path, or skips the test when LibreOffice is
// not installed (fails it when FRONTLINE_TEST_REQUIRE lists libreoffice).
func required(tb testing.TB) string {
	tb.Helper()
	exe := Executable()
	if exe == "" {
		if slices.Contains(strings.Split(os.Getenv("FRONTLINE_TEST_REQUIRE"), ","), "libreoffice") {
			tb.Fatal("no LibreOffice found but FRONTLINE_TEST_REQUIRE includes libreoffice (install libreoffice-calc-nogui)")
		}
		tb.Skip("no LibreOffice installed; set FRONTLINE_TEST_REQUIRE=libreoffice to make this a failure")
	}
	return exe
}

// Sheets opens an XLSX workbook in LibreOffice and returns the cells of
// every sheet by sheet name, as LibreOffice reads them. It fails the test
// when LibreOffice cannot open the file.
func Sheets(tb testing.TB, xlsx []byte) map[string][][]string {
	tb.Helper()
	exe := required(tb)
	dir := tb.TempDir()
	in := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(in, xlsx, 0o644); err != nil {
		tb.Fatal(err)
	}
	// CSV filter options: comma, double quote, UTF-8 (76), from line 1, no
	// column formats, language, quote text, detect numbers, keep formulas
	// as shown, ..., and -1: every sheet to a file of its own.
	filter := "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", filter, "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("libreoffice could not open the workbook: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "book*.csv"))
	if len(files) == 0 {
		tb.Fatal("libreoffice wrote no sheet: it could not read the workbook")
	}
	// Each sheet is written to book-SheetName.csv.
	sheets := map[string][][]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "book"), ".csv")
		sheets[strings.TrimPrefix(name, "-")] = rows
	}
	return sheets
}

// CSV opens a CSV file in LibreOffice as an office would (double-click:
// comma, UTF-8, numbers and formulas detected) and returns its cells as
// LibreOffice shows them: a formula as its result, a number as it is
// displayed. It fails the test when LibreOffice cannot open the file.
func CSV(tb testing.TB, data []byte) [][]string {
	tb.Helper()
	exe := required(tb)
	dir := tb.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// In: comma, double quote, UTF-8, from line 1. Out: the same, cells
	// as shown.
	cmd := exec.CommandContext(ctx, exe, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--infilter=CSV:44,34,76,1", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false",
		"--outdir", out, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("libreoffice could not open the CSV file: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, "in.csv"))
	if err != nil {
		tb.Fatalf("libreoffice wrote nothing: %v", err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}
