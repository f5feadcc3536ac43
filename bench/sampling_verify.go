package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontline-org/frontline/sqldb"
)

// verify compares the database with every answer: a binding answered ok
// and not stored is lost; a person bound twice, a retry that bound anew
// and a stored binding no answer reported are duplicates. Then it recounts
// the round's counters.
func verify(ctx context.Context, cfg *SamplingConfig, setup *roundSetup, l *load, res *SamplingResult) error {
	db, err := sqldb.Open(ctx, cfg.DBURL, sqldb.Options{Synchronous: "NORMAL", Logger: cfg.Logger})
	if err != nil {
		return err
	}
	defer db.Close()
	stored := make(map[int64]int64, len(l.answered))
	persons := make(map[int64]int, len(l.answered))
	if err := db.WalkBindings(ctx, setup.round.ID, func(id, person int64) error {
		stored[id] = person
		persons[person]++
		return nil
	}); err != nil {
		return err
	}
	for id, person := range l.answered {
		if stored[id] != person {
			res.Lost++
		}
	}
	for id := range stored {
		if _, ok := l.answered[id]; !ok {
			res.Duplicated++
		}
	}
	for _, n := range persons {
		res.Duplicated += n - 1
	}
	res.Duplicated += l.rebound
	res.Problems, err = db.CheckRound(ctx, setup.round.ID)
	return err
}

// rawInsert measures the storage's batched insert rate with the server's
// durability, 1000 rows per transaction.
func rawInsert(ctx context.Context, cfg *SamplingConfig) (float64, error) {
	db, err := sqldb.Open(ctx, cfg.DBURL, sqldb.Options{Synchronous: cfg.Synchronous, Logger: cfg.Logger})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.MeasureRawInsert(ctx, 200_000, 1000)
}

// noopDuration is how long the no-op handler is driven.
const noopDuration = 3 * time.Second

// noopHTTP measures how many requests per second this machine serves over
// loopback to a handler that reads the body and answers "{}", with as many
// concurrent clients as stations and a body the size of a binding request:
// the ceiling any HTTP handler here can reach.
func noopHTTP(ctx context.Context, clients, perRequest int) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	body := bytes.Repeat([]byte("x"), 80+12*perRequest)
	client := newClient(clients)
	url := "http://" + ln.Addr().String() + "/"
	var n atomic.Int64
	deadline := time.Now().Add(noopDuration)
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// String is a one-line summary for logs.
func (r *SamplingResult) String() string {
	return fmt.Sprintf("%d bindings, %d requests: %s", r.Bindings, r.Requests, r.Line())
}
