package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

var (
	confirmFormRE = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*data-testid="confirm-form">(.*?)</form>`)
	hiddenRE      = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// tapConfirm submits the confirmation page in body as its button does.
func tapConfirm(t *testing.T, c *client, body string) (*http.Response, string) {
	t.Helper()
	m := confirmFormRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no confirmation form: %s", body)
	}
	form := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
		form.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return c.postForm(t, html.UnescapeString(m[1]), form)
}

// TestConfirm_RoundOpenClose taps "open" and "close" on the rounds list:
// each first asks, and changes nothing until the question is answered.
func TestConfirm_RoundOpenClose(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	rounds := sqldb.NewRoundService(db)
	ctx := context.Background()
	r := &frontline.Round{ScopeID: f.city.ID, Name: "第二轮", Day: "2026-06-01", StartsAt: testNow.Add(1e12), EndsAt: testNow.Add(2e12)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	status := func() frontline.RoundStatus {
		got, err := rounds.FindRoundByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	for _, step := range []struct {
		action, question string
		before, after    frontline.RoundStatus
	}{
		{"open", "开始采样：第二轮？", frontline.RoundDraft, frontline.RoundOpen},
		{"close", "结束采样：第二轮？", frontline.RoundOpen, frontline.RoundClosed},
	} {
		resp, body := ts.client.postForm(t, fmt.Sprintf("/rounds/%d/%s", r.ID, step.action), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, step.question) || !strings.Contains(body, `data-testid="confirm-no"`) {
			t.Fatalf("%s: %d, want the question %q: %s", step.action, resp.StatusCode, step.question, body)
		}
		if got := status(); got != step.before {
			t.Fatalf("%s before the answer: the round is %s", step.action, got)
		}
		resp, body = tapConfirm(t, ts.client, body)
		if resp.StatusCode != http.StatusSeeOther || status() != step.after {
			t.Fatalf("%s confirmed: %d, round %s: %s", step.action, resp.StatusCode, status(), body)
		}
	}
}

// TestConfirm_Excuse excuses a person from the gap list: the form has no
// reason chosen beforehand, the question names the person and the reason,
// and the excusal is made only once it is answered.
func TestConfirm_Excuse(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	r := openCityRound(t, db, f)
	p := f.persons[0]
	gaps := fmt.Sprintf("/rounds/%d/gaps?place=%d", r.ID, f.city.ID)
	_, body := ts.get(t, gaps)
	form := body[strings.Index(body, fmt.Sprintf(`data-testid="excuse-form-%d"`, p.ID)):]
	form = form[:strings.Index(form, "</form>")]
	if !strings.Contains(form, `<option value="">`) || strings.Contains(form, "selected") || !strings.Contains(form, `required`) {
		t.Fatalf("the excusal form chooses a reason beforehand: %s", form)
	}
	resp, body := ts.client.postForm(t, fmt.Sprintf("/rounds/%d/excuse?place=%d", r.ID, f.city.ID),
		url.Values{"person_id": {itoa(p.ID)}, "reason": {"away"}, "note": {"在外地"}, "place": {itoa(f.city.ID)}})
	for _, want := range []string{"免采：" + p.Name + "？", "原因：外出", "说明：在外地", `href="` + html.EscapeString(gaps) + `"`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("excuse: %d, want %q on the question: %s", resp.StatusCode, want, body)
		}
	}
	m, err := sqldb.NewRoundService(db).FindMember(context.Background(), r.ID, p.ID)
	if err != nil || m.Status != frontline.MemberPending {
		t.Fatalf("excused before the answer: %v %+v", err, m)
	}
	resp, _ = tapConfirm(t, ts.client, body)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != gaps {
		t.Fatalf("confirmed: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if m, err = sqldb.NewRoundService(db).FindMember(context.Background(), r.ID, p.ID); err != nil || m.Status != frontline.MemberExcused || m.ExcuseNote != "在外地" {
		t.Fatalf("after the answer: %v %+v", err, m)
	}
}

// TestGapsPage_Buildings reads the gap list of the city: one folded list
// per building, or per unit where the building has units (a phone shows
// the stairways, not every door), and pages that say which households
// they show.
func TestGapsPage_Buildings(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	r := openCityRound(t, db, f)
	resp, body := ts.get(t, fmt.Sprintf("/rounds/%d/gaps?place=%d", r.ID, f.city.ID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("gaps: %d %s", resp.StatusCode, body)
	}
	for _, b := range []*frontline.Place{f.unit1, f.bld2} {
		tag := fmt.Sprintf(`<details class="gap-building" data-building="%d" data-testid="gap-building">`, b.ID)
		if !strings.Contains(body, tag) {
			t.Errorf("%s is not one folded list: want %s in %s", b.Name, tag, body)
		}
	}
	if n := strings.Count(body, `data-testid="gap-building"`); n != 2 {
		t.Errorf("%d building lists, want 2", n)
	}
	// Three households a page: the first page ends inside the second building.
	_, body = ts.get(t, fmt.Sprintf("/rounds/%d/gaps?place=%d&limit=3", r.ID, f.city.ID))
	if !strings.Contains(body, "第 1–3 条，共 4 条") || !strings.Contains(body, `data-testid="gaps-next"`) || strings.Contains(body, `data-testid="gaps-prev"`) {
		t.Errorf("the first page of 3 does not say so or lacks the next page: %s", body)
	}
	_, body = ts.get(t, fmt.Sprintf("/rounds/%d/gaps?place=%d&limit=3&offset=3", r.ID, f.city.ID))
	if !strings.Contains(body, "第 4–4 条，共 4 条") || !strings.Contains(body, `data-testid="gaps-prev"`) ||
		!strings.Contains(body, fmt.Sprintf(`data-building="%d" data-testid="gap-building" open`, f.bld2.ID)) {
		t.Errorf("the last page, one building, unfolded: %s", body)
	}
}
