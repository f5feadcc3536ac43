package residentfile_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/residentfile"
)

// TestWriteXLSX_LibreOffice opens an export in LibreOffice: every cell,
// ID numbers and a room with a leading zero included, reads as written.
func TestWriteXLSX_LibreOffice(t *testing.T) {
	header := residentfile.ExportHeader()
	row := []string{"大城街道", "罗玉新村社区", "枣园小区", "3号楼", "2单元", "0502", "张三", "居民身份证",
		"62050219900102145X", "13800138000", "男", "1990-01-02", "户主", "独居老人、慢性病", "常住"}
	var buf bytes.Buffer
	if err := residentfile.WriteXLSX(&buf, "居民花名册", header, [][]string{row}); err != nil {
		t.Fatal(err)
	}
	sheet := office.Sheets(t, buf.Bytes())["居民花名册"]
	if len(sheet) != 2 || !slices.Equal(sheet[0], header) || !slices.Equal(sheet[1], row) {
		t.Fatalf("LibreOffice read\n%q\nwant\n%q\n%q", sheet, header, row)
	}
}
