package frontline

import (
	"strings"
	"testing"
	"time"
)

// The field trial's name: a NUL, a right-to-left override and a bell.
const trialName = "a\u0000b\u202ec\u0007d"

func TestCheckLine(t *testing.T) {
	for _, tt := range []struct {
		s, want string
	}{
		{"张三", ""},
		{"Anna Li", ""},
		{"枣园小区 3号楼", ""},
		{"ابو علي", ""}, // right-to-left letters are text, not a trick
		{trialName, "character 2 is a control character (U+0000)"},
		{"abc\u202eexe.txt", "character 4 is an invisible mark that turns the direction of text (U+202E)"},
		{"x\u2066y", "U+2066"},
		{"line\nbreak", "U+000A"},
		{"tab\there", "U+0009"},
		{"del\u007f", "U+007F"},
		{"c1\u0085", "U+0085"},
		{"bad \xff byte", "not valid UTF-8"},
	} {
		err := CheckLine("name", tt.s)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckLine(%q) = %v, want nil", tt.s, err)
		case tt.want != "" && (ErrorCode(err) != EINVALID || ErrorField(err) != "name" || !strings.Contains(ErrorMessage(err), tt.want)):
			t.Errorf("CheckLine(%q) = %v, want EINVALID on name saying %q", tt.s, err, tt.want)
		}
	}
	if err := CheckText("note", "第一行\n第二行\twith a tab\r\n"); err != nil {
		t.Errorf("a note with line breaks: %v", err)
	}
	if err := CheckText("note", "ok\u202e"); ErrorField(err) != "note" {
		t.Errorf("a note with an override: %v", err)
	}
}

// TestValidate_RefusesControls sends the trial's name through the
// Validate of every kind of record that takes a name or free text: each
// refuses it at the field.
func TestValidate_RefusesControls(t *testing.T) {
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	start := now.Add(time.Hour)
	for _, tt := range []struct {
		name  string
		field string
		check func() error
	}{
		{"Person", "name", func() error { return (&Person{Name: trialName, IDType: IDMainland, IDNumber: ""}).Validate(now) }},
		{"Place", "name", func() error { return (&Place{Kind: KindBuilding, Name: trialName}).Validate() }},
		{"User", "name", func() error {
			return (&User{Login: "zhang", Name: trialName, Role: RoleGridWorker, ScopeID: 1}).Validate()
		}},
		{"Round", "name", func() error {
			return (&Round{ScopeID: 1, Name: trialName, StartsAt: start, EndsAt: start.Add(time.Hour)}).Validate()
		}},
		{"Site", "location", func() error {
			return (&Site{RoundID: 1, PlaceID: 1, Name: "北门", Location: trialName, OpensAt: start, ClosesAt: start.Add(time.Hour)}).Validate()
		}},
		{"Station", "name", func() error { return (&Station{SiteID: 1, Name: trialName}).Validate() }},
		{"Campaign", "name", func() error { return (&Campaign{Name: trialName, ScopeID: 1}).Validate(now) }},
		{"RiskArea", "name", func() error { return (&RiskArea{Name: trialName}).Validate() }},
		{"Checkpoint", "name", func() error { return (&Checkpoint{Name: trialName}).Validate() }},
		{"Zone", "reason", func() error { return (&Zone{Level: LevelSealed, Reason: trialName}).Validate() }},
		{"Excusal", "note", func() error { return (&Excusal{Reason: ExcuseOther, Note: trialName}).Validate() }},
		{"HealthReport", "symptoms", func() error { return (&HealthReport{Temperature: 36.5, Symptoms: trialName}).Validate(FollowUpReport) }},
		{"LedgerEntry", "note", func() error { return (&LedgerEntry{Kind: LedgerIssued, Quantity: 1, Note: trialName}).Validate() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field || !strings.Contains(ErrorMessage(err), "U+0000") {
				t.Fatalf("err = %v, want EINVALID on %s naming U+0000", err, tt.field)
			}
		})
	}
}
