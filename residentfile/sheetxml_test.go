package residentfile_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// handWorkbook returns an XLSX archive of the given parts, with the
// workbook and its relationships the way the OpenXML SDK writes them:
// every tag with the x: prefix.
func handWorkbook(tb testing.TB, sheet, sharedStrings string) []byte {
	tb.Helper()
	parts := []struct{ name, body string }{
		{"_rels/.rels", `<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml" Id="R1"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="utf-8"?><x:workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<x:sheets><x:sheet name="名单" sheetId="1" r:id="R2"/></x:sheets></x:workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s1.xml" Id="R2"/>` +
			`<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/strings.xml" Id="R3"/></Relationships>`},
		{"xl/worksheets/s1.xml", `<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` + sheet + `</x:sheetData></x:worksheet>`},
		{"xl/strings.xml", `<?xml version="1.0" encoding="utf-8"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sharedStrings + `</x:sst>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestRead_XLSXAsOtherProgramsWriteIt reads a sheet written as other
// programs than Excel write one: prefixed tags, shared strings in rich
// text runs with phonetic guides, entities and Excel's _xHHHH_ escapes,
// CDATA, rows and cells without references, a formula's cached value, and
// an ID number in a number cell.
func TestRead_XLSXAsOtherProgramsWriteIt(t *testing.T) {
	sst := `<x:si><x:t>小区</x:t></x:si>` + // 0
		`<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>楼</x:t></x:r><x:r><x:t xml:space="preserve">栋</x:t></x:r><x:rPh sb="0" eb="1"><x:t>lou</x:t></x:rPh></x:si>` + // 1
		`<x:si><x:t>户号</x:t></x:si><x:si><x:t>姓名</x:t></x:si><x:si><x:t>身份证号</x:t></x:si><x:si><x:t>备注</x:t></x:si>` + // 2-5
		`<x:si><x:t>枣园小区</x:t></x:si>` + // 6
		`<x:si><x:t>张_x0020_伟</x:t></x:si>` // 7: an escaped space, taken out by the name's cleaning
	sheet := `<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c>` +
		`<x:c t="s"><x:v>3</x:v></x:c><x:c t="s"><x:v>4</x:v></x:c><x:c t="s"><x:v>5</x:v></x:c></x:row>` +
		// Row 2 has no reference: it follows row 1.
		`<x:row><x:c r="A2" t="s"><x:v>6</x:v></x:c><x:c r="B2"><x:v>3</x:v></x:c><x:c r="C2" t="str"><x:f>"50"&amp;"1"</x:f><x:v>501</x:v></x:c>` +
		`<x:c r="D2" t="s"><x:v>7</x:v></x:c><x:c r="E2" t="inlineStr"><x:is><x:t>` + idA + `</x:t></x:is></x:c>` +
		`<x:c r="F2" t="inlineStr"><x:is><x:t>a &lt;b&gt; &amp; &#x4E00;<![CDATA[<&>]]></x:t></x:is></x:c></x:row>` +
		// Row 4 (row 3 missing): an ID number in a number cell.
		`<x:row r="4"><x:c r="A4" t="s"><x:v>6</x:v></x:c><x:c r="B4"><x:v>3</x:v></x:c><x:c r="C4"><x:v>502</x:v></x:c>` +
		`<x:c r="D4" t="inlineStr"><x:is><x:t>王芳</x:t></x:is></x:c><x:c r="E4"><x:v>6.20502199001021E+17</x:v></x:c></x:row>`
	data := handWorkbook(t, sheet, sst)
	f := readFile(t, "名单.xlsx", data, residentfile.ReadOptions{Under: frontline.KindCommunity})
	assertErrors(t, f, "row 4, column E (身份证号): the ID number is stored as a number (6.20502199001021E+17), which keeps 15 digits at most; format the column as text and type the numbers again")
	if f.Sheet != "名单" || f.HeaderRow != 1 {
		t.Errorf("sheet %q, header row %d", f.Sheet, f.HeaderRow)
	}
	if len(f.Rows) != 1 {
		t.Fatalf("rows = %+v", f.Rows)
	}
	r := f.Rows[0]
	if r.Row != 2 || r.Compound != "枣园小区" || r.Building != "3号楼" || r.Room != "501" || r.Person.Name != "张伟" || r.Person.IDNumber != idA {
		t.Errorf("row = %+v", r)
	}
	if want := []string{"备注"}; len(f.Unknown) != 1 || f.Unknown[0] != want[0] {
		t.Errorf("unknown columns %q, want %q", f.Unknown, want)
	}

	// The cells themselves, as a file of skipped rows would have them.
	bad := readFile(t, "名单.xlsx", handWorkbook(t, sheet+`<x:row r="5"><x:c r="A5" t="s"><x:v>6</x:v></x:c><x:c r="F5" t="inlineStr"><x:is><x:t>a &lt;b&gt; &amp; &#x4E00;<![CDATA[<&>]]>_x000D_</x:t></x:is></x:c></x:row>`, sst),
		residentfile.ReadOptions{Under: frontline.KindCommunity})
	if got, want := bad.BadRows[5][5], "a <b> & 一<&>\r"; got != want {
		t.Errorf("cell F5 = %q, want %q", got, want)
	}
}
