package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestDuplicates_Page lists two registrations of one infant on the page
// and the API, marks one pair as different people on the page and merges
// the other through the API; the sampler, who may not edit the
// registry, is refused.
func TestDuplicates_Page(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		ctx := context.Background()
		ps := sqldb.NewPersonService(db)
		mk := func(hh *frontline.Place, name, birth string) *frontline.Person {
			p := &frontline.Person{HouseholdID: hh.ID, Name: name, IDType: frontline.IDNone, BirthDate: birth}
			if err := ps.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		a, b := mk(f.hh[0], "张小宝", "2024-01-01"), mk(f.hh[2], "张小宝", "2024-01-01")
		c, d := mk(f.hh[1], "王小妹", "2023-03-03"), mk(f.hh[3], "王小妹", "2023-03-03")

		_, body := ts.getPage(t, "/duplicates?under="+strconv.FormatInt(f.city.ID, 10), http.StatusOK)
		if strings.Count(body, `data-testid="dup-pair"`) != 2 || !strings.Contains(body, "张小宝") || !strings.Contains(body, "无证件") {
			t.Fatalf("page lacks the pairs:\n%s", body)
		}
		resp, _ := ts.client.postForm(t, "/duplicates/distinct", url.Values{"a_id": {strconv.FormatInt(c.ID, 10)},
			"b_id": {strconv.FormatInt(d.ID, 10)}, "under": {strconv.FormatInt(f.city.ID, 10)}})
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark distinct: %d", resp.StatusCode)
		}

		var list struct {
			Pairs []struct{ A, B struct{ ID int64 } } `json:"pairs"`
			Total int                                 `json:"total"`
		}
		ts.getJSON(t, "/api/v1/duplicates?under="+strconv.FormatInt(f.city.ID, 10), http.StatusOK, &list)
		if list.Total != 1 || list.Pairs[0].A.ID != a.ID || list.Pairs[0].B.ID != b.ID {
			t.Fatalf("API list %+v", list)
		}
		resp, body = ts.client.sendJSON(t, http.MethodPost, "/api/v1/duplicates/merge", map[string]int64{"survivor_id": a.ID, "merged_id": b.ID})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"merged_id": `+strconv.FormatInt(b.ID, 10)) {
			t.Fatalf("merge: %d %s", resp.StatusCode, body)
		}
		ts.getJSON(t, "/api/v1/duplicates?under="+strconv.FormatInt(f.city.ID, 10), http.StatusOK, &list)
		if list.Total != 0 {
			t.Fatalf("after the merge: %+v", list)
		}

		grid := ts.as(t, frontline.RoleSampler, f.comp1)
		if resp, _ := grid.get(t, "/duplicates"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("sampler: %d, want 403", resp.StatusCode)
		}
	})
}
