package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// fieldError returns the message shown next to a form field, or "".
func fieldError(body, field string) string {
	m := regexp.MustCompile(`data-testid="error-` + regexp.QuoteMeta(field) + `" role="alert">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// editForm is the edit form of p as a browser posts it unchanged.
func editForm(p *frontline.Person) url.Values {
	v := url.Values{"name": {p.Name}, "sex": {string(p.Sex)}, "id_type": {string(p.IDType)},
		"relation": {string(p.Relation)}, "status": {string(p.Status)}}
	for _, fl := range p.Flags {
		v.Add("flags", string(fl))
	}
	return v
}

func findPerson(tb testing.TB, db *sqldb.DB, id int64) *frontline.Person {
	tb.Helper()
	p, err := sqldb.NewPersonService(db).FindPersonByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestPersonPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		p := f.persons[0]
		_, body := staff.get(t, fmt.Sprintf("/persons/%d", p.ID))
		assertContains(t, body, "<h1 data-testid=\"person-name\">张三</h1>", "罗玉新村社区/枣园小区/1号楼/1单元/101",
			frontline.MaskIDNumber(p.IDNumber), "139****0001", "透析", "居民身份证", "新建", "1970-**-**",
			`data-testid="reveal"`, `data-testid="edit"`, `data-testid="moveout"`, `data-testid="move-pick"`,
			fmt.Sprintf(`<option value="%d">罗玉新村社区/枣园小区/1号楼/1单元/102</option>`, f.hh[1].ID))
		if strings.Contains(body, `data-testid="person-audit"`) {
			t.Error("community staff may not read the audit log, but the page links to it")
		}
		// A volunteer reads, and is offered nothing else.
		vol := ts.as(t, frontline.RoleVolunteer, f.comm1)
		_, body = vol.get(t, fmt.Sprintf("/persons/%d", p.ID))
		for _, action := range []string{`data-testid="reveal"`, `data-testid="edit"`, `data-testid="moveout"`, `action="/persons/`} {
			if strings.Contains(body, action) {
				t.Errorf("a volunteer is offered %s", action)
			}
		}
	})
}

func TestEditPerson(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		p := f.persons[1]
		path := fmt.Sprintf("/persons/%d/edit", p.ID)
		_, body := staff.get(t, path)
		assertContains(t, body, `data-testid="person-form"`, `value="李梅"`, `data-testid="field-phone"`,
			"现为 "+frontline.MaskPhone(p.Phone)+"，留空则不变。")
		for _, secret := range []string{p.IDNumber, p.Phone, p.BirthDate} {
			if strings.Contains(body, secret) {
				t.Fatalf("the edit form shows %q", secret)
			}
		}
		for _, tt := range []struct {
			name, field, value, errField, want string
		}{
			{"BadPhone", "phone", "12345", "phone", "电话号码不正确"},
			{"BadIDNumber", "id_number", "620502197208150000", "id_number", "证件号码不正确"},
			{"TakenIDNumber", "id_number", f.persons[4].IDNumber, "id_number", "已登记在另一位居民名下"},
			{"NoName", "name", " ", "name", "请填写名称"},
			{"BadBirthDate", "birth_date", "1972-01-01", "birth_date", "与证件号码不符"},
			{"BadStatus", "status", "gone", "status", "请选择居住状态"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				form := editForm(p)
				form.Set(tt.field, tt.value)
				resp, body := staff.postForm(t, path, form)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d; body %.500s", resp.StatusCode, body)
				}
				if got := fieldError(body, tt.errField); !strings.Contains(got, tt.want) {
					t.Fatalf("message next to %s: %q, want %q", tt.errField, got, tt.want)
				}
				if got := findPerson(t, db, p.ID); got.Name != p.Name || got.Phone != p.Phone || got.IDNumber != p.IDNumber {
					t.Fatalf("a refused edit changed the person: %+v", got)
				}
			})
		}
		t.Run("English", func(t *testing.T) {
			form := editForm(p)
			form.Set("phone", "12345")
			form.Set("csrf", staff.csrf)
			_, body := staff.postRaw(t, path, form, http.Header{"Cookie": {"lang=en"}})
			if got := fieldError(body, "phone"); !strings.Contains(got, "The phone number is not valid") {
				t.Fatalf("English message: %q", got)
			}
		})
		t.Run("Saved", func(t *testing.T) {
			form := editForm(p)
			form.Set("phone", "139 0000 0099")
			form.Add("flags", "pregnant")
			resp, _ := staff.postForm(t, path, form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/persons/%d", p.ID) {
				t.Fatalf("save: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			got := findPerson(t, db, p.ID)
			if got.Phone != "13900000099" || got.IDNumber != p.IDNumber || len(got.Flags) != 1 || got.Flags[0] != frontline.FlagPregnant {
				t.Fatalf("saved %+v", got)
			}
			_, body := staff.get(t, fmt.Sprintf("/persons/%d", p.ID))
			assertContains(t, body, "修改", "139****0099", "孕产妇")
		})
		t.Run("ClearPhone", func(t *testing.T) {
			form := editForm(findPerson(t, db, p.ID))
			form.Set("clear_phone", "1")
			staff.postForm(t, path, form)
			if got := findPerson(t, db, p.ID); got.Phone != "" {
				t.Fatalf("phone %q after removing it", got.Phone)
			}
		})
	})
}

func TestAddPerson(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		staff := ts.as(t, frontline.RoleGridWorker, f.comm1)
		path := fmt.Sprintf("/households/%d/persons", f.hh[1].ID)
		_, body := staff.get(t, path+"/new")
		assertContains(t, body, "添加居民", "罗玉新村社区/枣园小区/1号楼/1单元/102", fmt.Sprintf(`action="%s"`, path))
		resp, body := staff.postForm(t, path, url.Values{"name": {""}, "id_number": {"123"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "name") == "" {
			t.Fatalf("empty name: %d %q", resp.StatusCode, fieldError(body, "name"))
		}
		number := idNumber("19950505", 71)
		resp, _ = staff.postForm(t, path, url.Values{"name": {"周七"}, "id_type": {"mainland_id"}, "id_number": {number},
			"phone": {"13900000077"}, "relation": {"other"}, "status": {"temporary"}, "flags": {"chronic"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/persons/") {
			t.Fatalf("add: %d to %q", resp.StatusCode, loc)
		}
		var got struct{ Person person }
		staff.getJSON(t, "/api/v1"+loc, http.StatusOK, &got)
		if got.Person.Name != "周七" || got.Person.Sex != "M" || got.Person.HouseholdID != f.hh[1].ID || got.Person.Status != "temporary" {
			t.Fatalf("added %+v", got.Person)
		}
		// Outside the scope the household does not exist.
		resp, _ = staff.postForm(t, fmt.Sprintf("/households/%d/persons", f.hh[2].ID), url.Values{"name": {"某人"}, "id_number": {idNumber("19950505", 81)}})
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("add outside the scope: %d", resp.StatusCode)
		}
	})
}

func TestMovePerson(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		p := f.persons[2]
		path := fmt.Sprintf("/persons/%d/move", p.ID)
		for _, tt := range []struct{ name, to, want string }{
			{"OutsideScope", id(f.hh[2]), "您的辖区内没有这一户"},
			{"NotAHousehold", id(f.bld1), "请选择或填写要迁入的户"},
			{"NotANumber", "一〇一", "请选择或填写要迁入的户"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := staff.postForm(t, path, url.Values{"household_id": {tt.to}})
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(body, "household_id"), tt.want) {
					t.Fatalf("%d %q", resp.StatusCode, fieldError(body, "household_id"))
				}
				if got := findPerson(t, db, p.ID); got.HouseholdID != p.HouseholdID {
					t.Fatal("a refused move moved the person")
				}
			})
		}
		resp, _ := staff.postForm(t, path, url.Values{"household_id": {id(f.hh[1])}})
		if resp.StatusCode != http.StatusSeeOther || findPerson(t, db, p.ID).HouseholdID != f.hh[1].ID {
			t.Fatalf("move: %d", resp.StatusCode)
		}
		resp, _ = staff.postForm(t, fmt.Sprintf("/persons/%d/moveout", p.ID), nil)
		if resp.StatusCode != http.StatusSeeOther || findPerson(t, db, p.ID).Status != frontline.StatusMovedOut {
			t.Fatalf("move out: %d", resp.StatusCode)
		}
		_, body := staff.get(t, fmt.Sprintf("/persons/%d", p.ID))
		assertContains(t, body, "迁移", "迁出")
		if strings.Contains(body, `data-testid="moveout"`) {
			t.Error("a moved-out person is offered to be moved out again")
		}
	})
}

// TestReveal shows a person's full numbers and finds the reveal in the
// audit log, on the page and in the API.
func TestReveal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		p := f.persons[0]
		resp, body := sec.postForm(t, fmt.Sprintf("/persons/%d/reveal", p.ID), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("reveal: %d", resp.StatusCode)
		}
		assertContains(t, body, `data-testid="revealed-id">`+p.IDNumber+"<", `data-testid="revealed-phone">`+p.Phone+"<", "已记入操作记录")
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("Cache-Control %q", cc)
		}
		// The language switch of the answer returns to the page the button
		// was on: a POST cannot be repeated by a link.
		assertContains(t, body, `name="next" value="/"`)
		personPage := fmt.Sprintf("/persons/%d", p.ID)
		_, body = sec.postRaw(t, personPage+"/reveal", url.Values{"csrf": {sec.csrf}}, http.Header{"Referer": {ts.URL + personPage}})
		assertContains(t, body, `name="next" value="`+personPage+`"`)
		_, body = sec.postRaw(t, personPage+"/reveal", url.Values{"csrf": {sec.csrf}}, http.Header{"Referer": {"https://evil.example/x"}})
		assertContains(t, body, `name="next" value="/"`)
		_, body = sec.get(t, fmt.Sprintf("/audit?entity=person&entity_id=%d&action=reveal", p.ID))
		assertContains(t, body, `data-testid="change-action">查看完整号码<`, sec.login, "127.0.0.1")
		var reveal struct {
			Person   person `json:"person"`
			IDNumber string `json:"id_number"`
			Phone    string `json:"phone"`
		}
		resp, body = sec.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/reveal", p.ID), map[string]any{})
		decodeAPI(t, "reveal", resp, body, http.StatusOK, &reveal)
		if reveal.IDNumber != p.IDNumber || reveal.Phone != p.Phone || reveal.Person.IDNumber != frontline.MaskIDNumber(p.IDNumber) {
			t.Fatalf("API reveal %+v", reveal)
		}
		var log struct {
			Changes []frontline.Change `json:"changes"`
			Total   int                `json:"total"`
		}
		sec.getJSON(t, fmt.Sprintf("/api/v1/audit?entity=person&entity_id=%d&action=reveal", p.ID), http.StatusOK, &log)
		if log.Total != 4 || log.Changes[0].Actor != sec.login || log.Changes[0].Addr != "127.0.0.1" {
			t.Fatalf("audit %+v", log)
		}
	})
}

func TestSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		c := ts.as(t, frontline.RoleVolunteer, f.comm1)
		p := f.persons
		count := func(body string) int { return strings.Count(body, `data-testid="person-link"`) }
		for _, tt := range []struct {
			name, by, q string
			want        int
		}{
			{"NamePrefix", "name", "张", 2},
			{"Phone", "phone", "139-0000-0004", 1},
			{"IDTail", "id_number", p[0].IDNumber[14:], 1},
			{"IDFull", "id_number", p[1].IDNumber, 1},
			{"OutsideScope", "name", "赵", 0},
			{"OutsidePhone", "phone", p[6].Phone, 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := c.get(t, "/search?"+url.Values{"by": {tt.by}, "q": {tt.q}}.Encode())
				if resp.StatusCode != http.StatusOK || count(body) != tt.want {
					t.Fatalf("%d, %d results, want %d", resp.StatusCode, count(body), tt.want)
				}
				if tt.want == 0 && !strings.Contains(body, `data-testid="search-none"`) {
					t.Fatal("no 'nobody found'")
				}
			})
		}
		resp, body := c.get(t, "/search?by=id_number&q=12")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(body, "q"), "后4位") {
			t.Fatalf("short ID: %d %q", resp.StatusCode, fieldError(body, "q"))
		}
		_, body = c.get(t, "/search")
		assertContains(t, body, `data-testid="search-form"`)
	})
}

// TestAPI_PersonWrites creates, changes, moves and reveals persons through
// the API.
func TestAPI_PersonWrites(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		dev := ts.device(mustToken(t, ts, "registry tablet", frontline.RoleCommunityStaff, f.comm1))
		number := idNumber("19900101", 91)
		var got struct{ Person person }
		resp, body := dev.sendJSON(t, http.MethodPost, "/api/v1/persons", map[string]any{
			"household_id": f.hh[0].ID, "name": "钱八", "id_number": number, "phone": "13900000088", "flags": []string{"infant"}})
		decodeAPI(t, "create", resp, body, http.StatusCreated, &got)
		if got.Person.ID == 0 || got.Person.IDNumber != frontline.MaskIDNumber(number) || got.Person.Phone != "139****0088" ||
			got.Person.Address != "罗玉新村社区/枣园小区/1号楼/1单元/101" {
			t.Fatalf("created %+v", got.Person)
		}
		created := got.Person.ID
		resp, body = dev.sendJSON(t, http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", created), map[string]any{"status": "away", "flags": []string{}})
		decodeAPI(t, "update", resp, body, http.StatusOK, &got)
		if got.Person.Status != "away" || len(got.Person.Flags) != 0 {
			t.Fatalf("updated %+v", got.Person)
		}
		resp, body = dev.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/move", created), map[string]any{"household_id": f.hh[1].ID})
		decodeAPI(t, "move", resp, body, http.StatusOK, &got)
		if got.Person.HouseholdID != f.hh[1].ID {
			t.Fatalf("moved %+v", got.Person)
		}
		for _, tt := range []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"BadPhone", http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", created), map[string]any{"phone": "12"}, http.StatusBadRequest, "phone"},
			{"Taken", http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", created), map[string]any{"id_number": f.persons[0].IDNumber}, http.StatusConflict, "id_number"},
			{"MoveByPatch", http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", created), map[string]any{"household_id": f.hh[0].ID}, http.StatusBadRequest, "household_id"},
			{"UnknownField", http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", created), map[string]any{"nickname": "x"}, http.StatusBadRequest, ""},
			{"NoHousehold", http.MethodPost, "/api/v1/persons", map[string]any{"name": "某人"}, http.StatusBadRequest, "household_id"},
			{"HouseholdOutside", http.MethodPost, "/api/v1/persons", map[string]any{"household_id": f.hh[2].ID, "name": "某人",
				"id_number": idNumber("19900101", 93)}, http.StatusNotFound, ""},
			{"MoveOutside", http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/move", created), map[string]any{"household_id": f.hh[3].ID}, http.StatusNotFound, "household_id"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var e apiError
				resp, body := dev.sendJSON(t, tt.method, tt.path, tt.body)
				decodeAPI(t, tt.name, resp, body, tt.status, &e)
				if e.Error.Field != tt.field {
					t.Fatalf("field %q, want %q (%s)", e.Error.Field, tt.field, e.Error.Message)
				}
			})
		}
		var history struct{ Changes []frontline.Change }
		dev.getJSON(t, fmt.Sprintf("/api/v1/persons/%d/history", created), http.StatusOK, &history)
		var actions []string
		for _, c := range history.Changes {
			actions = append(actions, c.Action)
		}
		if strings.Join(actions, ",") != "move,update,create" || history.Changes[2].After["birth_date"] != "1990-**-**" {
			t.Fatalf("history %v %v", actions, history.Changes[2].After)
		}
	})
}
