package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// place mirrors the API's place object.
type place struct {
	ID         int64  `json:"id"`
	ParentID   *int64 `json:"parent_id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Code       string `json:"code"`
	Path       string `json:"path"`
	Households int    `json:"households"`
	Residents  int    `json:"residents"`
	Vulnerable int    `json:"vulnerable"`
	Retired    bool   `json:"retired"`
}

type placeList struct {
	Places []place `json:"places"`
	Total  int     `json:"total"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
}

func placeIDs(ps []place) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func ids(ps ...*frontline.Place) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func TestAPI_Places(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		for _, tt := range []struct {
			name, query string
			want        []int64
			total       int
		}{
			{"Roots", "", ids(f.city), 1},
			{"Children", fmt.Sprintf("?parent_id=%d", f.sub.ID), ids(f.comm1, f.comm2), 2},
			{"Subtree", fmt.Sprintf("?under=%d", f.comm1.ID), ids(f.comp1, f.bld1, f.unit1, f.hh[0], f.hh[1]), 5},
			{"Kind", fmt.Sprintf("?under=%d&kind=household", f.city.ID), ids(f.hh...), 4},
			{"Name", fmt.Sprintf("?under=%d&kind=community&name=%s", f.city.ID, "自治巷社区"), ids(f.comm2), 1},
			{"NameCleaned", fmt.Sprintf("?parent_id=%d&name=%s", f.sub.ID, "%E8%87%AA%E6%B2%BB%E5%B7%B7%20%E7%A4%BE%E5%8C%BA"), ids(f.comm2), 1},
			{"Page", fmt.Sprintf("?under=%d&limit=2&offset=2", f.city.ID), ids(f.comm1, f.comp1), 13},
			{"Leaf", fmt.Sprintf("?parent_id=%d", f.hh[0].ID), []int64{}, 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got placeList
				ts.getJSON(t, "/api/v1/places"+tt.query, http.StatusOK, &got)
				if !slices.Equal(placeIDs(got.Places), tt.want) || got.Total != tt.total {
					t.Fatalf("places %v (total %d), want %v (total %d)", placeIDs(got.Places), got.Total, tt.want, tt.total)
				}
				if got.Places == nil {
					t.Fatal("places is null, want a list")
				}
			})
		}
		t.Run("PageEcho", func(t *testing.T) {
			var got placeList
			ts.getJSON(t, "/api/v1/places", http.StatusOK, &got)
			if got.Limit != 100 || got.Offset != 0 {
				t.Fatalf("limit/offset %d/%d, want the defaults 100/0", got.Limit, got.Offset)
			}
			if c := got.Places[0]; c.ParentID != nil || c.Households != 4 || c.Residents != 6 || c.Vulnerable != 3 || c.Path == "" {
				t.Fatalf("city %+v, want no parent and 4/6/3", c)
			}
		})
		assertErrors(t, ts, []errorCase{
			{"/api/v1/places?parent_id=abc", http.StatusBadRequest, "parent_id"},
			{"/api/v1/places?parent_id=-3", http.StatusBadRequest, "parent_id"},
			{"/api/v1/places?parent_id=99999", http.StatusNotFound, "parent_id"},
			{"/api/v1/places?under=99999", http.StatusNotFound, "under"},
			{fmt.Sprintf("/api/v1/places?under=%d&parent_id=%d", f.city.ID, f.city.ID), http.StatusBadRequest, "under"},
			{"/api/v1/places?kind=planet", http.StatusBadRequest, "kind"},
			{"/api/v1/places?limit=0", http.StatusBadRequest, "limit"},
			{"/api/v1/places?limit=1001", http.StatusBadRequest, "limit"},
			{"/api/v1/places?limit=ten", http.StatusBadRequest, "limit"},
			{"/api/v1/places?offset=-1", http.StatusBadRequest, "offset"},
		})
	})
}

// errorCase is a request that must fail with status, naming field.
type errorCase struct {
	path   string
	status int
	field  string
}

func assertErrors(t *testing.T, ts *testServer, cases []errorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run("Err"+c.path, func(t *testing.T) {
			var got apiError
			ts.getJSON(t, c.path, c.status, &got)
			wantCode := map[int]string{400: frontline.EINVALID, 404: frontline.ENOTFOUND}[c.status]
			if got.Error.Code != wantCode || got.Error.Field != c.field || got.Error.Message == "" {
				t.Fatalf("error %+v, want code %s on field %q with a message", got.Error, wantCode, c.field)
			}
		})
	}
}

type placeDetail struct {
	Place         place   `json:"place"`
	Ancestors     []place `json:"ancestors"`
	Children      []place `json:"children"`
	ChildrenTotal int     `json:"children_total"`
}

func TestAPI_Place(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		t.Run("Community", func(t *testing.T) {
			body := ts.getJSON(t, fmt.Sprintf("/api/v1/places/%d", f.comm1.ID), http.StatusOK, nil)
			assertGolden(t, "place_community", body)
		})
		t.Run("SubtreeCounts", func(t *testing.T) {
			var got placeDetail
			ts.getJSON(t, fmt.Sprintf("/api/v1/places/%d", f.sub.ID), http.StatusOK, &got)
			if !slices.Equal(placeIDs(got.Ancestors), ids(f.city, f.district)) {
				t.Fatalf("ancestors %v", placeIDs(got.Ancestors))
			}
			want := map[int64][3]int{f.comm1.ID: {2, 4, 3}, f.comm2.ID: {2, 2, 0}}
			for _, c := range got.Children {
				if w := want[c.ID]; [3]int{c.Households, c.Residents, c.Vulnerable} != w {
					t.Errorf("%s counts %d/%d/%d, want %v", c.Name, c.Households, c.Residents, c.Vulnerable, w)
				}
			}
			if len(got.Children) != 2 || got.ChildrenTotal != 2 {
				t.Fatalf("children %v (total %d), want 2", placeIDs(got.Children), got.ChildrenTotal)
			}
		})
		t.Run("Household", func(t *testing.T) {
			var got placeDetail
			ts.getJSON(t, fmt.Sprintf("/api/v1/places/%d", f.hh[0].ID), http.StatusOK, &got)
			if got.Place.Residents != 3 || got.Children == nil || len(got.Children) != 0 || len(got.Ancestors) != 7 {
				t.Fatalf("household detail %+v", got)
			}
		})
		assertErrors(t, ts, []errorCase{
			{"/api/v1/places/abc", http.StatusBadRequest, "id"},
			{"/api/v1/places/0", http.StatusBadRequest, "id"},
			{"/api/v1/places/99999", http.StatusNotFound, ""},
		})
	})
}

// tree mirrors a node of the tree endpoint.
type tree struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Households int     `json:"households"`
	Residents  int     `json:"residents"`
	Vulnerable int     `json:"vulnerable"`
	Children   *[]tree `json:"children"`
	Truncated  bool    `json:"truncated"`
}

// depth returns the depth of the deepest expanded level below n.
func (n tree) depth() int {
	d := 0
	if n.Children != nil {
		for _, c := range *n.Children {
			d = max(d, 1+c.depth())
		}
	}
	return d
}

// checkSums fails for any expanded node whose counts are not the sum of its
// children's, and counts the nodes.
func (n tree) checkSums(t *testing.T) int {
	t.Helper()
	if n.Children == nil || len(*n.Children) == 0 {
		return 1
	}
	seen, sum := 1, [3]int{}
	for _, c := range *n.Children {
		sum[0], sum[1], sum[2] = sum[0]+c.Households, sum[1]+c.Residents, sum[2]+c.Vulnerable
		seen += c.checkSums(t)
	}
	if sum != [3]int{n.Households, n.Residents, n.Vulnerable} {
		t.Errorf("%s counts %d/%d/%d, children sum to %v", n.Name, n.Households, n.Residents, n.Vulnerable, sum)
	}
	return seen
}

func TestAPI_PlaceTree(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		for _, tt := range []struct {
			name, query string
			depth       int
		}{
			{"Default", "", 2},
			{"Zero", "?depth=0", 0},
			{"Max", "?depth=4", 4},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got tree
				ts.getJSON(t, fmt.Sprintf("/api/v1/places/%d/tree%s", f.city.ID, tt.query), http.StatusOK, &got)
				if d := got.depth(); d != tt.depth {
					t.Fatalf("tree depth %d, want %d", d, tt.depth)
				}
				if got.ID != f.city.ID || got.Households != 4 || got.Residents != 6 || got.Vulnerable != 3 || got.Truncated {
					t.Fatalf("root %+v, want the city with 4/6/3", got)
				}
				got.checkSums(t)
			})
		}
		t.Run("WholeCommunity", func(t *testing.T) {
			var got tree
			ts.getJSON(t, fmt.Sprintf("/api/v1/places/%d/tree?depth=4", f.comm1.ID), http.StatusOK, &got)
			// 罗玉新村社区 > 枣园小区 > 1号楼 > 1单元 > 101, 102: every node.
			if n := got.checkSums(t); n != 6 {
				t.Fatalf("tree has %d nodes, want 6", n)
			}
			hh := (*(*(*(*got.Children)[0].Children)[0].Children)[0].Children)[0]
			if hh.Kind != "household" || hh.Residents != 3 || hh.Vulnerable != 2 || hh.Children != nil {
				t.Fatalf("household leaf %+v", hh)
			}
		})
		assertErrors(t, ts, []errorCase{
			{fmt.Sprintf("/api/v1/places/%d/tree?depth=5", f.city.ID), http.StatusBadRequest, "depth"},
			{fmt.Sprintf("/api/v1/places/%d/tree?depth=-1", f.city.ID), http.StatusBadRequest, "depth"},
			{"/api/v1/places/x/tree", http.StatusBadRequest, "id"},
			{"/api/v1/places/99999/tree", http.StatusNotFound, ""},
		})
	})
}
