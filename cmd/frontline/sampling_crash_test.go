package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestSamplingSurvivesKill kills the server with SIGKILL while stations
// bind, restarts it, and has each station send its unanswered request
// again with the same id: every binding answered ok before the kill is
// there, nobody is bound twice, and the counters equal a recount. The
// server runs with synchronous=NORMAL, the weaker setting, which WAL keeps
// durable across a process crash (FULL also across a power cut).
func TestSamplingSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := newSamplingFixture(t, db)
	got := &answers{ok: map[int64]int64{}}
	client := &http.Client{Timeout: 5 * time.Second}
	const stations = 8
	chunk := len(f.persons) / stations
	unanswered := make([]*frontline.BindRequest, stations)
	next := make([]int, stations)

	srv := startServe(t, db.URL, "--sqlite-synchronous", "NORMAL")
	var wg sync.WaitGroup
	for s := range stations {
		wg.Go(func() {
			mine := f.persons[s*chunk : (s+1)*chunk]
			for seq := 0; next[s] < len(mine); seq++ {
				n := 1 + seq%5 // whole tubes of up to 5 and single scans
				req := &frontline.BindRequest{RequestID: fmt.Sprintf("kill-%d-%d", s, seq), TubeCode: fmt.Sprintf("K-%d-%d", s, seq),
					PersonIDs: mine[next[s]:min(next[s]+n, len(mine))], Seal: true}
				a, err := bind(client, srv.url, f.tokens[s%2], f.round, req)
				if err != nil {
					unanswered[s] = req // the server is gone: send it again later
					return
				}
				got.add(a)
				next[s] += len(req.PersonIDs)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	wg.Wait()
	before := len(got.ok)
	if before == 0 || len(got.ok) == len(f.persons) {
		t.Fatalf("the kill should come in the middle of the load: %d of %d bound: %s", before, len(f.persons), srv.stderr)
	}

	srv = startServe(t, db.URL, "--sqlite-synchronous", "NORMAL")
	for s, req := range unanswered {
		if req == nil {
			continue
		}
		a, err := bind(client, srv.url, f.tokens[s%2], f.round, req)
		if err != nil || a.Error != nil {
			t.Fatalf("resending %s after the restart: %v %+v", req.RequestID, err, a)
		}
		got.add(a)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()
	t.Logf("%d bindings answered before the kill", before)
	assertStored(t, db, f.round, got)
}

// TestTwoServersOnePostgres runs two servers on one PostgreSQL schema and
// has stations bind overlapping persons and households into the same
// tubes through both at once: no tube goes over its capacity, no person is
// bound twice, every answer is stored, the counters equal a recount, and
// neither server's writer ever deadlocked (it would have logged a retry).
func TestTwoServersOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	db := sqldbtest.Open(t, sqldb.Postgres)
	f := newSamplingFixture(t, db)
	servers := []*serveProcess{startServe(t, db.URL), startServe(t, db.URL)}
	got := &answers{ok: map[int64]int64{}}
	client := &http.Client{Timeout: 10 * time.Second}
	pool := f.persons[:min(240, len(f.persons))]
	deadline := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 11))
			for seq := 0; time.Now().Before(deadline); seq++ {
				req := &frontline.BindRequest{RequestID: fmt.Sprintf("two-%d-%d", g, seq), TubeCode: fmt.Sprintf("T-%d", rng.IntN(60)),
					Seal: rng.IntN(20) == 0}
				if g%4 == 0 {
					// A whole household, while others bind its members one
					// by one through the other server.
					req.HouseholdID = f.homes[rng.IntN(len(pool))]
				}
				for range (1 + rng.IntN(4)) * min(1, g%4) {
					if p := pool[rng.IntN(len(pool))]; !containsID(req.PersonIDs, p) {
						req.PersonIDs = append(req.PersonIDs, p)
					}
				}
				a, err := bind(client, servers[(g+seq)%2].url, f.tokens[g%2], f.round, req)
				if err != nil {
					t.Errorf("bind through server %d: %v", (g+seq)%2, err)
					return
				}
				got.add(a)
			}
		})
	}
	wg.Wait()
	// The writers take their locks in one order: PostgreSQL never had to
	// break a deadlock between them (a retried batch is logged).
	for i, s := range servers {
		if log := s.stderr.String(); strings.Contains(log, "deadlock") || strings.Contains(log, "40P01") || strings.Contains(log, "retried") {
			t.Errorf("server %d logged a deadlock:\n%s", i, log)
		}
	}
	assertStored(t, db, f.round, got)
	stored := 0
	db.WalkBindings(t.Context(), f.round, func(int64, int64) error { stored++; return nil })
	if stored != len(got.ok) {
		t.Errorf("%d bindings stored, %d answered ok: every stored binding must have been answered", stored, len(got.ok))
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
