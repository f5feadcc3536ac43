package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/frontline-org/frontline"
)

// RunDay runs a sampling morning: it builds or reuses the city, sets up
// the round and every client, starts `frontline serve`, runs every kind
// of client at once for the duration, then checks the bindings against
// the database and the counters against a recount.
func RunDay(ctx context.Context, cfg DayConfig) (*DayResult, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	sc := cfg.sampling()
	if err := sc.withDefaults(); err != nil {
		return nil, err
	}
	cfg.DBURL = sc.DBURL
	start := time.Now()
	setup, err := prepareDay(ctx, &cfg, &sc)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "round %d open: %d residents, %d stations at %d sites; %d office readers, %d gates, %d grid workers, the lab (setup %s)\n",
		setup.round.round.ID, setup.round.round.Expected, len(setup.round.stations), setup.round.sites,
		len(setup.offices), len(setup.gates), len(setup.grid), time.Since(start).Round(time.Millisecond))
	if err := printSettings(ctx, &sc); err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, &sc)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "server on %s (%s, synchronous=%s); stations paced to %d bindings/s, for %s\n",
		srv.url, srv.mode, sc.Synchronous, cfg.Rate, cfg.Duration)
	d := &day{cfg: &cfg, setup: setup, base: srv.url, client: newClient(cfg.Stations + cfg.Offices + cfg.Gates + cfg.GridWorkers),
		sealed: make(chan string, 1<<20), kinds: map[string]*Kind{}}
	cpu0, client0 := srv.cpuTime(), processCPU()
	res := d.run(ctx, &sc)
	res.ServerCPU, res.ClientCPU = srv.cpuTime()-cpu0, processCPU()-client0
	res.ServerRSSMB = srv.peakRSS()
	if res.Writer, err = scrapeWriter(ctx, srv.url); err != nil {
		fmt.Fprintln(cfg.Out, "cannot read the server's metrics:", err)
	}
	if err := srv.stop(); err != nil {
		return nil, fmt.Errorf("stop the server: %w", err)
	}
	sres := d.load.result()
	if err := verify(ctx, &sc, setup.round, d.load, sres); err != nil {
		return nil, err
	}
	res.Lost, res.Duplicated, res.Problems = sres.Lost, sres.Duplicated, sres.Problems
	res.Bindings, res.BindingsPerSec = sres.Bindings, sres.BindingsPerSec
	if d.load.err != nil {
		res.Errors++
		fmt.Fprintln(cfg.Out, "a station stopped:", d.load.err)
	}
	res.report(cfg.Out)
	return res, nil
}

// day is a running morning.
type day struct {
	cfg    *DayConfig
	setup  *daySetup
	base   string
	client *http.Client
	sealed chan string // tubes the stations sealed, for the lab
	load   *load

	mu      sync.Mutex
	kinds   map[string]*Kind
	order   []string
	results int // results posted, for PositiveEvery
}

// kind returns the figures of a kind of request, made on first use.
func (d *day) kind(name string, read bool) *Kind {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := d.kinds[name]
	if k == nil {
		k = &Kind{Name: name, Read: read}
		d.kinds[name] = k
		d.order = append(d.order, name)
	}
	return k
}

func (d *day) run(ctx context.Context, sc *SamplingConfig) *DayResult {
	start := time.Now()
	deadline := start.Add(d.cfg.Duration)
	// The kinds in the order the report lists them.
	for _, k := range []struct {
		name string
		read bool
	}{{"bind", false}, {"coverage", true}, {"gaps", true}, {"dashboard", true}, {"passage", false}, {"visit", false},
		{"bag", false}, {"receive", false}, {"results", false}, {"retests", true}, {"retest", false}} {
		d.kind(k.name, k.read)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		d.load = driveStationsSealing(ctx, sc, d.base, d.setup.round, func(code string) {
			select {
			case d.sealed <- code:
			default: // the lab is behind; the tube waits for another day
			}
		})
	})
	for i, o := range d.setup.offices {
		wg.Go(func() { d.every(ctx, i, len(d.setup.offices), d.cfg.ReadEvery, deadline, func(int) { d.read(ctx, o) }) })
	}
	for i, g := range d.setup.gates {
		wg.Go(func() {
			d.every(ctx, i, len(d.setup.gates), d.cfg.GateEvery, deadline, func(n int) { d.pass(ctx, g, n) })
		})
	}
	for i, g := range d.setup.grid {
		wg.Go(func() {
			d.every(ctx, i, len(d.setup.grid), d.cfg.VisitEvery, deadline, func(n int) { d.visit(ctx, i, g, n) })
		})
	}
	wg.Go(func() { d.every(ctx, 0, 1, d.cfg.LabEvery, deadline, func(n int) { d.lab(ctx, n) }) })
	wg.Wait()
	elapsed := time.Since(start)
	res := &DayResult{Elapsed: elapsed, SlowRead: d.cfg.SlowRead}
	bind := d.kinds["bind"]
	bind.lat = d.load.latencies
	for _, name := range d.order {
		k := d.kinds[name]
		k.finish(elapsed)
		if k.Read {
			res.SlowReads += k.slow(d.cfg.SlowRead)
		}
		res.Errors += k.Errors
		res.Kinds = append(res.Kinds, k)
	}
	return res
}

// every calls fn every period until deadline, the i-th of n clients
// starting i/n of a period late so that they do not all go at once.
func (d *day) every(ctx context.Context, i, n int, period time.Duration, deadline time.Time, fn func(n int)) {
	next := time.Now().Add(time.Duration(i) * period / time.Duration(max(n, 1)))
	for k := 0; ctx.Err() == nil; k++ {
		time.Sleep(time.Until(next))
		if time.Now().After(deadline) {
			return
		}
		fn(k)
		next = next.Add(period)
	}
}

// call sends one request as kind k, timing it; out, when set, receives
// the JSON answer.
func (d *day) call(ctx context.Context, k *Kind, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := d.client.Do(req)
	if err == nil {
		var b []byte
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
		case resp.StatusCode >= 300:
			err = fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
		case out != nil:
			err = json.Unmarshal(b, out)
		}
	}
	k.add(time.Since(start), err)
	return err
}

// read is an office's look at its community: coverage, the gap list and
// the dashboard's flow.
func (d *day) read(ctx context.Context, o *officeClient) {
	r := d.setup.round.round.ID
	d.call(ctx, d.kind("coverage", true), http.MethodGet, fmt.Sprintf("/api/v1/rounds/%d/coverage?place=%d", r, o.place), o.token, nil, nil)
	d.call(ctx, d.kind("gaps", true), http.MethodGet, fmt.Sprintf("/api/v1/rounds/%d/not-sampled?place=%d&limit=50", r, o.place), o.token, nil, nil)
	d.call(ctx, d.kind("dashboard", true), http.MethodGet, fmt.Sprintf("/api/v1/rounds/%d/flow?place=%d", r, o.place), o.token, nil, nil)
}

// pass logs a resident of the gate's compound going out or coming back.
func (d *day) pass(ctx context.Context, g *gateClient, n int) {
	dir := frontline.DirOut
	if n%2 == 1 {
		dir = frontline.DirIn
	}
	in := map[string]any{"kind": frontline.PassResident, "person_id": g.persons[(n/2)%len(g.persons)], "direction": dir,
		"checks": frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen}}
	d.call(ctx, d.kind("passage", false), http.MethodPost, fmt.Sprintf("/api/v1/checkpoints/%d/passages", g.checkpoint), g.token, in, nil)
}

// visit records a grid worker's call at the next household of their list.
func (d *day) visit(ctx context.Context, i int, g *gridClient, n int) {
	// The client id is a UUID, as a phone makes one; here one per campaign, worker and visit.
	id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", d.setup.campaign, i&0xffff, (i>>16)&0xfff, 0, n)
	in := map[string]any{"client_id": id,
		"household_id": g.households[n%len(g.households)], "outcome": frontline.OutcomeNotHome, "visited_at": time.Now().UTC()}
	d.call(ctx, d.kind("visit", false), http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/visits", d.setup.campaign), g.token, in, nil)
}

// labBags is how many bags the lab takes a turn.
const labBags = 10

// lab packs the tubes sealed since its last turn into bags of
// frontline.DefaultBagSize (up to labBags bags), receives each, posts a
// result for every tube received (every PositiveEvery-th positive), and
// sends the home sampling team to the re-tests that positive pools left.
func (d *day) lab(ctx context.Context, n int) {
	var tubes []string
collect:
	for len(tubes) < labBags*frontline.DefaultBagSize {
		select {
		case code := <-d.sealed:
			tubes = append(tubes, code)
		default:
			break collect
		}
	}
	r := d.setup.round.round.ID
	var rows []frontline.ResultRow
	for b := 0; b*frontline.DefaultBagSize < len(tubes); b++ {
		in := tubes[b*frontline.DefaultBagSize : min((b+1)*frontline.DefaultBagSize, len(tubes))]
		code := fmt.Sprintf("BD%d-%d-%d", r, n, b)
		bag := frontline.BagRequest{Code: code, Count: len(in), TubeCodes: in}
		if d.call(ctx, d.kind("bag", false), http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/bags", r), d.setup.bagToken, bag, nil) != nil ||
			d.call(ctx, d.kind("receive", false), http.MethodPost, "/api/v1/bags/"+code+"/receive", d.setup.labToken,
				map[string]any{"count": len(in)}, nil) != nil {
			continue
		}
		for _, t := range in {
			row := frontline.ResultRow{TubeCode: t, Result: frontline.ResultNegative}
			if d.positive() {
				row.Result = frontline.ResultPositive
			}
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		d.call(ctx, d.kind("results", false), http.MethodPost, "/api/v1/results", d.setup.labToken, map[string]any{"results": rows}, nil)
	}
	var open struct {
		Retests []frontline.RetestTask `json:"retests"`
	}
	if d.call(ctx, d.kind("retests", true), http.MethodGet, fmt.Sprintf("/api/v1/rounds/%d/retests?status=open&limit=20", r),
		d.setup.homeTeam, nil, &open) != nil {
		return
	}
	for _, t := range open.Retests {
		d.call(ctx, d.kind("retest", false), http.MethodPost, fmt.Sprintf("/api/v1/retests/%d/sample", t.ID), d.setup.homeTeam,
			map[string]any{"tube": fmt.Sprintf("RT%d-%d", r, t.ID)}, nil)
	}
}

// positive says whether the next result is positive: every
// PositiveEvery-th.
func (d *day) positive() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.results++
	return d.results%d.cfg.PositiveEvery == 0
}
