package sqldb_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestImportService_Again imports a community's list, then a corrected
// one: a new phone, a person moved to another household, a person without
// a document found again, one added; a dry run says so without writing;
// a sync moves out the one the list no longer names; a sync with a bad
// row writes nothing; every update is audited. It runs with every row
// looked up by number, and with the community's persons loaded first, as
// a big file has them (import_known.go).
func TestImportService_Again(t *testing.T) {
	t.Run("LookedUp", func(t *testing.T) { testImportAgain(t, false) })
	t.Run("Loaded", func(t *testing.T) { testImportAgain(t, true) })
}

func testImportAgain(t *testing.T, loaded bool) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "office", Addr: "127.0.0.1"})
		s := sqldb.NewImportService(db)
		if loaded {
			sqldb.SetImportKnownAfter(s, 0)
		}
		tr := buildTree(t, db)
		a, b, c, e := testID(), testID(), testID(), testID()
		first := residentFile(
			row(2, "枣园小区", "7号楼", "1单元", "101", "甲", a),
			row(3, "枣园小区", "7号楼", "1单元", "101", "乙", b),
			row(4, "枣园小区", "7号楼", "1单元", "102", "丙", c),
			row(5, "枣园小区", "7号楼", "1单元", "102", "小丁", ""),
		)
		first.Rows[3].Person.IDType, first.Rows[3].Person.BirthDate = frontline.IDNone, "2024-01-01"
		if res, err := s.ImportResidents(ctx, first, frontline.ImportOptions{Under: tr.comm1.ID}); err != nil || res.Added != 4 {
			t.Fatalf("first import: %v %+v", err, res)
		}

		again := func() *frontline.ResidentFile {
			f := residentFile(
				row(2, "枣园小区", "7号楼", "1单元", "101", "甲", a),
				row(3, "枣园小区", "7号楼", "1单元", "103", "乙", b), // moved
				row(4, "枣园小区", "7号楼", "1单元", "102", "小丁", ""),
				row(5, "枣园小区", "7号楼", "1单元", "104", "戊", e), // new
			)
			f.Rows[0].Person.Phone = "13900139000" // new phone
			f.Rows[2].Person.IDType, f.Rows[2].Person.BirthDate = frontline.IDNone, "2024-01-01"
			return f
		}
		before := snapshot(t, db, tr.city.ID)
		res, err := s.ImportResidents(ctx, again(), frontline.ImportOptions{Under: tr.comm1.ID, DryRun: true, Sync: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 1 || res.Updated != 1 || res.Moved != 1 || res.Unchanged != 1 || res.MovedOut != 1 {
			t.Fatalf("dry run: %+v", res)
		}
		outcomes := map[string]frontline.ImportChange{}
		for _, ch := range res.Changes {
			outcomes[ch.Outcome] = ch
		}
		if u := outcomes[frontline.ImportUpdated]; u.Row != 2 || len(u.Fields) != 1 || u.Fields[0] != "phone" {
			t.Errorf("update %+v", u)
		}
		if m := outcomes[frontline.ImportMoved]; m.Name != "乙" || m.From != "大城街道/罗玉新村社区/枣园小区/7号楼/1单元/101" || m.To != "大城街道/罗玉新村社区/枣园小区/7号楼/1单元/103" {
			t.Errorf("move %+v", m)
		}
		if o := outcomes[frontline.ImportMovedOut]; o.Name != "丙" || o.Row != 0 {
			t.Errorf("moved out %+v", o)
		}
		if after := snapshot(t, db, tr.city.ID); after != before {
			t.Fatalf("a dry run wrote: %s → %s", before, after)
		}

		t.Run("ErrSyncWithBadRow", func(t *testing.T) {
			f := again()
			f.Errors = []frontline.RowError{{Row: 6, Column: "E (姓名)", Message: "the name is missing"}}
			f.BadRows = map[int][]string{6: {"x"}}
			if _, err := s.ImportResidents(ctx, f, frontline.ImportOptions{Under: tr.comm1.ID, Sync: true, SkipBad: true}); frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("sync with a bad row: %v", err)
			}
			if after := snapshot(t, db, tr.city.ID); after != before {
				t.Fatalf("a refused sync wrote: %s → %s", before, after)
			}
		})

		res, err = s.ImportResidents(ctx, again(), frontline.ImportOptions{Under: tr.comm1.ID, Sync: true})
		if err != nil || res.Added != 1 || res.Updated != 1 || res.Moved != 1 || res.Unchanged != 1 || res.MovedOut != 1 {
			t.Fatalf("import again: %v %+v", err, res)
		}
		assertCountsMatchRecount(t, db)
		ps := sqldb.NewPersonService(db)
		got, _, err := ps.FindPersons(ctx, frontline.PersonFilter{IDNumber: &a})
		if err != nil || len(got) != 1 || got[0].Phone != "13900139000" {
			t.Fatalf("甲 after the update: %+v %v", got, err)
		}
		got, _, _ = ps.FindPersons(ctx, frontline.PersonFilter{IDNumber: &b})
		if len(got) != 1 || got[0].Household.Name != "103" {
			t.Fatalf("乙 after the move: %+v", got)
		}
		got, _, _ = ps.FindPersons(ctx, frontline.PersonFilter{IDNumber: &c, IncludeMoved: true})
		if len(got) != 1 || got[0].Status != frontline.StatusMovedOut {
			t.Fatalf("丙 after the sync: %+v", got)
		}
		if c := place(t, db, tr.comm1.ID); c.Residents != 4 {
			t.Errorf("community residents %d, want 4", c.Residents)
		}
		hist, err := ps.PersonHistory(ctx, got[0].ID)
		if err != nil || len(hist) == 0 || hist[0].Action != "move_out" {
			t.Errorf("丙's history: %+v %v", hist, err)
		}
		got, _, _ = ps.FindPersons(ctx, frontline.PersonFilter{IDNumber: &a})
		if hist, _ := ps.PersonHistory(ctx, got[0].ID); len(hist) == 0 || hist[0].Action != "import_update" {
			t.Errorf("甲's update is not audited: %+v", hist)
		}

		// The same list once more changes nothing.
		res, err = s.ImportResidents(ctx, again(), frontline.ImportOptions{Under: tr.comm1.ID, Sync: true})
		if err != nil || res.Unchanged != 4 || res.Added != 0 || res.MovedOut != 0 || len(res.Changes) != 0 {
			t.Fatalf("third import: %v %+v", err, res)
		}
	})
}

// TestImportService_AgainLoadedDetails imports a list with every column,
// then the same list with one detail changed on each row but a few, with
// the community's persons loaded first: each change is found (none taken
// for unchanged by its fingerprint), a number listed under another name is
// refused, and an empty cell keeps the registered value.
func TestImportService_AgainLoadedDetails(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewImportService(db)
		sqldb.SetImportKnownAfter(s, 0)
		tr := buildTree(t, db)
		ids := []string{testID(), testID(), testID(), testID(), testID(), testID(), testID()}
		list := func(change func(i int, p *frontline.Person)) *frontline.ResidentFile {
			var rows []frontline.ResidentRow
			for i, id := range ids {
				r := row(i+2, "枣园小区", "7号楼", "1单元", "101", fmt.Sprintf("人%d", i), id)
				r.Person.Phone, r.Person.Relation, r.Person.Status = "13800138000", frontline.RelOther, frontline.StatusResident
				r.Person.Flags = []frontline.Flag{frontline.FlagChronic}
				if change != nil {
					change(i, &r.Person)
				}
				rows = append(rows, r)
			}
			f := residentFile(rows...)
			for _, c := range []string{frontline.ColPhone, frontline.ColRelation, frontline.ColFlags, frontline.ColStatus} {
				f.Columns[c] = c
			}
			return f
		}
		if res, err := s.ImportResidents(ctx, list(nil), frontline.ImportOptions{Under: tr.comm1.ID}); err != nil || res.Added != len(ids) {
			t.Fatalf("first import: %v %+v", err, res)
		}
		changes := func(i int, p *frontline.Person) {
			switch i {
			case 1:
				p.Phone = "13900139000"
			case 2:
				p.Relation = frontline.RelSpouse
			case 3:
				p.Flags = nil
			case 4:
				p.Status = frontline.StatusTemporary
			case 6:
				p.Phone = "" // an empty cell changes nothing
			}
		}
		res, err := s.ImportResidents(ctx, list(func(i int, p *frontline.Person) {
			changes(i, p)
			if i == 5 {
				p.Name = "别人" // the number is someone else's
			}
		}), frontline.ImportOptions{Under: tr.comm1.ID, DryRun: true})
		if frontline.ErrorCode(err) != frontline.EINVALID || len(res.Errors) != 1 || res.Errors[0].Row != 7 {
			t.Fatalf("again with a wrong name: %v %+v", err, res)
		}
		res, err = s.ImportResidents(ctx, list(changes), frontline.ImportOptions{Under: tr.comm1.ID})
		if err != nil || res.Unchanged != 3 || res.Updated != 4 || res.Added != 0 || res.Moved != 0 {
			t.Fatalf("again: %v %+v", err, res)
		}
		fields := map[int]string{}
		for _, c := range res.Changes {
			fields[c.Row] = strings.Join(c.Fields, ",")
		}
		if want := map[int]string{3: "phone", 4: "relation", 5: "flags", 6: "status"}; !maps.Equal(fields, want) {
			t.Errorf("changes %v, want %v", fields, want)
		}
		assertCountsMatchRecount(t, db)
	})
}
