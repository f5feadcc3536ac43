package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// placeOf reads a place through the store, as the system.
func placeOf(tb testing.TB, db *sqldb.DB, id int64) *frontline.Place {
	tb.Helper()
	p, err := sqldb.NewPlaceService(db).FindPlaceByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// wantForm checks a form page answered 422 with the message beside field
// and the typed value kept.
func wantForm(tb testing.TB, what string, resp *http.Response, body, field, kept string) {
	tb.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-`+field+`"`) ||
		(kept != "" && !strings.Contains(body, kept)) {
		tb.Fatalf("%s: status %d, want 422 with an error at %s keeping %q; body %s", what, resp.StatusCode, field, kept, body)
	}
}

// TestPlaceEdit_Pages drives the place pages as the secretary of 罗玉新村社区:
// add a building and a household, rename, move and retire, each refusal
// shown beside its field with what was typed kept, every change audited.
func TestPlaceEdit_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)

		resp, body := sec.get(t, fmt.Sprintf("/places/%d", f.comp1.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`href="/places/%d/edit"`, f.comp1.ID)) {
			t.Fatalf("compound page: %d, no link to manage it", resp.StatusCode)
		}
		resp, body = sec.get(t, fmt.Sprintf("/places/%d/edit", f.comp1.ID))
		for _, want := range []string{`data-testid="add-form"`, `data-testid="rename-form"`, `data-testid="move-form"`, `data-testid="retire-form"`,
			`<option value="building" selected>`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("edit page of the compound lacks %s (status %d)", want, resp.StatusCode)
			}
		}

		add := fmt.Sprintf("/places/%d/children", f.comp1.ID)
		resp, body = sec.postForm(t, add, url.Values{"place_kind": {"building"}, "place_name": {""}, "place_code": {"Z-3"}})
		wantForm(t, "add without a name", resp, body, "place_name", `value="Z-3"`)
		resp, body = sec.postForm(t, add, url.Values{"place_kind": {"building"}, "place_name": {"1号楼"}})
		wantForm(t, "add a second 1号楼", resp, body, "place_name", `value="1号楼"`)
		resp, body = sec.postForm(t, add, url.Values{"place_kind": {"community"}, "place_name": {"新社区"}})
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a community under a compound: %d %s", resp.StatusCode, body)
		}
		resp, _ = sec.postForm(t, add, url.Values{"place_kind": {"building"}, "place_name": {"3号楼"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, fmt.Sprintf("/places/%d/edit?kind=building&added=", f.comp1.ID)) {
			t.Fatalf("add 3号楼: %d to %q", resp.StatusCode, loc)
		}
		if _, body = sec.get(t, loc); !strings.Contains(body, `data-testid="added"`) || !strings.Contains(body, "3号楼") {
			t.Fatal("the page after adding does not say what was added")
		}
		bld3, err := sqldb.NewPlaceService(db).FindPlaceByPath(context.Background(), "天水市/秦州区/大城街道/罗玉新村社区/枣园小区/3号楼")
		if err != nil {
			t.Fatal(err)
		}
		resp, _ = sec.postForm(t, fmt.Sprintf("/places/%d/children", bld3.ID), url.Values{"place_kind": {"household"}, "place_name": {"501"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add a household: %d", resp.StatusCode)
		}
		if got := placeOf(t, db, f.comm1.ID).Households; got != 3 {
			t.Fatalf("community households %d after adding one, want 3", got)
		}

		t.Run("Rename", func(t *testing.T) {
			path := fmt.Sprintf("/places/%d/rename", bld3.ID)
			resp, body := sec.postForm(t, path, url.Values{"place_name": {strings.Repeat("楼", 101)}, "place_code": {"B3"}})
			wantForm(t, "a name too long", resp, body, "place_name", `value="B3"`)
			resp, _ = sec.postForm(t, path, url.Values{"place_name": {"3号楼（新）"}, "place_code": {"B3"}})
			if got := placeOf(t, db, bld3.ID); resp.StatusCode != http.StatusSeeOther || got.Name != "3号楼（新）" || got.Code != "B3" {
				t.Fatalf("rename: %d, %+v", resp.StatusCode, got)
			}
		})
		t.Run("Move", func(t *testing.T) {
			path := fmt.Sprintf("/places/%d/move", f.bld1.ID)
			resp, body := sec.postForm(t, path, url.Values{"parent_id": {"abc"}})
			wantForm(t, "a target that is no number", resp, body, "parent_id", `value="abc"`)
			resp, body = sec.postForm(t, path, url.Values{"parent_id": {fmt.Sprint(f.comp2.ID)}})
			wantForm(t, "a target outside the secretary's community", resp, body, "parent_id", fmt.Sprintf(`value="%d"`, f.comp2.ID))
			resp, body = sec.postForm(t, path, url.Values{"parent_id": {fmt.Sprint(f.hh[2].ID)}})
			wantForm(t, "a target that cannot hold a building", resp, body, "parent_id", "")
			// A compound of its own community is offered, and takes it.
			comp3 := mustPlace(t, db, f.comm1, frontline.KindCompound, "桃园小区")
			_, body = sec.get(t, fmt.Sprintf("/places/%d/edit", f.bld1.ID))
			if !strings.Contains(body, fmt.Sprintf(`<option value="%d">罗玉新村社区/桃园小区</option>`, comp3.ID)) {
				t.Fatalf("the move list does not offer 桃园小区: %s", body)
			}
			resp, _ = sec.postForm(t, path, url.Values{"parent_pick": {fmt.Sprint(comp3.ID)}, "parent_id": {""}})
			if got := placeOf(t, db, f.bld1.ID); resp.StatusCode != http.StatusSeeOther || got.ParentID != comp3.ID {
				t.Fatalf("move: %d, parent %d", resp.StatusCode, got.ParentID)
			}
			if got := placeOf(t, db, comp3.ID); got.Households != 2 || got.Residents != 4 {
				t.Fatalf("桃园小区 after the move: %+v", got)
			}
		})
		t.Run("Retire", func(t *testing.T) {
			resp, body := sec.postForm(t, fmt.Sprintf("/places/%d/retire", f.hh[0].ID), url.Values{"confirm": {"1"}})
			wantForm(t, "a household with residents", resp, body, "residents", "")
			resp, body = sec.postForm(t, fmt.Sprintf("/places/%d/retire", bld3.ID), nil)
			wantForm(t, "without confirming", resp, body, "confirm", "")
			resp, _ = sec.postForm(t, fmt.Sprintf("/places/%d/retire", bld3.ID), url.Values{"confirm": {"1"}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/places/%d", f.comp1.ID) {
				t.Fatalf("retire: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if _, body = sec.get(t, fmt.Sprintf("/places/%d", f.comp1.ID)); strings.Contains(body, "3号楼") {
				t.Fatal("the compound still lists the retired building")
			}
			if _, body = sec.get(t, fmt.Sprintf("/places/%d/edit", bld3.ID)); !strings.Contains(body, `data-testid="retired"`) || strings.Contains(body, "add-form") {
				t.Fatal("the retired building's page offers changes")
			}
		})
		t.Run("NotTheirs", func(t *testing.T) {
			if _, body := sec.get(t, fmt.Sprintf("/places/%d/edit", f.comm1.ID)); !strings.Contains(body, `data-testid="why-not"`) || strings.Contains(body, "rename-form") {
				t.Fatal("the secretary is offered to rename their community")
			}
			grid := ts.as(t, frontline.RoleGridWorker, f.bld2)
			if _, body := grid.get(t, fmt.Sprintf("/places/%d/edit", f.bld2.ID)); !strings.Contains(body, "这是您负责的范围") {
				t.Fatal("a grid worker is offered to change their own building")
			}
			if resp, _ := grid.postForm(t, fmt.Sprintf("/places/%d/rename", f.bld2.ID), url.Values{"place_name": {"x"}}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("a grid worker renamed their own building: %d", resp.StatusCode)
			}
			vol := ts.as(t, frontline.RoleVolunteer, f.comm1)
			if resp, _ := vol.get(t, fmt.Sprintf("/places/%d/edit", f.comp1.ID)); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("a volunteer reached the edit page: %d", resp.StatusCode)
			}
			if _, body := vol.get(t, fmt.Sprintf("/places/%d", f.comp1.ID)); strings.Contains(body, "/edit") {
				t.Fatal("a volunteer is shown a link to a page they may not open")
			}
		})

		changes, _, err := sqldb.NewAuditService(db).FindChanges(context.Background(), frontline.ChangeFilter{Entity: ptr("place")})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, c := range changes {
			if c.Actor != "" && strings.Contains(c.Actor, "community-secretary") {
				seen[c.Action]++
			}
		}
		if seen["create"] != 2 || seen["update"] != 1 || seen["move"] != 1 || seen["retire"] != 1 {
			t.Fatalf("audited changes by the secretary: %v", seen)
		}
		assertCounts(t, db)
	})
}

func ptr[T any](v T) *T { return &v }

// assertCounts checks the tree's counts against a recount.
func assertCounts(tb testing.TB, db *sqldb.DB) {
	tb.Helper()
	bad, err := db.CheckAllCounts(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range bad {
		tb.Error(b)
	}
}

// TestAPI_PlaceWrite adds, renames, moves and retires through the JSON
// API, with its refusals.
func TestAPI_PlaceWrite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		c := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		var out struct {
			Place place `json:"place"`
		}
		resp, body := c.sendJSON(t, http.MethodPost, "/api/v1/places", map[string]any{"parent_id": f.comp1.ID, "kind": "building", "name": "5号楼"})
		decodeAPI(t, "create", resp, body, http.StatusCreated, &out)
		if out.Place.Name != "5号楼" || out.Place.Kind != "building" || *out.Place.ParentID != f.comp1.ID {
			t.Fatalf("created %+v", out.Place)
		}
		bld := out.Place.ID
		resp, body = c.sendJSON(t, http.MethodPatch, fmt.Sprintf("/api/v1/places/%d", bld), map[string]any{"name": "5号楼A"})
		decodeAPI(t, "rename", resp, body, http.StatusOK, &out)
		if out.Place.Name != "5号楼A" {
			t.Fatalf("renamed %+v", out.Place)
		}
		resp, body = c.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/places/%d/move", f.unit1.ID), map[string]any{"parent_id": bld})
		decodeAPI(t, "move", resp, body, http.StatusOK, &out)
		if *out.Place.ParentID != bld || out.Place.Households != 2 {
			t.Fatalf("moved %+v", out.Place)
		}
		if got := placeOf(t, db, bld); got.Households != 2 || got.Residents != 4 {
			t.Fatalf("the building after the unit moved in: %+v", got)
		}
		resp, body = c.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/places/%d/retire", f.bld1.ID), nil)
		decodeAPI(t, "retire an empty building", resp, body, http.StatusOK, &out)
		if !out.Place.Retired {
			t.Fatalf("retired %+v", out.Place)
		}
		for _, tt := range []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"NoParent", http.MethodPost, "/api/v1/places", map[string]any{"kind": "building", "name": "x"}, http.StatusBadRequest, "parent_id"},
			{"ParentOutside", http.MethodPost, "/api/v1/places", map[string]any{"parent_id": f.comp2.ID, "kind": "building", "name": "x"}, http.StatusNotFound, "parent_id"},
			{"BadCode", http.MethodPost, "/api/v1/places", map[string]any{"parent_id": f.comm1.ID, "kind": "community", "name": "x"}, http.StatusForbidden, ""},
			{"KindChange", http.MethodPatch, fmt.Sprintf("/api/v1/places/%d", bld), map[string]any{"kind": "unit"}, http.StatusBadRequest, "kind"},
			{"MoveIntoItself", http.MethodPost, fmt.Sprintf("/api/v1/places/%d/move", bld), map[string]any{"parent_id": f.unit1.ID}, http.StatusConflict, "parent_id"},
			{"RetireWithResidents", http.MethodPost, fmt.Sprintf("/api/v1/places/%d/retire", bld), nil, http.StatusConflict, "residents"},
			{"RetireOwnScope", http.MethodPost, fmt.Sprintf("/api/v1/places/%d/retire", f.comm1.ID), nil, http.StatusForbidden, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := c.sendJSON(t, tt.method, tt.path, tt.body)
				var e apiError
				decodeAPI(t, tt.name, resp, body, tt.status, &e)
				if e.Error.Field != tt.field {
					t.Fatalf("field %q, want %q: %s", e.Error.Field, tt.field, body)
				}
			})
		}
		vol := ts.as(t, frontline.RoleVolunteer, f.comm1)
		resp, body = vol.sendJSON(t, http.MethodPost, "/api/v1/places", map[string]any{"parent_id": f.comp1.ID, "kind": "building", "name": "6号楼"})
		decodeAPI(t, "a volunteer", resp, body, http.StatusForbidden, nil)
		assertCounts(t, db)
	})
}

// TestBrowser_PlaceEdit adds a household on a phone and on a desktop: a
// missing name keeps
// the kind and code typed, with the message beside the field, and the
// page never scrolls sideways.
func TestBrowser_PlaceEdit(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db)
	ts.user(t, "xiahong", frontline.RoleCommunitySecretary, f.comm1)
	for i, size := range []browser.Size{browser.Phone, browser.Desktop} {
		p := b.NewPage(t, size)
		if i == 0 {
			signInBrowser(p, ts.URL, "xiahong") // the tabs of one browser share the session
		}
		p.Do(chromedp.Navigate(fmt.Sprintf("%s/places/%d", ts.URL, f.bld1.ID)), chromedp.WaitVisible(css("place-edit")),
			chromedp.Click(css("place-edit")), chromedp.WaitVisible(css("add-form")))
		p.Until(`document.documentElement.scrollWidth <= window.innerWidth`)
		name := fmt.Sprintf("%d", 600+size.Width%7)
		p.Do(chromedp.SetValue(css("add-kind"), "household"), chromedp.SetValue(css("add-name"), " "),
			chromedp.SetValue(css("add-code"), "H-"+name), chromedp.Click(css("add-submit")), chromedp.WaitVisible(css("error-place_name")))
		if got := browser.Get(p, chromedp.Evaluate[string](`document.querySelector('[data-testid="add-code"]').value + "|" + document.querySelector('[data-testid="add-kind"]').value`)); got != "H-"+name+"|household" {
			t.Fatalf("after the refusal the form holds %q", got)
		}
		p.Until(`document.documentElement.scrollWidth <= window.innerWidth`)
		p.Screenshot(fmt.Sprintf("place-edit-error-%d", size.Width))
		p.Do(chromedp.SetValue(css("add-name"), name), chromedp.Click(css("add-submit")), chromedp.WaitVisible(css("added")))
		p.Screenshot(fmt.Sprintf("place-edit-%d", size.Width))
	}
	if got := placeOf(t, db, f.bld1.ID).Households; got != 4 {
		t.Fatalf("building households %d, want 4", got)
	}
}
