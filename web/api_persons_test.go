package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// household mirrors the API's household object.
type household struct {
	place
	Address string `json:"address"`
}

type householdList struct {
	Households []household `json:"households"`
	Total      int         `json:"total"`
}

// person mirrors the API's person object.
type person struct {
	ID          int64    `json:"id"`
	HouseholdID int64    `json:"household_id"`
	Name        string   `json:"name"`
	Sex         string   `json:"sex"`
	Age         *int     `json:"age"`
	IDType      string   `json:"id_type"`
	IDNumber    string   `json:"id_number"`
	Phone       string   `json:"phone"`
	Relation    string   `json:"relation"`
	Flags       []string `json:"flags"`
	Status      string   `json:"status"`
	Address     string   `json:"address"`
}

type personList struct {
	Persons []person `json:"persons"`
	Total   int      `json:"total"`
}

func personIDs(ps []person) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// countingPlaces counts the Ancestors calls a request makes.
type countingPlaces struct {
	frontline.PlaceService
	ancestors atomic.Int64
}

func (c *countingPlaces) Ancestors(ctx context.Context, id int64) ([]*frontline.Place, error) {
	c.ancestors.Add(1)
	return c.PlaceService.Ancestors(ctx, id)
}

func TestAPI_Households(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		places := &countingPlaces{PlaceService: sqldb.NewPlaceService(db)}
		ts := newAdminServer(t, db, f, func(s *web.Server) { s.Places = places })
		t.Run("Addresses", func(t *testing.T) {
			var got householdList
			ts.getJSON(t, fmt.Sprintf("/api/v1/households?under=%d", f.city.ID), http.StatusOK, &got)
			want := []string{
				"罗玉新村社区/枣园小区/1号楼/1单元/101", "罗玉新村社区/枣园小区/1号楼/1单元/102",
				"自治巷社区/忠义巷小区/2号楼/101", "自治巷社区/忠义巷小区/2号楼/102",
			}
			var addrs []string
			for _, h := range got.Households {
				addrs = append(addrs, h.Address)
			}
			if !slices.Equal(addrs, want) || got.Total != 4 {
				t.Fatalf("addresses %q (total %d), want %q", addrs, got.Total, want)
			}
			if h := got.Households[0]; h.Residents != 3 || h.Vulnerable != 2 || h.Kind != "household" {
				t.Fatalf("first household %+v, want 3 residents, 2 vulnerable", h)
			}
			// Two distinct parents (1单元 and 2号楼): one Ancestors call each.
			if n := places.ancestors.Load(); n != 2 {
				t.Fatalf("%d Ancestors calls for a page of 4 households under 2 parents, want 2", n)
			}
		})
		t.Run("Page", func(t *testing.T) {
			var got householdList
			ts.getJSON(t, fmt.Sprintf("/api/v1/households?under=%d&limit=1&offset=2", f.sub.ID), http.StatusOK, &got)
			if len(got.Households) != 1 || got.Households[0].ID != f.hh[2].ID || got.Total != 4 {
				t.Fatalf("page %+v", got)
			}
		})
		t.Run("Detail", func(t *testing.T) {
			body := ts.getJSON(t, fmt.Sprintf("/api/v1/households/%d", f.hh[0].ID), http.StatusOK, nil)
			assertGolden(t, "household", body)
		})
		t.Run("IncludeMoved", func(t *testing.T) {
			var now, all struct{ Members []person }
			ts.getJSON(t, fmt.Sprintf("/api/v1/households/%d", f.hh[2].ID), http.StatusOK, &now)
			ts.getJSON(t, fmt.Sprintf("/api/v1/households/%d?include_moved=true", f.hh[2].ID), http.StatusOK, &all)
			if len(now.Members) != 1 || len(all.Members) != 2 || all.Members[1].Status != "moved_out" {
				t.Fatalf("members %+v, with moved %+v", now.Members, all.Members)
			}
		})
		assertErrors(t, ts, []errorCase{
			{"/api/v1/households", http.StatusBadRequest, "under"},
			{"/api/v1/households?under=x", http.StatusBadRequest, "under"},
			{"/api/v1/households?under=99999", http.StatusNotFound, "under"},
			{fmt.Sprintf("/api/v1/households?under=%d&limit=5000", f.city.ID), http.StatusBadRequest, "limit"},
			{fmt.Sprintf("/api/v1/households/%d", f.bld1.ID), http.StatusNotFound, ""},
			{"/api/v1/households/99999", http.StatusNotFound, ""},
			{"/api/v1/households/1x", http.StatusBadRequest, "id"},
			{fmt.Sprintf("/api/v1/households/%d?include_moved=sometimes", f.hh[0].ID), http.StatusBadRequest, "include_moved"},
		})
	})
}

func TestAPI_Persons(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		p := f.persons
		for _, tt := range []struct {
			name  string
			query url.Values
			want  []*frontline.Person
			total int
		}{
			{"All", nil, []*frontline.Person{p[0], p[1], p[2], p[3], p[4], p[6]}, 6},
			{"Under", url.Values{"under": {id(f.comm1)}}, p[0:4], 4},
			{"UnderOther", url.Values{"under": {id(f.comm2)}}, []*frontline.Person{p[4], p[6]}, 2},
			{"IncludeMoved", url.Values{"under": {id(f.comm2)}, "include_moved": {"true"}}, p[4:7], 3},
			{"Household", url.Values{"household_id": {id(f.hh[0])}}, p[0:3], 3},
			{"NamePrefix", url.Values{"name": {"张"}}, []*frontline.Person{p[0], p[2]}, 2},
			{"Phone", url.Values{"phone": {p[3].Phone}}, p[3:4], 1},
			{"PhoneWritten", url.Values{"phone": {"139-0000-0004"}}, p[3:4], 1},
			{"Landline", url.Values{"phone": {"0938-8211234"}}, p[4:5], 1},
			{"IDFull", url.Values{"id_number": {p[4].IDNumber}}, p[4:5], 1},
			{"IDTail4", url.Values{"id_number": {p[0].IDNumber[14:]}}, p[0:1], 1},
			{"IDTail6", url.Values{"id_number": {p[1].IDNumber[12:]}}, p[1:2], 1},
			{"Flagged", url.Values{"flagged": {"true"}}, []*frontline.Person{p[0], p[2], p[3]}, 3},
			{"FlaggedUnder", url.Values{"flagged": {"1"}, "under": {id(f.comm2)}}, nil, 0},
			{"Paged", url.Values{"limit": {"2"}, "offset": {"1"}}, p[1:3], 6},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got personList
				ts.getJSON(t, "/api/v1/persons?"+tt.query.Encode(), http.StatusOK, &got)
				want := make([]int64, len(tt.want))
				for i, w := range tt.want {
					want[i] = w.ID
				}
				if !slices.Equal(personIDs(got.Persons), want) || got.Total != tt.total {
					t.Fatalf("persons %v (total %d), want %v (total %d)", personIDs(got.Persons), got.Total, want, tt.total)
				}
			})
		}
		t.Run("Masked", func(t *testing.T) {
			var got personList
			ts.getJSON(t, "/api/v1/persons?name="+url.QueryEscape("王芳"), http.StatusOK, &got)
			w := got.Persons[0]
			if w.IDNumber != frontline.MaskIDNumber(p[3].IDNumber) || w.Phone != "139****0004" {
				t.Fatalf("id %q phone %q, want masked", w.IDNumber, w.Phone)
			}
			if w.Age == nil || *w.Age != 86 || w.Sex != "F" || w.Address != "罗玉新村社区/枣园小区/1号楼/1单元/102" {
				t.Fatalf("person %+v", w)
			}
			if !slices.Equal(w.Flags, []string{"living_alone", "chronic"}) {
				t.Fatalf("flags %v", w.Flags)
			}
		})
		assertErrors(t, ts, []errorCase{
			{"/api/v1/persons?under=abc", http.StatusBadRequest, "under"},
			{"/api/v1/persons?under=99999", http.StatusNotFound, "under"},
			{"/api/v1/persons?household_id=0", http.StatusBadRequest, "household_id"},
			{"/api/v1/persons?id_number=12", http.StatusBadRequest, "id_number"},
			{"/api/v1/persons?flagged=maybe", http.StatusBadRequest, "flagged"},
			{"/api/v1/persons?include_moved=2", http.StatusBadRequest, "include_moved"},
			{"/api/v1/persons?limit=1001", http.StatusBadRequest, "limit"},
			{"/api/v1/persons?offset=x", http.StatusBadRequest, "offset"},
		})
	})
}

func id(p *frontline.Place) string { return fmt.Sprint(p.ID) }

func TestAPI_Person(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		t.Run("Found", func(t *testing.T) {
			var got struct{ Person person }
			ts.getJSON(t, fmt.Sprintf("/api/v1/persons/%d", f.persons[4].ID), http.StatusOK, &got)
			w := got.Person
			if w.Name != "赵强" || w.Address != "自治巷社区/忠义巷小区/2号楼/101" || w.Phone != frontline.MaskPhone("0938-8211234") ||
				w.IDNumber != frontline.MaskIDNumber(f.persons[4].IDNumber) || w.HouseholdID != f.hh[2].ID {
				t.Fatalf("person %+v", w)
			}
		})
		t.Run("MovedOut", func(t *testing.T) {
			var got struct{ Person person }
			ts.getJSON(t, fmt.Sprintf("/api/v1/persons/%d", f.persons[5].ID), http.StatusOK, &got)
			if got.Person.Status != "moved_out" {
				t.Fatalf("person %+v", got.Person)
			}
		})
		t.Run("Passport", func(t *testing.T) {
			var got struct{ Person person }
			ts.getJSON(t, fmt.Sprintf("/api/v1/persons/%d", f.persons[6].ID), http.StatusOK, &got)
			if w := got.Person; w.IDType != "passport" || w.IDNumber != "E******78" || w.Age != nil {
				t.Fatalf("person %+v", w)
			}
		})
		assertErrors(t, ts, []errorCase{
			{"/api/v1/persons/99999", http.StatusNotFound, ""},
			{"/api/v1/persons/abc", http.StatusBadRequest, "id"},
		})
	})
}
