package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/web"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testNow is the server's clock in tests, so ages do not change with the
// day the tests run.
var testNow = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

// fixture is a small tree modelled on the source document:
//
//	天水市 > 秦州区 > 大城街道 > 罗玉新村社区 > 枣园小区 > 1号楼 > 1单元 > 101, 102
//	                          > 自治巷社区 > 忠义巷小区 > 2号楼 > 101, 102
//
// The second building has no units: its households hang directly under it.
type fixture struct {
	city, district, sub, comm1, comm2, comp1, comp2, bld1, bld2, unit1 *frontline.Place
	hh                                                                 []*frontline.Place // hh[0], hh[1] in unit1; hh[2], hh[3] in bld2
	persons                                                            []*frontline.Person
}

// places returns every node of the fixture.
func (f *fixture) places() []*frontline.Place {
	return append([]*frontline.Place{f.city, f.district, f.sub, f.comm1, f.comm2, f.comp1, f.comp2, f.bld1, f.bld2, f.unit1}, f.hh...)
}

func mustPlace(tb testing.TB, db *sqldb.DB, parent *frontline.Place, kind frontline.PlaceKind, name string) *frontline.Place {
	tb.Helper()
	p := &frontline.Place{Kind: kind, Name: name}
	if parent != nil {
		p.ParentID = parent.ID
	}
	if err := sqldb.NewPlaceService(db).CreatePlace(context.Background(), p); err != nil {
		tb.Fatalf("create %s %s: %v", kind, name, err)
	}
	return p
}

// idNumber returns a valid mainland ID number born on birth (YYYYMMDD);
// an odd seq makes a man, an even one a woman.
func idNumber(birth string, seq int) string {
	first := fmt.Sprintf("620502%s%03d", birth, seq)
	return first + string(frontline.IDCheckDigit(first))
}

func buildFixture(tb testing.TB, db *sqldb.DB) *fixture {
	tb.Helper()
	f := &fixture{}
	f.city = mustPlace(tb, db, nil, frontline.KindCity, "天水市")
	f.district = mustPlace(tb, db, f.city, frontline.KindDistrict, "秦州区")
	f.sub = mustPlace(tb, db, f.district, frontline.KindSubdistrict, "大城街道")
	f.comm1 = mustPlace(tb, db, f.sub, frontline.KindCommunity, "罗玉新村社区")
	f.comm2 = mustPlace(tb, db, f.sub, frontline.KindCommunity, "自治巷社区")
	f.comp1 = mustPlace(tb, db, f.comm1, frontline.KindCompound, "枣园小区")
	f.comp2 = mustPlace(tb, db, f.comm2, frontline.KindCompound, "忠义巷小区")
	f.bld1 = mustPlace(tb, db, f.comp1, frontline.KindBuilding, "1号楼")
	f.bld2 = mustPlace(tb, db, f.comp2, frontline.KindBuilding, "2号楼")
	f.unit1 = mustPlace(tb, db, f.bld1, frontline.KindUnit, "1单元")
	for _, parent := range []*frontline.Place{f.unit1, f.unit1, f.bld2, f.bld2} {
		f.hh = append(f.hh, mustPlace(tb, db, parent, frontline.KindHousehold, []string{"101", "102"}[len(f.hh)%2]))
	}
	for _, p := range []*frontline.Person{
		{HouseholdID: f.hh[0].ID, Name: "张三", IDNumber: idNumber("19700312", 11), Phone: "13900000001",
			Relation: frontline.RelHead, Flags: []frontline.Flag{frontline.FlagDialysis}},
		{HouseholdID: f.hh[0].ID, Name: "李梅", IDNumber: idNumber("19720815", 22), Phone: "13900000002", Relation: frontline.RelSpouse},
		{HouseholdID: f.hh[0].ID, Name: "张小明", IDNumber: idNumber("20200101", 31), Relation: frontline.RelChild,
			Flags: []frontline.Flag{frontline.FlagInfant}},
		{HouseholdID: f.hh[1].ID, Name: "王芳", IDNumber: idNumber("19400520", 42), Phone: "13900000004",
			Relation: frontline.RelHead, Flags: []frontline.Flag{frontline.FlagLivingAlone, frontline.FlagChronic}},
		{HouseholdID: f.hh[2].ID, Name: "赵强", IDNumber: idNumber("19850101", 51), Phone: "0938-8211234", Relation: frontline.RelHead},
		{HouseholdID: f.hh[2].ID, Name: "孙丽", IDNumber: idNumber("19880606", 62), Phone: "13900000006",
			Relation: frontline.RelSpouse, Status: frontline.StatusMovedOut},
		{HouseholdID: f.hh[3].ID, Name: "Anna Li", IDType: frontline.IDPassport, IDNumber: "E12345678", Phone: "13900000007",
			Status: frontline.StatusTemporary},
	} {
		if err := sqldb.NewPersonService(db).CreatePerson(context.Background(), p); err != nil {
			tb.Fatalf("create person %s: %v", p.Name, err)
		}
		f.persons = append(f.persons, p)
	}
	return f
}

// logBuffer collects a server's log; handlers log from their own
// goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a web.Server opened and served over httptest.
type testServer struct {
	*httptest.Server
	srv  *web.Server
	logs *logBuffer
	// db and users are set for a server on a real store.
	db    *sqldb.DB
	users *sqldb.UserService
	// client is who ts.get and ts.getJSON ask as; nil is a visitor who is
	// not signed in.
	client *client
	seq    int
}

// newTestServer serves the given services with stub users and audit;
// adjust may change the server before it is opened.
func newTestServer(tb testing.TB, places frontline.PlaceService, persons frontline.PersonService, adjust ...func(*web.Server)) *testServer {
	tb.Helper()
	logs := &logBuffer{}
	s := &web.Server{
		Places: places, Persons: persons, Users: stubUsers{}, Audit: stubAudit{}, Version: "test",
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        func() time.Time { return testNow },
		LoginDelay: func() time.Duration { return 0 },
	}
	for _, f := range adjust {
		f(s)
	}
	if err := s.Open(); err != nil {
		tb.Fatalf("open: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	tb.Cleanup(ts.Close)
	return &testServer{Server: ts, srv: s, logs: logs}
}

// testPolicy locks an account after three failures, so the lockout test
// is short.
var testPolicy = frontline.LoginPolicy{
	MaxFailures: 3, Window: 10 * time.Minute, LockFor: 15 * time.Minute,
	AccountMaxFailures: 6, AccountWindow: time.Hour, AccountLockFor: 30 * time.Minute,
	AddressMaxFailures: 10,
	SessionTTL:         time.Hour, SessionMax: 24 * time.Hour,
}

// newDBServer serves the store of db, users and audit included.
func newDBServer(tb testing.TB, db *sqldb.DB, adjust ...func(*web.Server)) *testServer {
	tb.Helper()
	users := sqldb.NewUserService(db, testPolicy)
	// Cheap hashes keep the suite fast; the cost changes nothing tested.
	users.Argon2 = sqldb.Argon2Params{Memory: 64, Time: 1, Threads: 1}
	ts := newTestServer(tb, sqldb.NewPlaceService(db), sqldb.NewPersonService(db), append([]func(*web.Server){
		func(s *web.Server) {
			s.Users, s.Audit, s.Forms = users, sqldb.NewAuditService(db), sqldb.NewFormService(db)
			s.Duplicates = sqldb.NewDuplicateService(db)
			s.Imports, s.Uploads = sqldb.NewImportService(db), sqldb.NewUploadService(db)
			s.Outage = sqldb.OutageError
		},
	}, adjust...)...)
	ts.db, ts.users = db, users
	return ts
}

// newAdminServer serves db as newDBServer does, asking as a city admin
// whose scope is the whole fixture.
func newAdminServer(tb testing.TB, db *sqldb.DB, f *fixture, adjust ...func(*web.Server)) *testServer {
	tb.Helper()
	ts := newDBServer(tb, db, adjust...)
	ts.client = ts.as(tb, frontline.RoleCityAdmin, f.city)
	return ts
}

// get requests path as ts.client and returns the response and body.
func (ts *testServer) get(tb testing.TB, path string, cookies ...*http.Cookie) (*http.Response, string) {
	tb.Helper()
	c := ts.client
	if c == nil {
		c = ts.anonymous()
	}
	return c.do(tb, http.MethodGet, path, nil, nil, cookies...)
}

// getJSON requests path as ts.client, checks the status and decodes the
// body into v.
func (ts *testServer) getJSON(tb testing.TB, path string, status int, v any) string {
	tb.Helper()
	resp, body := ts.get(tb, path)
	return decodeAPI(tb, "GET "+path, resp, body, status, v)
}

// decodeAPI checks an API response's status and type and decodes it into v.
func decodeAPI(tb testing.TB, what string, resp *http.Response, body string, status int, v any) string {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("%s: status %d, want %d; body %s", what, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("%s: content type %q, want JSON", what, ct)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			tb.Fatalf("%s: decode: %v; body %s", what, err, body)
		}
	}
	return body
}

// apiError is the body of an API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// assertGolden compares got with testdata/name.golden, or rewrites the file
// with -update.
func assertGolden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test ./web -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs from %s (run go test ./web -update if the change is intended)\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}
