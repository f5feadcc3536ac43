package web

import (
	"strings"
	"testing"
)

// TestReason_Chinese shows the import's problems in Chinese, the places
// named by their Chinese kind; an unknown message is shown as it is.
func TestReason_Chinese(t *testing.T) {
	s := &Server{catalog: newCatalog(), reasons: newReasonPatterns()}
	for msg, want := range map[string]string{
		"a mainland ID number has 18 characters, this one has 5": "居民身份证号码应为 18 位，此号码为 5 位",
		"the building is missing":                                "缺少楼栋",
		"the room is missing":                                    "缺少户",
		"the cell is empty because cells B2:B4 are merged: only B2 holds the value; unmerge them and fill in every row":                      "单元格为合并单元格（B2:B4），只有 B2 有值：请取消合并并逐行填写",
		"the ID number is stored as a number (6.2E+17), which keeps 15 digits at most; format the column as text and type the numbers again": "身份证号被存成了数字（6.2E+17）",
		"ID number 6205**********1230 appears twice in the file: also on row 7 (枣园小区/6号楼/202)":                                               "证件号码 6205**********1230 在文件中出现两次：第 7 行（枣园小区/6号楼/202）也有",
		"a person without a document needs a birth date":                                                                                     "无证件人员须填写出生日期",
		"something new": "something new",
	} {
		if got := s.reason("zh-CN", msg); !strings.HasPrefix(got, want) {
			t.Errorf("%q\n  = %q\n  want %q…", msg, got, want)
		}
	}
	if got := s.reason("en", "the building is missing"); got != "the building is missing" {
		t.Errorf("English: %q", got)
	}
}
