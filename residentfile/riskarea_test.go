package residentfile_test

import (
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

func TestReadRiskAreas(t *testing.T) {
	csv := "地区名称,地区代码,风险等级,开始日期,结束日期,来源\n" +
		"西安市雁塔区,610113,高风险,2026-01-01,,通告第1号\n" +
		"某县某镇,,中,2026/1/2,2026年1月20日,\n" +
		"\n" +
		"坏等级,610114,红,2026-01-01,,\n" +
		"坏日期,610115,低,明天,,\n"
	rows, err := residentfile.ReadRiskAreas("list.csv", strings.NewReader(csv), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	if a := rows[0].Area; len(rows[0].Errors) > 0 || a.Level != frontline.RiskHigh || a.Code != "610113" || a.Key != "610113" || a.Source != "通告第1号" {
		t.Errorf("row 2: %+v %v", a, rows[0].Errors)
	}
	if a := rows[1].Area; len(rows[1].Errors) > 0 || a.ValidFrom != "2026-01-02" || a.ValidTo != "2026-01-20" || a.Key != "某县某镇" {
		t.Errorf("row 3: %+v %v", a, rows[1].Errors)
	}
	if e := rows[2].Errors; rows[2].Row != 5 || len(e) != 1 || e[0].Column != "C (风险等级)" {
		t.Errorf("row 5: %+v", rows[2])
	}
	if e := rows[3].Errors; rows[3].Row != 6 || len(e) != 1 || e[0].Column != "D (开始日期)" {
		t.Errorf("row 6: %+v", rows[3])
	}
	if _, err := residentfile.ReadRiskAreas("x.csv", strings.NewReader("名称,备注\n甲,乙\n"), ""); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("missing columns: %v", err)
	}
}
