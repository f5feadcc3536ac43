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

func reasonCodes(p *frontline.Passage) []string {
	out := []string{}
	for _, r := range p.Reasons {
		out = append(out, r.Code+":"+string(r.Level))
	}
	return out
}

// TestCheckpointService_Passages records passages at the gate of 枣园小区
// while its 1号楼 is sealed and 忠义巷小区 elsewhere too.
func TestCheckpointService_Passages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		ctx := context.Background()
		s, zones := sqldb.NewCheckpointService(db), sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		bld3 := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "3号楼")
		hh5 := mustPlace(t, db, bld3.ID, frontline.KindHousehold, "301")
		sealedResident := mustPerson(t, db, tr.hh[0].ID, "封控楼居民", false)
		freeResident := mustPerson(t, db, hh5.ID, "三号楼居民", false)
		fromSealedElsewhere := mustPerson(t, db, tr.hh[2].ID, "忠义巷居民", false)
		gate := openCheckpoint(t, db, ctx, tr.comp1, "枣园小区北门", db.Now())
		mustZone(t, zones, ctx, tr.bld1, frontline.LevelSealed)
		mustZone(t, zones, ctx, tr.comp2, frontline.LevelSealed)

		good := frontline.Checks{Temperature: 36.4, HealthCode: frontline.CodeGreen}
		volunteer := as(frontline.RoleVolunteer, tr.comm1)
		record := func(p *frontline.Passage) *frontline.Passage {
			t.Helper()
			p.CheckpointID = gate.ID
			if p.Checks == (frontline.Checks{}) {
				p.Checks = good
			}
			if err := s.RecordPassage(volunteer, p); err != nil {
				t.Fatalf("record %+v: %v", p, err)
			}
			return p
		}
		tests := []struct {
			name string
			p    *frontline.Passage
			want []string
		}{
			{"resident of the sealed building goes out", &frontline.Passage{Kind: frontline.PassResident, IDNumber: sealedResident.IDNumber, Direction: frontline.DirOut}, []string{"leave:sealed", "no_test:"}},
			{"resident of building 3 goes out", &frontline.Passage{Kind: frontline.PassResident, PersonID: freeResident.ID, Direction: frontline.DirOut}, nil},
			{"resident of the sealed building comes home", &frontline.Passage{Kind: frontline.PassResident, PersonID: sealedResident.ID, Direction: frontline.DirIn,
				Checks: frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen, NegativeTestAt: db.Now().Add(-20 * time.Hour)}}, nil},
			{"someone from sealed 忠义巷 comes in", &frontline.Passage{Kind: frontline.PassResident, PersonID: fromSealedElsewhere.ID, Direction: frontline.DirIn}, []string{"leave:sealed", "no_test:"}},
			{"a visitor with a fever", &frontline.Passage{Kind: frontline.PassVisitor, Name: "送菜师傅", Phone: "13700000003", Reason: "送菜", Direction: frontline.DirIn,
				Checks: frontline.Checks{Temperature: 37.9, HealthCode: frontline.CodeGreen}}, []string{"fever:"}},
			{"a visitor", &frontline.Passage{Kind: frontline.PassVisitor, Name: "送菜师傅", Phone: "13700000003", Reason: "送菜", Direction: frontline.DirIn}, nil},
			{"an ambulance trip out of the sealed building", &frontline.Passage{Kind: frontline.PassResident, PersonID: sealedResident.ID, Direction: frontline.DirOut,
				Emergency: true, Reason: "透析"}, nil},
		}
		for _, tt := range tests {
			p := record(tt.p)
			if got := reasonCodes(p); !slices.Equal(got, append([]string{}, tt.want...)) || p.Allowed != (len(tt.want) == 0) {
				t.Errorf("%s: allowed=%v %v, want %v", tt.name, p.Allowed, got, tt.want)
			}
			advance(20 * time.Minute)
		}
		first := tests[0].p
		if first.PersonID != sealedResident.ID || first.Name != "封控楼居民" || first.From != frontline.LevelSealed || first.FromRuleID == 0 || first.RecordedBy != "as_volunteer" {
			t.Fatalf("refused passage %+v", first)
		}
		if p := tests[3].p; p.Name != "忠****" {
			t.Fatalf("a resident from outside the scope is named %q", p.Name)
		}

		refused, total, err := s.FindPassages(volunteer, frontline.PassageFilter{CheckpointID: &gate.ID, Refused: true})
		if err != nil || total != 3 || refused[0].Reasons[0].Code != frontline.ReasonFever || refused[2].Reasons[0].Level != frontline.LevelSealed {
			t.Fatalf("refused list %d, %v", total, err)
		}
		if refused[0].Checks.Temperature != 37.9 || refused[0].Phone != "13700000003" {
			t.Fatalf("stored checks %+v", refused[0])
		}
		counts, err := s.PassageCounts(volunteer, gate.ID, db.Now().Add(-24*time.Hour), db.Now())
		if err != nil {
			t.Fatal(err)
		}
		var in, out, ref int
		for _, h := range counts {
			in, out, ref = in+h.In, out+h.Out, ref+h.Refused
			if h.Hour.Minute() != 0 {
				t.Errorf("hour %v", h.Hour)
			}
		}
		if len(counts) != 3 || in != 2 || out != 2 || ref != 3 {
			t.Fatalf("counts over %d hours: in %d out %d refused %d", len(counts), in, out, ref)
		}

		err = s.RecordPassage(volunteer, &frontline.Passage{CheckpointID: gate.ID, Kind: frontline.PassResident, IDNumber: "110101199001011237", Direction: frontline.DirIn})
		if frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("unknown ID number: %v", err)
		}
		if _, err := s.SetCheckpointStatus(ctx, gate.ID, frontline.CheckpointClosed); err != nil {
			t.Fatal(err)
		}
		err = s.RecordPassage(volunteer, &frontline.Passage{CheckpointID: gate.ID, Kind: frontline.PassResident, PersonID: freeResident.ID, Direction: frontline.DirIn})
		wantCode(t, "passage at a closed checkpoint", err, frontline.ECONFLICT)
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'passage' AND actor = 'as_volunteer'`); n != len(tests) {
			t.Fatalf("%d passage audit entries, want %d", n, len(tests))
		}
	})
}

// TestCheckpointService_Scope checks the permissions and the scope of
// every checkpoint call for principals of one community.
func TestCheckpointService_Scope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock(db)
		s := sqldb.NewCheckpointService(db)
		tr := buildTree(t, db)
		sys := context.Background()
		in := openCheckpoint(t, db, sys, tr.comp1, "枣园北门", db.Now())
		out := openCheckpoint(t, db, sys, tr.comp2, "忠义巷南门", db.Now())
		resident := mustPerson(t, db, tr.hh[0].ID, "甲", false)
		pick := func(inside bool) *frontline.Checkpoint {
			if inside {
				return in
			}
			return out
		}
		place := func(inside bool) int64 {
			if inside {
				return tr.comp1.ID
			}
			return tr.comp2.ID
		}
		hour := db.Now()
		cases := []scopeCase{
			{"CreateCheckpoint", frontline.PermManageCheckpoints, func(ctx context.Context, inside bool) error {
				return s.CreateCheckpoint(ctx, &frontline.Checkpoint{PlaceID: place(inside), Name: testID(), Type: frontline.CheckpointFootpath})
			}},
			{"UpdateCheckpoint", frontline.PermManageCheckpoints, func(ctx context.Context, inside bool) error {
				_, err := s.UpdateCheckpoint(ctx, pick(inside).ID, frontline.CheckpointUpdate{Hours: ptr("06:00-23:00")})
				return err
			}},
			{"SetCheckpointStatus", frontline.PermManageCheckpoints, func(ctx context.Context, inside bool) error {
				_, err := s.SetCheckpointStatus(ctx, pick(inside).ID, frontline.CheckpointOpen)
				return err
			}},
			{"AddChecklistItem", frontline.PermManageCheckpoints, func(ctx context.Context, inside bool) error {
				return s.AddChecklistItem(ctx, &frontline.ChecklistItem{CheckpointID: pick(inside).ID, Key: testID(), Name: "手电" + testID(), Kind: frontline.ItemMaterial, Unit: "个"})
			}},
			{"RecordMaterial", frontline.PermManageCheckpoints, func(ctx context.Context, inside bool) error {
				_, err := s.RecordMaterial(ctx, &frontline.LedgerEntry{ItemID: pick(inside).Checklist[3].ID, Kind: frontline.LedgerRestocked, Quantity: 10})
				return err
			}},
			{"FindCheckpointByID", frontline.PermReadRegistry, func(ctx context.Context, inside bool) error {
				_, err := s.FindCheckpointByID(ctx, pick(inside).ID)
				return err
			}},
			{"FindCheckpoints Under", frontline.PermReadRegistry, func(ctx context.Context, inside bool) error {
				_, _, err := s.FindCheckpoints(ctx, frontline.CheckpointFilter{Under: ptr(place(inside))})
				return err
			}},
			{"Ledger", frontline.PermReadRegistry, func(ctx context.Context, inside bool) error {
				_, err := s.Ledger(ctx, pick(inside).ID)
				return err
			}},
			{"Shortages", frontline.PermReadRegistry, func(ctx context.Context, inside bool) error {
				_, err := s.Shortages(ctx, place(inside))
				return err
			}},
			{"RecordPassage", frontline.PermCheckpointLog, func(ctx context.Context, inside bool) error {
				return s.RecordPassage(ctx, &frontline.Passage{CheckpointID: pick(inside).ID, Kind: frontline.PassResident, PersonID: resident.ID, Direction: frontline.DirIn})
			}},
		}
		for _, role := range frontline.Roles {
			ctx := as(role, tr.comm1)
			for _, c := range cases {
				for _, inside := range []bool{true, false} {
					want := ""
					switch {
					case !role.Can(c.perm):
						want = frontline.EFORBIDDEN
					case !inside:
						want = frontline.ENOTFOUND
					}
					if err := c.call(ctx, inside); frontline.ErrorCode(err) != want {
						t.Errorf("%s: %s inside=%v: err = %v, want code %q", role, c.name, inside, err, want)
					}
				}
			}
			// The log is read with either checkpoints.log or reports.read.
			canRead := role.Can(frontline.PermCheckpointLog) || role.Can(frontline.PermReadReports)
			_, _, err := s.FindPassages(ctx, frontline.PassageFilter{CheckpointID: &in.ID})
			_, err2 := s.PassageCounts(ctx, in.ID, hour, hour.Add(time.Hour))
			if (err == nil) != canRead || (err2 == nil) != canRead {
				t.Errorf("%s reads the passage log: %v, %v", role, err, err2)
			}
			if _, _, err := s.FindPassages(ctx, frontline.PassageFilter{CheckpointID: &out.ID}); canRead && frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Errorf("%s reads the log of a checkpoint outside: %v", role, err)
			}
		}
	})
}
