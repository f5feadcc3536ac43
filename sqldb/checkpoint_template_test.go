package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func itemKeys(items []*frontline.ChecklistItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// TestCheckpointService_Template checks the template the migration stores
// against DefaultChecklist, who may change it, and that a change reaches
// new checkpoints and leaves standing ones alone.
func TestCheckpointService_Template(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewCheckpointService(db)
		tr := buildTree(t, db)
		got, err := s.ChecklistTemplate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		def := frontline.DefaultChecklist()
		if len(got) != len(def) {
			t.Fatalf("template has %d lines, DefaultChecklist %d", len(got), len(def))
		}
		for i, it := range got {
			if *it != *def[i] {
				t.Errorf("template line %+v differs from the default %+v", *it, *def[i])
			}
		}
		before := mustCheckpoint(t, s, ctx, tr.comp1, "北门")

		// A winter post: more coal, no stove line, and a task.
		edited := frontline.DefaultChecklist()
		edited = slices.DeleteFunc(edited, func(it *frontline.ChecklistItem) bool { return it.Key == "stove" })
		edited[2].Need = 100 // coal
		edited = append(edited, &frontline.ChecklistItem{Key: "briefing", Name: "岗前培训", Kind: frontline.ItemTask})
		wantCode(t, "a secretary edits the template", s.SetChecklistTemplate(as(frontline.RoleCommunitySecretary, tr.comm1), edited), frontline.EFORBIDDEN)
		wantCode(t, "a volunteer edits the template", s.SetChecklistTemplate(as(frontline.RoleVolunteer, tr.city), edited), frontline.EFORBIDDEN)
		bad := append(slices.Clone(edited), &frontline.ChecklistItem{Key: "coal", Name: "煤", Kind: frontline.ItemMaterial, Need: 1, Unit: "kg"})
		err = s.SetChecklistTemplate(as(frontline.RoleCityAdmin, tr.city), bad)
		if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != "items.10.key" {
			t.Fatalf("a key twice: %v", err)
		}
		if err := s.SetChecklistTemplate(as(frontline.RoleCityAdmin, tr.city), edited); err != nil {
			t.Fatal(err)
		}
		after := mustCheckpoint(t, s, ctx, tr.comp1, "南门")
		if keys := itemKeys(after.Checklist); !slices.Equal(keys, itemKeys(edited)) || after.Checklist[2].Need != 100 {
			t.Fatalf("new checkpoint's list %v", keys)
		}
		// A line of a name the list already has is refused, whatever its key.
		err = s.AddChecklistItem(ctx, &frontline.ChecklistItem{CheckpointID: after.ID, Key: "training", Name: "岗前培训", Kind: frontline.ItemTask})
		if frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "name" {
			t.Fatalf("a name twice on a checkpoint's list: %v", err)
		}
		standing, err := s.FindCheckpointByID(ctx, before.ID)
		if err != nil || !slices.Equal(itemKeys(standing.Checklist), itemKeys(def)) {
			t.Fatalf("the standing checkpoint's list changed: %v, %v", itemKeys(standing.Checklist), err)
		}
		if got, _ := s.ChecklistTemplate(ctx); !slices.Equal(itemKeys(got), itemKeys(edited)) || got[len(got)-1].Position != len(got) {
			t.Fatalf("template after the edit %v", itemKeys(got))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'checklist_template'`); n != 1 {
			t.Fatalf("%d template audit entries", n)
		}
	})
}

// TestCheckpointService_Hours records passages at a post open 06:00–22:00
// China time: inside the hours it decides by the zones, outside it refuses
// with the hours, and a round-the-clock post refuses nobody for the hour.
func TestCheckpointService_Hours(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db) // 06:00 UTC, 14:00 in China
		ctx := context.Background()
		s := sqldb.NewCheckpointService(db)
		tr := buildTree(t, db)
		day := openCheckpoint(t, db, ctx, tr.comp1, "白天卡点", db.Now())
		hours := "06:00-22:00"
		if _, err := s.UpdateCheckpoint(ctx, day.ID, frontline.CheckpointUpdate{Hours: &hours}); err != nil {
			t.Fatal(err)
		}
		allDay := openCheckpoint(t, db, ctx, tr.comp1, "全天卡点", db.Now())
		pass := func(c *frontline.Checkpoint) *frontline.Passage {
			t.Helper()
			p := &frontline.Passage{CheckpointID: c.ID, Kind: frontline.PassVisitor, Name: "送菜师傅", Phone: "13700000003",
				Reason: "送菜", Direction: frontline.DirIn, Checks: frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen}}
			if err := s.RecordPassage(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if p := pass(day); !p.Allowed {
			t.Fatalf("at 14:00 China time: %v", reasonCodes(p))
		}
		advance(8*time.Hour + 30*time.Minute) // 22:30 in China
		p := pass(day)
		if p.Allowed || !slices.Equal(reasonCodes(p), []string{"outside_hours:"}) || p.Reasons[0].Hours != hours {
			t.Fatalf("at 22:30 China time: allowed=%v %+v", p.Allowed, p.Reasons)
		}
		stored, _, err := s.FindPassages(ctx, frontline.PassageFilter{CheckpointID: &day.ID, Refused: true})
		if err != nil || len(stored) != 1 || stored[0].Reasons[0].Hours != hours {
			t.Fatalf("the refusal as stored: %+v, %v", stored, err)
		}
		if p := pass(allDay); !p.Allowed {
			t.Fatalf("round the clock at 22:30: %v", reasonCodes(p))
		}
	})
}
