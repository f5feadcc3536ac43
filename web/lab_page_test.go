package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// labFixture is two open rounds over the fixture's city, with a sealed
// tube of two persons packed into bag BAG-A in the first.
type labFixture struct {
	first, second *frontline.Round
}

func newLabFixture(t *testing.T, db *sqldb.DB, f *fixture) *labFixture {
	t.Helper()
	ctx := context.Background()
	rounds := sqldb.NewRoundService(db)
	lf := &labFixture{}
	for i, r := range []**frontline.Round{&lf.first, &lf.second} {
		start := testNow.Add(time.Duration(i+1) * time.Hour)
		*r = &frontline.Round{ScopeID: f.city.ID, Name: fmt.Sprintf("第%d轮", i+1), Day: "2026-06-01", StartsAt: start, EndsAt: start.Add(8 * time.Hour)}
		if err := rounds.CreateRound(ctx, *r); err != nil {
			t.Fatal(err)
		}
		if _, err := rounds.OpenRound(ctx, (*r).ID); err != nil {
			t.Fatal(err)
		}
	}
	samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	defer samp.Close()
	a, err := samp.Bind(ctx, &frontline.BindRequest{RequestID: "lab-1", RoundID: lf.first.ID, TubeCode: "LT-1",
		PersonIDs: []int64{f.persons[0].ID, f.persons[3].ID}, Seal: true})
	if err != nil || a.Bound() != 2 {
		t.Fatalf("bind: %v %+v", err, a)
	}
	if _, err := sqldb.NewLabService(db).BagTubes(ctx, &frontline.BagRequest{RoundID: lf.first.ID, Code: "BAG-A", Count: 1,
		TubeCodes: []string{"LT-1"}}); err != nil {
		t.Fatal(err)
	}
	return lf
}

// TestLabPage_Receive posts the lab's receive form: each refusal comes
// back to the form with the field's message and what was typed, and
// nothing is received until a receipt is whole.
func TestLabPage_Receive(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	lf := newLabFixture(t, db, f)
	lab := ts.as(t, frontline.RoleLab, f.city)
	receive := func(round int64, v url.Values) (*http.Response, string) {
		return lab.postForm(t, fmt.Sprintf("/rounds/%d/lab/receive?lang=en", round), v)
	}
	for _, tc := range []struct {
		name   string
		round  int64
		form   url.Values
		testid string
		want   string
	}{
		{"ErrNoCount", lf.first.ID, url.Values{"code": {"BAG-A"}}, "error-count", "Scan the tubes, or enter how many"},
		{"ErrCountNotNumber", lf.first.ID, url.Values{"code": {"BAG-A"}, "count": {"two"}}, "error-count", "Scan the tubes"},
		{"ErrBadTube", lf.first.ID, url.Values{"code": {"BAG-A"}, "tubes": {"LT-1\nLT_2"}}, "error-tubes", "LT_2"},
		{"ErrOtherRound", lf.second.ID, url.Values{"code": {"BAG-A"}, "count": {"1"}}, "error-code", "belongs to another round"},
		{"ErrUnknownBag", lf.first.ID, url.Values{"code": {"BAG-Z"}, "count": {"1"}}, "error-code", "no bag with this code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := receive(tc.round, tc.form)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="`+tc.testid+`"`) || !strings.Contains(body, tc.want) {
				t.Fatalf("%d, want 400 with %s %q: %s", resp.StatusCode, tc.testid, tc.want, body)
			}
			if code := tc.form.Get("code"); !strings.Contains(body, `value="`+code+`"`) {
				t.Fatalf("the form lost the bag code %s", code)
			}
		})
	}
	b, err := sqldb.NewLabService(db).FindBag(context.Background(), "BAG-A")
	if err != nil || b.State != frontline.BagSealed {
		t.Fatalf("a refused receipt received the bag: %v %+v", err, b)
	}
	resp, body := receive(lf.first.ID, url.Values{"code": {"BAG-A"}, "tubes": {"LT-1"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="bag-received"`) {
		t.Fatalf("receiving: %d %s", resp.StatusCode, body)
	}
}

// TestLabPage_Results uploads results files from the lab page: rows
// refused are listed in the page's language by row and column, and a
// file without a header comes back to the form.
func TestLabPage_Results(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	lf := newLabFixture(t, db, f)
	lab := ts.as(t, frontline.RoleLab, f.city)
	if _, err := sqldb.NewLabService(db).ReceiveBag(context.Background(), frontline.BagReceipt{Code: "BAG-A", TubeCodes: []string{"LT-1"}}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/rounds/%d/lab/results", lf.first.ID)
	resp, body := lab.upload(t, path, "results.csv", "管码,结果\nLT-1,阴性\nLT-9\nNOPE-1,阴性\nLT_2,阴性\n\"LT-3,阳性\nLT-1,阳性\n", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="results-summary"`) {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"已录入 1 管",
		"第3行列数不足，缺少“结果”列",
		"第4行：没有管码为 NOPE-1 的采样管。",
		"第5行“管码”列：管码“LT_2”有误",
		"第6行列数不足",
		"第7行：采样管 LT-1 已有结果（阴性）",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "is not known") || strings.Contains(body, "too few columns") {
		t.Errorf("the page shows the store's English messages")
	}
	resp, body = lab.upload(t, path+"?lang=en", "results.csv", "编号,数值\nLT-1,阴性\n", nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-file"`) ||
		!strings.Contains(body, "a header line with a tube column") {
		t.Fatalf("a file without the header: %d %s", resp.StatusCode, body)
	}
}

// TestLabPage_OneResultAndHeld enters one tube's result in the lab's form:
// a tube the lab never received is held, with the reason, and reaches
// nobody until the lab decides; a wrong code comes back with what was
// typed and the reason at the tube; accepting records the result.
func TestLabPage_OneResultAndHeld(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	lf := newLabFixture(t, db, f)
	lab := ts.as(t, frontline.RoleLab, f.city)
	page := fmt.Sprintf("/rounds/%d/lab", lf.first.ID)
	_, body := lab.get(t, page)
	if form := body[strings.Index(body, `data-testid="one-result-form"`):]; !strings.Contains(form[:strings.Index(form, "</form>")], `<option value="">`) ||
		strings.Contains(form[:strings.Index(form, "</form>")], "selected") {
		t.Fatalf("the single result form chooses a result beforehand: %s", form)
	}
	resp, body := lab.postForm(t, page+"/result", url.Values{"tube": {"NOPE-9"}, "result": {"negative"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "没有管码为 NOPE-9 的采样管。") || !strings.Contains(body, `value="NOPE-9"`) ||
		!strings.Contains(body, `value="negative" selected`) || strings.Contains(body, "第0行") {
		t.Fatalf("an unknown tube: %d %s", resp.StatusCode, body)
	}
	resp, body = lab.postForm(t, page+"/result", url.Values{"tube": {"LT-1"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-result"`) {
		t.Fatalf("no result chosen: %d %s", resp.StatusCode, body)
	}
	resp, body = lab.postForm(t, page+"/result", url.Values{"tube": {"LT-1"}, "result": {"negative"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="results-held"`) || !strings.Contains(body, `data-testid="held-LT-1"`) ||
		!strings.Contains(body, "本实验室没有接收过这支采样管") {
		t.Fatalf("a tube never received: %d %s", resp.StatusCode, body)
	}
	member := func() *frontline.Member {
		m, err := sqldb.NewRoundService(db).FindMember(context.Background(), lf.first.ID, f.persons[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := member(); m.Result != "" {
		t.Fatalf("a held result reached %+v", m)
	}
	m := regexp.MustCompile(`action="(/rounds/\d+/lab/held/\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no decision form: %s", body)
	}
	// Another round's page does not decide it.
	other := strings.Replace(m[1], fmt.Sprintf("/rounds/%d/", lf.first.ID), fmt.Sprintf("/rounds/%d/", lf.second.ID), 1)
	if resp, _ := lab.postForm(t, other, url.Values{"decision": {"accept"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deciding from another round: %d", resp.StatusCode)
	}
	resp, body = lab.postForm(t, m[1], url.Values{"decision": {"accept"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "已录入采样管 LT-1 的结果。") || strings.Contains(body, `data-testid="held-LT-1"`) {
		t.Fatalf("accept: %d %s", resp.StatusCode, body)
	}
	if m := member(); m.Result != frontline.ResultNegative {
		t.Fatalf("an accepted result did not reach %+v", m)
	}
}
