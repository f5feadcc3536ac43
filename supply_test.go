package frontline_test

import (
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// TestOrderParsePrice reads prices as offices write them, in fen, and
// refuses what is not one.
func TestOrderParsePrice(t *testing.T) {
	for in, want := range map[string]int64{"12.5": 1250, "¥12.50": 1250, "12元": 1200, "1,299.00": 129900, "０.３": 30, ".5": 50} {
		if got, err := frontline.ParsePrice(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.234", "十元", "1e3"} {
		if _, err := frontline.ParsePrice(in); err == nil {
			t.Errorf("%q taken as a price", in)
		}
	}
	if s := frontline.FormatPrice(129905); s != "1299.05" {
		t.Errorf("format: %s", s)
	}
}

// TestOrderWindowDeliveryDay: orders before the cut-off arrive after the
// window's days, later ones a day after that, in the deployment's zone.
func TestOrderWindowDeliveryDay(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	w := frontline.DefaultOrderWindow()
	for at, want := range map[string]string{"2022-04-01 19:59": "2022-04-02", "2022-04-01 20:00": "2022-04-03", "2022-04-01 00:10": "2022-04-02"} {
		now, _ := time.ParseInLocation("2006-01-02 15:04", at, loc)
		if got := w.DeliveryDay(now.UTC(), loc); got != want {
			t.Errorf("ordered %s: arrives %s, want %s", at, got, want)
		}
	}
	if m, err := frontline.ParseClock("20：30"); err != nil || m != 20*60+30 {
		t.Errorf("clock: %d, %v", m, err)
	}
}
