package frontline_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

func TestCheckpoint_Hours(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2022, 3, 29, h, m, 0, 0, time.UTC) }
	tests := []struct {
		hours string
		open  []time.Time
		shut  []time.Time
	}{
		{"", []time.Time{at(0, 0), at(3, 30), at(23, 59)}, nil},
		{"06:00-22:00", []time.Time{at(6, 0), at(21, 59)}, []time.Time{at(5, 59), at(22, 0), at(2, 0)}},
		{"20:00-08:00", []time.Time{at(20, 0), at(23, 0), at(4, 30)}, []time.Time{at(8, 0), at(12, 0)}},
		{"００:００-24:00", []time.Time{at(0, 0), at(23, 59)}, nil},
	}
	for _, tt := range tests {
		c := &frontline.Checkpoint{Name: "1号卡点", Type: frontline.CheckpointRoad, Hours: tt.hours}
		if err := c.Validate(); err != nil {
			t.Fatalf("%q: %v", tt.hours, err)
		}
		for _, tm := range tt.open {
			if !c.OpenAt(tm) {
				t.Errorf("%q closed at %s", tt.hours, tm.Format("15:04"))
			}
		}
		for _, tm := range tt.shut {
			if c.OpenAt(tm) {
				t.Errorf("%q open at %s", tt.hours, tm.Format("15:04"))
			}
		}
	}
	for _, bad := range []string{"6-22", "06:00", "06:00-06:00", "25:00-01:00", "06:61-07:00"} {
		c := &frontline.Checkpoint{Name: "x", Type: frontline.CheckpointRoad, Hours: bad}
		if frontline.ErrorField(c.Validate()) != "hours" {
			t.Errorf("hours %q accepted", bad)
		}
	}
	if c := (&frontline.Checkpoint{Name: "x", Type: "bridge"}); frontline.ErrorField(c.Validate()) != "type" {
		t.Error("unknown type accepted")
	}
}

func TestBalances(t *testing.T) {
	items := frontline.DefaultChecklist()
	for i, it := range items {
		it.ID = int64(i + 1)
		if err := it.Validate(); err != nil {
			t.Fatalf("default item %s: %v", it.Key, err)
		}
	}
	items = append(items, &frontline.ChecklistItem{ID: 99, Key: "notice", Name: "张贴通告", Kind: frontline.ItemTask})
	tent, coal := items[0], items[3]
	entries := []*frontline.LedgerEntry{
		{ItemID: tent.ID, Kind: frontline.LedgerIssued, Quantity: 1},
		{ItemID: coal.ID, Kind: frontline.LedgerIssued, Quantity: 50},
		{ItemID: coal.ID, Kind: frontline.LedgerUsed, Quantity: 30},
		{ItemID: coal.ID, Kind: frontline.LedgerRestocked, Quantity: 20},
		{ItemID: coal.ID, Kind: frontline.LedgerUsed, Quantity: 25},
	}
	bs := frontline.Balances(items, entries)
	if len(bs) != 10 {
		t.Fatalf("%d balances; want one per material, none for the task", len(bs))
	}
	if b := bs[0]; b.Key != "tent" || b.OnHand != 1 || b.Short != 0 {
		t.Errorf("tent %+v", b)
	}
	if b := bs[3]; b.Issued != 50 || b.Used != 55 || b.Restocked != 20 || b.OnHand != 15 || b.Short != 35 {
		t.Errorf("coal %+v", b)
	}
	if b := bs[5]; b.Key != "chairs" || b.OnHand != 0 || b.Short != 2 {
		t.Errorf("chairs %+v", b)
	}
	if err := frontline.CheckDraw(bs[3], &frontline.LedgerEntry{Kind: frontline.LedgerUsed, Quantity: 16}); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("drawing 16 kg of 15: %v", err)
	}
	if err := frontline.CheckDraw(bs[3], &frontline.LedgerEntry{Kind: frontline.LedgerUsed, Quantity: 15}); err != nil {
		t.Errorf("drawing all 15 kg: %v", err)
	}

	// Setup gaps: everything but the tent and part of the coal is
	// missing, and the task is not done; nobody is on shift.
	tent.OnHand, coal.OnHand = 1, 15
	now := time.Date(2022, 3, 29, 12, 0, 0, 0, time.UTC)
	gaps := frontline.FindSetupGaps(items, nil, now)
	if len(gaps.Items) != 10 || !gaps.Unstaffed || !strings.Contains(frontline.ErrorMessage(gaps.Error()), "煤炭 15/50 kg") {
		t.Fatalf("gaps %d, unstaffed %v: %v", len(gaps.Items), gaps.Unstaffed, gaps.Error())
	}
	for _, it := range items {
		it.OnHand, it.Done = it.Need, true
	}
	lead := func() []*frontline.Assignment { return []*frontline.Assignment{{Name: "甲", Leader: true}} }
	past := &frontline.Shift{End: now.Add(-time.Hour), Assignments: lead()}
	if gaps := frontline.FindSetupGaps(items, []*frontline.Shift{past}, now); !gaps.Unstaffed {
		t.Error("a shift that is over staffs the checkpoint")
	}
	leaderless := &frontline.Shift{End: now.Add(time.Hour), Assignments: []*frontline.Assignment{{Name: "乙"}}}
	if gaps := frontline.FindSetupGaps(items, []*frontline.Shift{leaderless}, now); !gaps.Unstaffed {
		t.Error("a shift without a leader staffs the checkpoint")
	}
	leaderless.Post = &frontline.Post{LeaderID: 7}
	if gaps := frontline.FindSetupGaps(items, []*frontline.Shift{leaderless}, now); gaps.Unstaffed {
		t.Error("the post's leader does not lead a shift without its own")
	}
	next := &frontline.Shift{End: now.Add(time.Hour), Assignments: lead()}
	if gaps := frontline.FindSetupGaps(items, []*frontline.Shift{past, next}, now); !gaps.None() || gaps.Error() != nil {
		t.Errorf("ready checkpoint has gaps %+v", gaps)
	}
}

func TestShift_Validate(t *testing.T) {
	start := time.Date(2022, 3, 29, 20, 0, 0, 0, time.UTC)
	good := func() *frontline.Shift {
		return &frontline.Shift{PostID: 1, Start: start, End: start.Add(12 * time.Hour), Headcount: 3, Role: frontline.RoleSamplerDuty,
			Skills: []string{"急救", "英语"}}
	}
	s := good()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := []string{frontline.SkillFirstAid, "lang:英语", frontline.SkillSampling}; !slices.Equal(s.Skills, want) {
		t.Fatalf("skills %v, want %v (the role's added)", s.Skills, want)
	}
	bad := map[string]struct {
		change func(s *frontline.Shift)
		field  string
	}{
		"ends first":    {func(s *frontline.Shift) { s.End = s.Start }, "end"},
		"too long":      {func(s *frontline.Shift) { s.End = s.Start.Add(25 * time.Hour) }, "end"},
		"nobody":        {func(s *frontline.Shift) { s.Headcount = 0 }, "headcount"},
		"unknown role":  {func(s *frontline.Shift) { s.Role = "cook" }, "role"},
		"unknown skill": {func(s *frontline.Shift) { s.Skills = []string{"flying"} }, "skills"},
	}
	for name, tt := range bad {
		s := good()
		tt.change(s)
		if err := s.Validate(); frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want EINVALID on %s", name, err, tt.field)
		}
	}
}

func TestPassage_Validate(t *testing.T) {
	now := time.Date(2022, 3, 29, 21, 0, 0, 0, time.UTC)
	ok := []*frontline.Passage{
		{Kind: frontline.PassResident, PersonID: 7, Direction: frontline.DirOut},
		{Kind: frontline.PassResident, IDNumber: "６２０５０２１９８００１０１００１x", Direction: frontline.DirIn},
		{Kind: frontline.PassVisitor, Name: "送菜师傅", Phone: "138 0000 0002", Reason: "送菜", Direction: frontline.DirIn},
	}
	for i, p := range ok {
		if err := p.Validate(now); err != nil {
			t.Errorf("passage %d: %v", i, err)
		}
		if !p.At.Equal(now) {
			t.Errorf("passage %d: at %v", i, p.At)
		}
	}
	if ok[1].IDNumber != "62050219800101001X" {
		t.Errorf("id number not normalized: %q", ok[1].IDNumber)
	}
	bad := map[string]*frontline.Passage{
		"resident without id":    {Kind: frontline.PassResident, Direction: frontline.DirIn},
		"visitor without phone":  {Kind: frontline.PassVisitor, Name: "甲", Reason: "探亲", Direction: frontline.DirIn},
		"visitor without reason": {Kind: frontline.PassVisitor, Name: "甲", Phone: "13800000002", Direction: frontline.DirIn},
		"no direction":           {Kind: frontline.PassResident, PersonID: 7},
		"emergency without what": {Kind: frontline.PassResident, PersonID: 7, Direction: frontline.DirOut, Emergency: true},
		"two days ago":           {Kind: frontline.PassResident, PersonID: 7, Direction: frontline.DirOut, At: now.Add(-48 * time.Hour)},
		"impossible temperature": {Kind: frontline.PassResident, PersonID: 7, Direction: frontline.DirOut, Checks: frontline.Checks{Temperature: 3.65}},
		"purple code":            {Kind: frontline.PassResident, PersonID: 7, Direction: frontline.DirOut, Checks: frontline.Checks{HealthCode: "purple"}},
	}
	for name, p := range bad {
		if frontline.ErrorCode(p.Validate(now)) != frontline.EINVALID {
			t.Errorf("%s accepted", name)
		}
	}
}

// TestPassage_Request checks which levels a passage crosses at the gate
// of compound /1/2/ (parent /1/), for residents inside and out.
func TestPassage_Request(t *testing.T) {
	sealedBuilding := zoneOn(building3, frontline.LevelSealed)
	outsideSealed := &frontline.Zone{ID: 99, PlaceID: 9, Place: &frontline.Place{ID: 9, Path: "/1/8/9/"}, Level: frontline.LevelSealed}
	precautionParent := &frontline.Zone{ID: 98, PlaceID: 1, Place: &frontline.Place{ID: 1, Path: "/1/"}, Level: frontline.LevelPrecaution}
	active := []*frontline.Zone{sealedBuilding, outsideSealed, precautionParent}
	tests := []struct {
		name        string
		home        string
		dir         frontline.Direction
		from, to    frontline.ZoneLevel
		livesInside bool
	}{
		{"resident of the sealed building goes out", household.Path, frontline.DirOut, frontline.LevelSealed, frontline.LevelPrecaution, false},
		{"resident of the sealed building comes home", household.Path, frontline.DirIn, frontline.LevelPrecaution, frontline.LevelSealed, true},
		{"resident of building 4 goes out", "/1/2/4/7/", frontline.DirOut, frontline.LevelPrecaution, frontline.LevelPrecaution, false},
		{"someone from a sealed home elsewhere comes in", "/1/8/9/10/", frontline.DirIn, frontline.LevelSealed, frontline.LevelPrecaution, false},
		{"someone living elsewhere leaves for home", "/1/8/9/10/", frontline.DirOut, frontline.LevelPrecaution, frontline.LevelSealed, true},
		{"visitor comes in", "", frontline.DirIn, frontline.LevelPrecaution, frontline.LevelPrecaution, false},
	}
	for _, tt := range tests {
		p := &frontline.Passage{Direction: tt.dir}
		req := p.Request(compound.Path, tt.home, active)
		if req.From != tt.from || req.To != tt.to || req.LivesInside != tt.livesInside {
			t.Errorf("%s: %q → %q inside=%v, want %q → %q inside=%v", tt.name, req.From, req.To, req.LivesInside, tt.from, tt.to, tt.livesInside)
		}
	}
	if frontline.ParentPath("/1/") != "" || frontline.ParentPath("/1/2/3/") != "/1/2/" {
		t.Error("ParentPath")
	}
}

func TestValidateChecklist(t *testing.T) {
	if err := frontline.ValidateChecklist(frontline.DefaultChecklist()); err != nil {
		t.Fatalf("the default checklist: %v", err)
	}
	line := func(key string, kind frontline.ItemKind, need int, unit string) *frontline.ChecklistItem {
		return &frontline.ChecklistItem{Key: key, Name: key, Kind: kind, Need: need, Unit: unit}
	}
	items := []*frontline.ChecklistItem{line("tent", frontline.ItemMaterial, 1, "顶"), line("briefing", frontline.ItemTask, 0, "")}
	if err := frontline.ValidateChecklist(items); err != nil || items[1].Position != 2 {
		t.Fatalf("valid list: %v, positions %d %d", err, items[0].Position, items[1].Position)
	}
	tooMany := make([]*frontline.ChecklistItem, frontline.MaxChecklist+1)
	for i := range tooMany {
		tooMany[i] = line(fmt.Sprintf("k%d", i), frontline.ItemTask, 0, "")
	}
	for _, tt := range []struct {
		name  string
		items []*frontline.ChecklistItem
		field string
	}{
		{"empty", nil, "items"},
		{"too many", tooMany, "items"},
		{"a material without a unit", []*frontline.ChecklistItem{line("tent", frontline.ItemMaterial, 1, "顶"), line("coal", frontline.ItemMaterial, 50, "")}, "items.1.unit"},
		{"a key twice", []*frontline.ChecklistItem{line("tent", frontline.ItemMaterial, 1, "顶"), line("TENT", frontline.ItemTask, 0, "")}, "items.1.key"},
		{"an unknown kind", []*frontline.ChecklistItem{line("x", "tool", 0, "")}, "items.0.kind"},
		{"a name twice", []*frontline.ChecklistItem{line("tent", frontline.ItemMaterial, 1, "顶"), {Key: "tent2", Name: "tent", Kind: frontline.ItemTask}}, "items.1.name"},
	} {
		err := frontline.ValidateChecklist(tt.items)
		if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want EINVALID on %s", tt.name, err, tt.field)
		}
	}
}
