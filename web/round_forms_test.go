package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRoundsPage_FormErrors posts the new round form with bad times: the
// message stands at the field that is wrong, and what was typed stays.
func TestRoundsPage_FormErrors(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	base := url.Values{"name": {"第一轮"}, "scope": {fmt.Sprint(f.city.ID)}, "day": {"2026-06-02"}, "starts": {"06:00"},
		"ends": {"18:00"}, "test_type": {"PCR"}}
	for _, tc := range []struct {
		name, field, value, testid, want string
	}{
		{"ErrStarts", "starts", "6点", "error-starts", "Enter the start time"},
		{"ErrEnds", "ends", "", "error-ends", "Enter the end time"},
		{"ErrDay", "day", "6月2日", "error-day", "Enter the day"},
		{"ErrScope", "scope", fmt.Sprint(f.hh[0].ID), "error-scope", "at least a building"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range base {
				form[k] = v
			}
			form.Set(tc.field, tc.value)
			resp, body := ts.client.postForm(t, "/rounds?lang=en", form)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="`+tc.testid+`"`) || !strings.Contains(body, tc.want) {
				t.Fatalf("%d, want 400 with %s %q: %s", resp.StatusCode, tc.testid, tc.want, body)
			}
			if !strings.Contains(body, `value="第一轮"`) {
				t.Fatal("the form lost the name typed")
			}
		})
	}
	if _, total, err := sqldb.NewRoundService(db).FindRounds(context.Background(), frontline.RoundFilter{}); err != nil || total != 0 {
		t.Fatalf("a refused form made a round: %v %d", err, total)
	}
	// A night round: an end before the start is the next morning.
	night := url.Values{}
	for k, v := range base {
		night[k] = v
	}
	night.Set("starts", "20:00")
	night.Set("ends", "02:00")
	if resp, body := ts.client.postForm(t, "/rounds", night); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a night round: %d %s", resp.StatusCode, body)
	}
	rounds, _, err := sqldb.NewRoundService(db).FindRounds(context.Background(), frontline.RoundFilter{})
	if err != nil || len(rounds) != 1 || rounds[0].EndsAt.Sub(rounds[0].StartsAt) != 6*time.Hour {
		t.Fatalf("the night round: %v %+v", err, rounds)
	}
}

// TestGapsPage_ExcuseError excuses with "other" and no note: the gap list
// comes back with the message at the person's form and the reason chosen.
func TestGapsPage_ExcuseError(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	ctx := context.Background()
	r := openCityRound(t, db, f)
	person := f.persons[0]
	path := fmt.Sprintf("/rounds/%d/excuse?place=%d", r.ID, f.city.ID)
	resp, body := ts.client.postForm(t, path, url.Values{"person_id": {fmt.Sprint(person.ID)}, "reason": {"other"}, "place": {fmt.Sprint(f.city.ID)}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="excuse-error"`) ||
		!strings.Contains(body, "选择“其他”时请写明原因") || !strings.Contains(body, `value="other" selected`) {
		t.Fatalf("excusing without a note: %d %s", resp.StatusCode, body)
	}
	resp, body = ts.client.postForm(t, path, url.Values{"person_id": {fmt.Sprint(person.ID)}, "reason": {"sick"}, "place": {fmt.Sprint(f.city.ID)}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "请选择免采原因") {
		t.Fatalf("an unknown reason: %d %s", resp.StatusCode, body)
	}
	if m, err := sqldb.NewRoundService(db).FindMember(ctx, r.ID, person.ID); err != nil || m.Status != frontline.MemberPending {
		t.Fatalf("a refused excusal excused: %v %+v", err, m)
	}
	resp, _ = ts.client.postForm(t, path, url.Values{"person_id": {fmt.Sprint(person.ID)}, "reason": {"other"}, "note": {"出差"},
		"place": {fmt.Sprint(f.city.ID)}, "confirm": {"yes"}})
	if want := fmt.Sprintf("/rounds/%d/gaps?place=%d", r.ID, f.city.ID); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("excusing: %d to %s, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
