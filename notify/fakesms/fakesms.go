// Package fakesms is an SMS gateway for tests and the demo: an HTTP
// server that speaks the generic JSON provider of
// docs/examples/sms-provider.json, records what it was sent, can be told
// to fail, and drops a message it already took (same ref), as gateways
// with idempotency do. It stands in for the outside world only: what
// Frontline sends it goes through the real SMS channel and outbox.
package fakesms

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// Message is one message the gateway took.
type Message struct {
	Phone    string            `json:"phone"`
	Sign     string            `json:"sign"`
	Template string            `json:"template"`
	Params   map[string]string `json:"params"`
	Text     string            `json:"text"`
	Ref      int64             `json:"ref"`
}

// Gateway is a running fake gateway.
type Gateway struct {
	*httptest.Server
	// APIKey, when set, is the X-Api-Key every request must carry.
	APIKey string

	mu       sync.Mutex
	messages []Message
	failures []int // statuses to answer the next requests with
	requests int
	repeats  int
}

// Start starts a gateway; Close it when done.
func Start() *Gateway {
	g := &Gateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// URL of the send endpoint.
func (g *Gateway) SendURL() string { return g.Server.URL + "/send" }

// FailNext makes the next requests answer these statuses, in order.
func (g *Gateway) FailNext(statuses ...int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failures = append(g.failures, statuses...)
}

// Messages returns the messages taken, in order.
func (g *Gateway) Messages() []Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.messages)
}

// Requests counts every request, failed ones and repeats included;
// Repeats the messages dropped as already taken.
func (g *Gateway) Requests() (requests, repeats int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests, g.repeats
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	w.Header().Set("Content-Type", "application/json")
	if len(g.failures) > 0 {
		status := g.failures[0]
		g.failures = g.failures[1:]
		w.WriteHeader(status)
		w.Write([]byte(`{"code":"FAIL","message":"told to fail"}`))
		return
	}
	if r.URL.Path != "/send" || r.Method != http.MethodPost || (g.APIKey != "" && r.Header.Get("X-Api-Key") != g.APIKey) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"code":"DENIED"}`))
		return
	}
	var m Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Phone == "" || (m.Text == "" && m.Template == "") {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"code":"BAD_REQUEST"}`))
		return
	}
	for _, old := range g.messages {
		if old.Ref == m.Ref && m.Ref != 0 {
			g.repeats++
			w.Write([]byte(`{"code":"OK","repeat":true}`))
			return
		}
	}
	g.messages = append(g.messages, m)
	w.Write([]byte(`{"code":"OK"}`))
}
