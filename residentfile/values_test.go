package residentfile

import "testing"

func TestParseDate(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"1990-01-02", "1990-01-02"},
		{"1990/1/2", "1990-01-02"},
		{"1990.1.2", "1990-01-02"},
		{"19900102", "1990-01-02"},
		{"1990年1月2日", "1990-01-02"},
		{"1990年01月02", "1990-01-02"},
		{"１９９０－０１－０２", "1990-01-02"},
		{"1990-01-02 00:00:00", "1990-01-02"},
		{"2000-02-29", "2000-02-29"},
		{"19990231", ""},
		{"1900-02-29", ""},
		{"1990-13-01", ""},
		{"1990-1-32", ""},
		{"1990-01-02x", ""},
		{"1990-001-02", ""},
		{"90-01-02", ""},
		{"1990-01", ""},
		{"1990-01-02 noon", ""},
		{"", ""},
	} {
		got, ok := parseDate(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("parseDate(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestExcelSerial(t *testing.T) {
	for _, tt := range []struct {
		in       string
		date1904 bool
		want     string
	}{
		{"32875", false, "1990-01-02"},
		{"32875.0", false, "1990-01-02"},
		{"31413", true, "1990-01-02"},
		{"19900102", false, ""}, // digits of a date, not a serial
		{"0", false, ""},
		{"abc", false, ""},
	} {
		got, ok := excelSerial(tt.in, tt.date1904)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("excelSerial(%q, %v) = %q, %v; want %q", tt.in, tt.date1904, got, ok, tt.want)
		}
	}
}

func TestScientific(t *testing.T) {
	for in, want := range map[string]bool{
		"6.20502E+17": true, "6.20502199001021E+17": true, "1e5": true, "1E-3": true,
		"620502199001021230": false, "E12345678": false, "1E": false, "12E+": false, "1.5E-": false,
		"6.2E+17x": false, "": false,
	} {
		if got := scientific(in); got != want {
			t.Errorf("scientific(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 5: "F", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnLetter(i); got != want {
			t.Errorf("columnLetter(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestHeaderKey(t *testing.T) {
	for in, want := range map[string]int{
		"身份证号": cIDNumber, " 身份证号码 ": cIDNumber, "\uFEFF姓名": cName, "*姓名": cName, "姓名：": cName,
		"　姓　名　": cName, "身份证\n号码": cIDNumber, "ID_Number": cIDNumber, "id number": cIDNumber,
		"BIRTH-DATE": cBirthDate, "ｎａｍｅ": cName, "栋": cBuilding, "门牌号": cRoom, "标签": cFlags,
	} {
		if got, ok := headerIndex[headerKey(in)]; !ok || got != want {
			t.Errorf("header %q maps to %d (%v), want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"备注", "序号", "id", ""} {
		if c, ok := headerIndex[headerKey(in)]; ok {
			t.Errorf("header %q maps to %d, want unknown", in, c)
		}
	}
}
