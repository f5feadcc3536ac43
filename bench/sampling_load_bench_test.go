package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// BenchmarkStationSend measures what a station spends to send one request
// of a tube of 10 and check its answer, against a server that answers a
// canned BindAnswer (its own small cost included): the harness's share of
// the cores it shares with the server under test.
//
//	go test -run '^$' -bench StationSend -benchmem ./bench
func BenchmarkStationSend(b *testing.B) {
	items := make([]frontline.BindItem, 10)
	persons := make([]int64, 10)
	for i := range items {
		persons[i] = int64(100000 + i)
		items[i] = frontline.BindItem{PersonID: persons[i], OK: true, BindingID: int64(500000 + i)}
	}
	answer, err := json.Marshal(frontline.BindAnswer{RequestID: "bench-1-1-1", Items: items,
		Tube: &frontline.Tube{ID: 1, RoundID: 1, Code: "B1-1-1", Capacity: 10, Count: 10, State: frontline.TubeSealed, OpenedAt: time.Now(), OpenedBy: "token:station"}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(answer)
	}))
	defer srv.Close()
	ctx := context.Background()
	tmpl, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/rounds/1/bindings", nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg := &SamplingConfig{PerRequest: 10, RetryEvery: 50, Stations: 1}
	s := newStation(cfg, newClient(1), tmpl, &benchStation{id: 1, token: "flt_x", persons: persons}, 1, nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a, err := s.send(ctx, s.body(i, i, persons), i)
		if err != nil || len(a.Items) != 10 {
			b.Fatal(err)
		}
	}
}
