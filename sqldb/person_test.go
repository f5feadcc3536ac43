package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

var idSeq int

// testID returns a new valid mainland ID number.
func testID() string {
	idSeq++
	first := fmt.Sprintf("620502198%d0101%03d", idSeq%10, idSeq%1000)
	return first + string(frontline.IDCheckDigit(first))
}

func mustPerson(tb testing.TB, db *sqldb.DB, household int64, name string, flagged bool) *frontline.Person {
	tb.Helper()
	p := &frontline.Person{HouseholdID: household, Name: name, IDNumber: testID(), Phone: "13800138000"}
	if flagged {
		p.Flags = []frontline.Flag{frontline.FlagLivingAlone}
	}
	if err := sqldb.NewPersonService(db).CreatePerson(context.Background(), p); err != nil {
		tb.Fatalf("create person %s: %v", name, err)
	}
	return p
}

// assertCountsMatchRecount checks every node's maintained counts against a
// recount from the persons and households under it, and that each parent
// equals the sum of its children.
func assertCountsMatchRecount(tb testing.TB, db *sqldb.DB) {
	tb.Helper()
	bad, err := db.CheckCounts(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range bad {
		tb.Errorf("counts differ from recount: %s", b)
	}
}

func TestPersonService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "zhang", Addr: "127.0.0.1"})
		s := sqldb.NewPersonService(db)
		tr := buildTree(t, db)
		p := &frontline.Person{HouseholdID: tr.hh[0].ID, Name: " 张　三 ", IDNumber: testID(), Phone: "１３８ ００１３ ８０００",
			Flags: []frontline.Flag{frontline.FlagDialysis}}
		if err := s.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Name != "张三" || p.Phone != "13800138000" || p.Sex == "" || p.BirthDate == "" || p.CreatedBy != "zhang" {
			t.Fatalf("created %+v", p)
		}
		if c := place(t, db, tr.city.ID); c.Residents != 1 || c.Vulnerable != 1 {
			t.Fatalf("city counts %d/%d, want 1/1", c.Residents, c.Vulnerable)
		}

		t.Run("ErrDuplicateID", func(t *testing.T) {
			dup := &frontline.Person{HouseholdID: tr.hh[2].ID, Name: "李四", IDNumber: p.IDNumber}
			err := s.CreatePerson(ctx, dup)
			if frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "id_number" {
				t.Fatalf("err = %v, want ECONFLICT on id_number", err)
			}
			want := "ID number " + frontline.MaskIDNumber(p.IDNumber) + " already belongs to 张三 at 大城街道/罗玉新村社区/枣园小区/1号楼/101"
			if msg := frontline.ErrorMessage(err); msg != want {
				t.Fatalf("message %q, want %q", msg, want)
			}
		})
		t.Run("ErrNotHousehold", func(t *testing.T) {
			err := s.CreatePerson(ctx, &frontline.Person{HouseholdID: tr.bld1.ID, Name: "王五", IDNumber: testID()})
			if frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
		t.Run("ErrBadPhone", func(t *testing.T) {
			bad := "12345"
			_, err := s.UpdatePerson(ctx, p.ID, frontline.PersonUpdate{Phone: &bad})
			if frontline.ErrorField(err) != "phone" {
				t.Fatalf("err = %v, want a phone field error", err)
			}
		})
		t.Run("Find", func(t *testing.T) {
			tail := p.IDNumber[14:]
			for name, f := range map[string]frontline.PersonFilter{
				"name prefix": {Name: ptr("张")},
				"phone":       {Phone: ptr("138-0013-8000")},
				"id full":     {IDNumber: ptr(p.IDNumber)},
				"id tail":     {IDNumber: ptr(tail)},
				"under":       {Under: &tr.comm1.ID},
			} {
				got, total, err := s.FindPersons(ctx, f)
				if err != nil || total != 1 || len(got) != 1 || got[0].ID != p.ID || got[0].Household.ID != tr.hh[0].ID {
					t.Errorf("%s: got %d persons (total %d), %v", name, len(got), total, err)
				}
			}
			_, total, _ := s.FindPersons(ctx, frontline.PersonFilter{Under: &tr.comm2.ID})
			if total != 0 {
				t.Errorf("other community: total %d, want 0", total)
			}
		})
		t.Run("MoveAndMoveOut", func(t *testing.T) {
			moved, err := s.MovePerson(ctx, p.ID, tr.hh[2].ID)
			if err != nil || moved.HouseholdID != tr.hh[2].ID {
				t.Fatalf("move: %v %v", moved, err)
			}
			if c := place(t, db, tr.comm1.ID); c.Residents != 0 {
				t.Fatalf("old community residents %d, want 0", c.Residents)
			}
			if c := place(t, db, tr.comm2.ID); c.Residents != 1 || c.Vulnerable != 1 {
				t.Fatalf("new community %d/%d, want 1/1", c.Residents, c.Vulnerable)
			}
			out := frontline.StatusMovedOut
			if _, err := s.UpdatePerson(ctx, p.ID, frontline.PersonUpdate{Status: &out}); err != nil {
				t.Fatal(err)
			}
			if c := place(t, db, tr.city.ID); c.Residents != 0 || c.Vulnerable != 0 {
				t.Fatalf("city after move-out %d/%d, want 0/0", c.Residents, c.Vulnerable)
			}
			assertCountsMatchRecount(t, db)
		})
		t.Run("History", func(t *testing.T) {
			hist, err := s.PersonHistory(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, c := range hist {
				actions = append(actions, c.Action)
				if c.Actor != "zhang" || c.Addr != "127.0.0.1" || c.At.IsZero() || time.Since(c.At) > time.Hour {
					t.Errorf("change %+v lacks who/when/where", c)
				}
			}
			if fmt.Sprint(actions) != "[move_out move create]" {
				t.Fatalf("actions %v", actions)
			}
			if hist[0].Before["status"] != "resident" || hist[0].After["status"] != "moved_out" {
				t.Fatalf("move-out change %+v", hist[0])
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }
