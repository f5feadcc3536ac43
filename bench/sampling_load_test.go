package bench

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// The stations write their bodies by hand: they must be what json.Marshal
// gives the request, so the server decodes what a real station sends.
func TestStationBody(t *testing.T) {
	s := &station{st: &benchStation{id: 17}, round: 42}
	for _, persons := range [][]int64{{1}, {1000001, 2, 3, 4, 5, 6, 7, 8, 9, 10}} {
		got := s.body(123, 12, persons)
		want, err := json.Marshal(frontline.BindRequest{RequestID: "bench-42-17-123", RoundID: 42, TubeCode: "B42-17-12", PersonIDs: persons})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("body\n%s, want\n%s", got, want)
		}
	}
	if id := string(s.requestID(nil, 9)); id != "bench-42-17-9" {
		t.Error(id)
	}
}

// The stations decode only what they check; it must read a real answer.
func TestStationAnswer(t *testing.T) {
	full := frontline.BindAnswer{RequestID: "bench-1-2-3", Replayed: true,
		Tube: &frontline.Tube{ID: 9, Code: "B1-2-0", State: frontline.TubeSealed, OpenedAt: time.Now()},
		Items: []frontline.BindItem{{PersonID: 5, OK: true, BindingID: 50},
			{PersonID: 6, Error: frontline.NewItemError(frontline.Refuse(frontline.RefusedAlreadySampled, "sampled"))}}}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var a bindAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%v %s %s %+v", a.Replayed, a.Tube.Code, a.Tube.State, a.Items); got != "true B1-2-0 sealed [{PersonID:5 OK:true BindingID:50} {PersonID:6 OK:false BindingID:0}]" {
		t.Error(got)
	}
	first := a
	first.Replayed, first.Items = false, slices.Clone(a.Items)
	if !sameBindings(&first, &a) {
		t.Error("a replay with the same bindings is not the same")
	}
	a.Items[0].BindingID = 51
	if sameBindings(&first, &a) {
		t.Error("a retry that bound anew is the same")
	}
}
