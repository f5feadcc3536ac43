package office_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline/office"
)

func TestSheets(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "名单")
	f.SetCellStr("名单", "A1", "姓名")
	f.SetCellStr("名单", "B1", "620502199001021230")
	f.NewSheet("二")
	f.SetCellStr("二", "A1", "x")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sheets := office.Sheets(t, buf.Bytes())
	if got := sheets["名单"]; len(got) != 1 || got[0][0] != "姓名" || got[0][1] != "620502199001021230" {
		t.Fatalf("sheet 名单 = %v (all: %v)", got, sheets)
	}
	if got := sheets["二"]; len(got) != 1 || got[0][0] != "x" {
		t.Fatalf("sheet 二 = %v", got)
	}
}
