package frontline_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frontline-org/frontline"
)

// TestParseResultsCSV_Lenient reads a file with one problem of each kind: every
// good row is read, each bad one is a row error that says where, and a
// stray quote does not swallow the lines after it.
func TestParseResultsCSV_Lenient(t *testing.T) {
	file := "\ufeff管码,结果,备注\n" + // 1: header, after Excel's byte-order mark
		"T-1,阴性,\n" + // 2
		"\"T-2,阳性\n" + // 3: an unclosed quote
		"T-3,Negative\r\n" + // 4
		"\n" + // 5: blank
		",,\n" + // 6: a spreadsheet's empty row
		"T-4\n" + // 7: too few columns
		"T_5,阴性\n" + // 8: a bad tube code
		"T-6,maybe\n" + // 9: an unknown result
		"T-7,\n" + // 10: no result
		"t-8 , 无效 \n" // 11
	rows, bad, err := frontline.ParseResultsCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	wantRows := []frontline.ResultRow{
		{Row: 2, TubeCode: "T-1", Result: frontline.ResultNegative},
		{Row: 4, TubeCode: "T-3", Result: frontline.ResultNegative},
		{Row: 11, TubeCode: "T-8", Result: frontline.ResultInvalid},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	type where struct {
		Row    int
		Column string
		Value  string
		Reason frontline.ResultReason
	}
	var got []where
	for _, e := range bad {
		got = append(got, where{e.Row, e.Column, e.Value, e.Reason})
		if e.Message == "" {
			t.Errorf("row %d has no message", e.Row)
		}
	}
	want := []where{
		{3, "结果", "", frontline.ReasonColumns},
		{7, "结果", "", frontline.ReasonColumns},
		{8, "管码", "T_5", frontline.ReasonTubeCode},
		{9, "结果", "maybe", frontline.ReasonResult},
		{10, "结果", "", frontline.ReasonResult},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	if msg := bad[1].Message; !strings.Contains(msg, `"管码" (column 1)`) || !strings.Contains(msg, `"结果" (column 2)`) {
		t.Errorf("too few columns should name the columns expected: %s", msg)
	}
	t.Run("ErrNoHeader", func(t *testing.T) {
		for _, f := range []string{"", "\n\n", "tube,value\nT-1,阴性\n"} {
			if _, _, err := frontline.ParseResultsCSV(strings.NewReader(f)); frontline.ErrorField(err) != "file" {
				t.Errorf("%q: %v", f, err)
			}
		}
	})
}

func TestBagReceipt_Validate(t *testing.T) {
	count := func(n int) *int { return &n }
	for _, tc := range []struct {
		name  string
		r     frontline.BagReceipt
		field string
	}{
		{"CountOnly", frontline.BagReceipt{Code: "b-1", Count: count(20)}, ""},
		{"EmptyBag", frontline.BagReceipt{Code: "B-1", Count: count(0)}, ""},
		{"TubesOnly", frontline.BagReceipt{Code: "B-1", TubeCodes: []string{"t-1", "T-1", "T-2"}}, ""},
		{"BothAgree", frontline.BagReceipt{Code: "B-1", Count: count(2), TubeCodes: []string{"T-1", "T-2"}}, ""},
		{"ErrNeither", frontline.BagReceipt{Code: "B-1"}, "count"},
		{"ErrNegative", frontline.BagReceipt{Code: "B-1", Count: count(-1)}, "count"},
		{"ErrDisagree", frontline.BagReceipt{Code: "B-1", Count: count(3), TubeCodes: []string{"T-1"}}, "count"},
		{"ErrBadTube", frontline.BagReceipt{Code: "B-1", TubeCodes: []string{"T-1", "T 2"}}, "tubes"},
		{"ErrBadCode", frontline.BagReceipt{Code: "", Count: count(1)}, "code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate()
			if frontline.ErrorField(err) != tc.field || (tc.field == "") != (err == nil) {
				t.Fatalf("got %v, want an error on %q", err, tc.field)
			}
		})
	}
	r := frontline.BagReceipt{Code: "B-1", TubeCodes: []string{"t-1", "T-1", "T-2"}}
	if err := r.Validate(); err != nil || len(r.TubeCodes) != 2 {
		t.Fatalf("a tube scanned twice is one tube: %v %q", err, r.TubeCodes)
	}
	r = frontline.BagReceipt{Code: "B-1", TubeCodes: []string{"T-1", "T 2"}}
	if err := r.Validate(); !strings.Contains(frontline.ErrorMessage(err), `"T 2"`) {
		t.Fatalf("the bad tube should be named: %v", err)
	}
}

// TestBagRequest_BadTube names the bad tube of a packing list under
// "tubes", the field the packer filled.
func TestBagRequest_BadTube(t *testing.T) {
	r := frontline.BagRequest{RoundID: 1, Code: "BAG-1", Count: 2, TubeCodes: []string{"T-1", "T/2"}}
	err := r.Validate()
	if frontline.ErrorField(err) != "tubes" || !strings.Contains(frontline.ErrorMessage(err), `tube 2 of the list, "T/2"`) {
		t.Fatalf("got %v", err)
	}
}

func TestResultHold(t *testing.T) {
	for _, c := range []struct {
		tube        frontline.Tube
		bagReceived bool
		want        frontline.HoldReason
	}{
		{frontline.Tube{State: frontline.TubeSealed}, false, frontline.HoldNotReceived},
		{frontline.Tube{State: frontline.TubeBagged, BagID: 1}, false, frontline.HoldNotReceived},
		{frontline.Tube{State: frontline.TubeBagged, BagID: 1}, true, frontline.HoldMissingFromBag},
		{frontline.Tube{State: frontline.TubeReceived, BagID: 1}, true, ""},
		{frontline.Tube{State: frontline.TubeSealed, Retest: true}, false, ""},
	} {
		if got := frontline.ResultHold(&c.tube, c.bagReceived); got != c.want {
			t.Errorf("%+v (bag received %v): %q, want %q", c.tube, c.bagReceived, got, c.want)
		}
	}
}
