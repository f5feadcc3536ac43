package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
)

// These tests run real `frontline serve` processes, built by the test, to
// show what the issue asks of the sampling path: an answered binding
// survives the server being killed, and two servers on one PostgreSQL
// never overfill a tube or bind a person twice.

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// frontlineBinary builds this command once per test run.
func frontlineBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "frontline-bin")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "frontline")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// serveProcess is a running `frontline serve`.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

// startServe starts `frontline serve` on a free loopback port.
func startServe(t *testing.T, dbURL string, extra ...string) *serveProcess {
	t.Helper()
	args := append([]string{"serve", "--db", dbURL, "--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	cmd := exec.Command(frontlineBinary(t), args...)
	p := &serveProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "serving on "); ok {
				found <- strings.Fields(after)[0]
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start: %s", p.stderr)
	}
	return p
}

// samplingFixture is a demo city with an open round and two stations
// whose site serves the whole district, and the district's residents.
type samplingFixture struct {
	round   int64
	tokens  []string
	persons []int64
	// homes are the households of persons, in the same order.
	homes []int64
}

func newSamplingFixture(t *testing.T, db *sqldb.DB) *samplingFixture {
	t.Helper()
	ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "test"})
	sum, err := demo.Build(ctx, demo.Config{Residents: 3000}, sqldb.NewPlaceService(db), sqldb.NewImportService(db))
	if err != nil {
		t.Fatal(err)
	}
	// Any time will do: both engines keep it to the microsecond, so a
	// site closing at the round's end closes within it.
	now := time.Now().UTC()
	rounds := sqldb.NewRoundService(db)
	r := &frontline.Round{ScopeID: sum.City.ID, Name: "test", Day: now.Format(frontline.DateLayout), StartsAt: now, EndsAt: now.Add(time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := rounds.OpenRound(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	sites := sqldb.NewSiteService(db)
	site := &frontline.Site{RoundID: r.ID, PlaceID: sum.District.ID, Name: "秦州区采样点", OpensAt: now, ClosesAt: now.Add(time.Hour)}
	if err := sites.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	f := &samplingFixture{round: r.ID}
	for _, name := range []string{"1号台", "2号台"} {
		secret, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		f.tokens = append(f.tokens, secret)
	}
	district := sum.District.ID
	if err := sqldb.NewPersonService(db).WalkPersons(ctx, frontline.PersonFilter{Under: &district}, func(p *frontline.Person) error {
		f.persons, f.homes = append(f.persons, p.ID), append(f.homes, p.HouseholdID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// answers collects what servers answered, from many goroutines.
type answers struct {
	mu sync.Mutex
	ok map[int64]int64 // binding id → person
}

func (a *answers) add(ans *frontline.BindAnswer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, it := range ans.Items {
		if it.OK {
			a.ok[it.BindingID] = it.PersonID
		}
	}
}

// bind posts one request; any failure (the server was killed, a refused
// connection) is returned for the caller to decide.
func bind(client *http.Client, base, token string, round int64, req *frontline.BindRequest) (*frontline.BindAnswer, error) {
	body, _ := json.Marshal(req)
	hr, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/rounds/%d/bindings", base, round), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, b)
	}
	var a frontline.BindAnswer
	return &a, json.Unmarshal(b, &a)
}

// assertStored checks every binding answered ok against the database and
// the round's rules and counters.
func assertStored(t *testing.T, db *sqldb.DB, round int64, got *answers) {
	t.Helper()
	stored := map[int64]int64{}
	if err := db.WalkBindings(context.Background(), round, func(id, person int64) error {
		stored[id] = person
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for id, person := range got.ok {
		if stored[id] != person {
			t.Errorf("binding %d of person %d was answered ok but is not stored", id, person)
		}
	}
	bad, err := db.CheckRound(context.Background(), round)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("round check: %s", b)
	}
	if len(got.ok) < 50 {
		t.Errorf("only %d bindings answered: the test exercised little", len(got.ok))
	}
	t.Logf("%d bindings answered ok, %d stored", len(got.ok), len(stored))
}
