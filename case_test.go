package frontline

import (
	"testing"
	"time"
)

// TestCase_ProposeZones seals the case's unit, or its building when it
// has none, and controls its compound; a node already as strict is drawn.
func TestCase_ProposeZones(t *testing.T) {
	kinds := map[int64]PlaceKind{1: KindCity, 2: KindDistrict, 3: KindSubdistrict, 4: KindCommunity, 5: KindCompound,
		6: KindBuilding, 7: KindUnit, 8: KindHousehold, 9: KindHousehold}
	names := map[int64]string{5: "枣园小区", 6: "1号楼", 7: "1单元"}
	got := ProposeZones("/1/2/3/4/5/6/7/8/", kinds, names, map[int64]ZoneLevel{5: LevelControlled})
	if len(got) != 2 || got[0].PlaceID != 7 || got[0].Level != LevelSealed || got[0].Drawn ||
		got[1].PlaceID != 5 || got[1].Level != LevelControlled || !got[1].Drawn {
		t.Fatalf("with a unit: %+v %+v", got[0], got[1])
	}
	got = ProposeZones("/1/2/3/4/5/6/9/", kinds, names, nil)
	if len(got) != 2 || got[0].PlaceID != 6 {
		t.Fatalf("without a unit: %+v", got[0])
	}
}

// TestCase_RestrictionDecide takes the strictest effect of a person's
// restrictions, and refuses what the policy does not know.
func TestCase_RestrictionDecide(t *testing.T) {
	p := DefaultRestrictionPolicy()
	rs := &Restrictions{Items: []Restriction{{Kind: RestrictMonitoring, SourceID: 1}, {Kind: RestrictIsolation, SourceID: 2}}}
	SortRestrictions(rs.Items)
	if rs.Items[0].Kind != RestrictIsolation {
		t.Fatalf("sorted %v", rs.Items)
	}
	if d := rs.Decide(ActLeave, p); d.Effect != EffectRefuse || d.By.SourceID != 2 {
		t.Fatalf("leave: %+v", d)
	}
	mon := &Restrictions{Items: []Restriction{{Kind: RestrictMonitoring}}}
	if d := mon.Decide(ActLeave, p); d.Effect != EffectNote {
		t.Fatalf("monitoring at a gate: %+v", d)
	}
	if d := mon.Decide(ActCallDown, p); d.Effect != EffectAllow || d.By != nil {
		t.Fatalf("monitoring called down: %+v", d)
	}
	if d := (&Restrictions{Items: []Restriction{{Kind: "quarantine_x"}}}).Decide(ActFront, p); d.Effect != EffectRefuse {
		t.Fatalf("an unknown kind: %+v", d)
	}
	var none *Restrictions
	if d := none.Decide(ActStation, p); d.Effect != EffectAllow {
		t.Fatalf("nobody: %+v", d)
	}
}

// TestCase_EntryRestriction refuses an isolated person going out, notes
// one going home or in an emergency, and records what decided.
func TestCase_EntryRestriction(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, ChinaTime)
	iso := &Restrictions{Items: []Restriction{{Kind: RestrictIsolation, Source: "measure", SourceID: 5}}}
	good := Checks{Temperature: 36.5, HealthCode: CodeGreen}
	out := EntryDecision(EntryRequest{At: at, Checks: good, Restrictions: iso}, nil, DefaultEntrySettings)
	if out.Allowed || len(out.Reasons) != 1 || out.Reasons[0].Code != ReasonRestricted || out.Restriction.SourceID != 5 {
		t.Fatalf("going out: %+v", out)
	}
	home := EntryDecision(EntryRequest{At: at, Checks: good, Restrictions: iso, LivesInside: true}, nil, DefaultEntrySettings)
	if !home.Allowed || len(home.Notes) != 1 {
		t.Fatalf("going home: %+v", home)
	}
	emergency := EntryDecision(EntryRequest{At: at, Restrictions: iso, Emergency: true}, nil, DefaultEntrySettings)
	if !emergency.Allowed || len(emergency.Notes) != 1 {
		t.Fatalf("an emergency: %+v", emergency)
	}
}

// TestAlert_Tier finds the level that sees an alert first, and the levels
// a user sees alerts at.
func TestAlert_Tier(t *testing.T) {
	kinds := map[int64]PlaceKind{1: KindCity, 2: KindDistrict, 3: KindSubdistrict, 4: KindCommunity, 5: KindCompound, 8: KindHousehold}
	if got := AlertTier("/1/2/3/4/5/8/", kinds, KindCommunity); got != "/1/2/3/4/" {
		t.Fatalf("community tier of a household: %s", got)
	}
	if got := AlertTier("/1/2/3/", kinds, KindCommunity); got != "/1/2/3/" {
		t.Fatalf("community tier of a subdistrict: %s", got)
	}
	if got := AlertTier("/1/2/3/4/5/8/", kinds, KindSubdistrict); got != "/1/2/3/" {
		t.Fatalf("subdistrict tier: %s", got)
	}
	if got := AncestorPaths("/1/2/3/"); len(got) != 3 || got[0] != "/1/" || got[2] != "/1/2/3/" {
		t.Fatalf("ancestors %v", got)
	}
	k := &AlertKind{Kind: "x", Label: "x", Tier: KindCompound, Roles: []Role{RoleGridWorker}}
	if err := k.Validate(); ErrorField(err) != "tier" {
		t.Fatalf("a compound tier: %v", err)
	}
}

// TestCase_TransferStep moves a transfer only to its next step, asks for
// a vehicle and crew at assignment and a reason to cancel.
func TestCase_TransferStep(t *testing.T) {
	for _, c := range []struct {
		from  TransferStatus
		st    TransferStep
		field string
	}{
		{TransferRequested, TransferStep{To: TransferPickedUp}, "to"},
		{TransferRequested, TransferStep{To: TransferAssigned, Crew: "王"}, "vehicle"},
		{TransferRequested, TransferStep{To: TransferAssigned, Vehicle: "甘E"}, "crew"},
		{TransferAssigned, TransferStep{To: TransferCancelled}, "note"},
		{TransferAssigned, TransferStep{To: TransferPickedUp}, ""},
	} {
		if err := c.st.Validate(c.from); ErrorField(err) != c.field || (c.field == "" && err != nil) {
			t.Errorf("%s → %+v: %v, want field %q", c.from, c.st, err, c.field)
		}
	}
	if err := (&TransferStep{To: TransferArrived}).Validate(TransferArrived); ErrorCode(err) != ECONFLICT {
		t.Errorf("a step after arrival: %v", err)
	}
}

// TestCase_ContactRules refuses centralised isolation for travellers and
// a contact kind given twice.
func TestCase_ContactRules(t *testing.T) {
	rs := DefaultMeasureRules()
	if err := rs.Validate(); err != nil {
		t.Fatal(err)
	}
	if m := rs.ContactMeasure(ContactHousehold); m.Type != MeasureCentral {
		t.Fatalf("household: %+v", m)
	}
	bad := DefaultMeasureRules()
	bad.Contacts = append(bad.Contacts, ContactRule{Kind: ContactUnit, Measure: MeasureSpec{Type: MeasureNone}})
	if err := bad.Validate(); ErrorField(err) != "contacts" {
		t.Fatalf("a kind twice: %v", err)
	}
	bad = DefaultMeasureRules()
	bad.Rules[0].Measure.Type = MeasureCentral
	if err := bad.Validate(); ErrorField(err) != "rules" {
		t.Fatalf("central isolation for a traveller: %v", err)
	}
}
