package residentfile_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/residentfile"
)

// hostile is a row whose cells a person typed to make a spreadsheet run
// something, beside the values a spreadsheet likes to turn into numbers.
func hostile() frontline.ResidentRow {
	return frontline.ResidentRow{Subdistrict: "大城街道", Community: "罗玉新村社区", Compound: "=1+1", Building: "3号楼",
		Unit: "@SUM(1,2)", Room: "0502", Person: frontline.Person{Name: `=HYPERLINK("http://x","点")`, IDType: frontline.IDMainland,
			IDNumber: idC, Phone: "13800138000", Relation: frontline.RelHead, Status: frontline.StatusResident}}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"张伟": "张伟", "=1+1": "'=1+1", "+1+2": "'+1+2", "-2+3": "'-2+3", "@A1": "'@A1", "\t=1": "'\t=1",
		"-3": "-3", "+8613800138000": "+8613800138000", "": "",
	} {
		if got := residentfile.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteCSV_Office opens a full and a masked CSV export in LibreOffice
// as an office would: no formula runs, and ID numbers, phones and a room
// with a leading zero read as written; the file imports back unchanged.
func TestWriteCSV_Office(t *testing.T) {
	row := hostile()
	masked := row
	masked.Person.IDNumber, masked.Person.Phone = frontline.MaskIDNumber(idC), frontline.MaskPhone("13800138000")
	for name, r := range map[string]frontline.ResidentRow{"full": row, "masked": masked} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := residentfile.WriteCSV(&buf, residentfile.ExportHeader(), [][]string{residentfile.ExportRow(&r)}); err != nil {
				t.Fatal(err)
			}
			got := office.CSV(t, buf.Bytes())
			if len(got) != 2 {
				t.Fatalf("LibreOffice read %q", got)
			}
			want := residentfile.ExportRow(&r)
			for i, cell := range got[1] {
				cell = strings.TrimLeft(cell, "\t")
				if strings.HasPrefix(want[i], "=") || strings.HasPrefix(want[i], "@") {
					want[i] = "'" + want[i] // shown as text, with the mark that keeps it so
				}
				if cell != want[i] {
					t.Errorf("column %s: LibreOffice shows %q, want %q", got[0][i], cell, want[i])
				}
			}
			if name == "full" {
				back := readFile(t, "export.csv", buf.Bytes(), residentfile.ReadOptions{})
				if len(back.Rows) != 1 || back.Rows[0].Person.Name != r.Person.Name || back.Rows[0].Compound != "=1+1" || back.Rows[0].Room != "0502" {
					t.Errorf("read back: %+v, errors %v", back.Rows, errorStrings(back))
				}
			}
		})
	}
}

// TestWriteXLSX_NoFormula opens an XLSX export in LibreOffice: the cells a
// person typed as formulas are text, not results.
func TestWriteXLSX_NoFormula(t *testing.T) {
	r := hostile()
	var buf bytes.Buffer
	want := residentfile.ExportRow(&r)
	if err := residentfile.WriteXLSX(&buf, "居民花名册", residentfile.ExportHeader(), [][]string{want}); err != nil {
		t.Fatal(err)
	}
	sheet := office.Sheets(t, buf.Bytes())["居民花名册"]
	if len(sheet) != 2 {
		t.Fatalf("LibreOffice read %q", sheet)
	}
	for i, cell := range sheet[1] {
		if cell != want[i] {
			t.Errorf("column %s: LibreOffice shows %q, want %q", sheet[0][i], cell, want[i])
		}
	}
}
