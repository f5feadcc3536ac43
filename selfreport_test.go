package frontline_test

import (
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

func TestSelfReportItem(t *testing.T) {
	s := frontline.DefaultFollowUpSettings
	// 2026-01-05 and 2026-01-06 in China: reports at 08:00 and 18:00
	// (00:00 and 10:00 UTC), a test at 10:00.
	at := func(day, hour int) time.Time { return time.Date(2026, 1, day, hour, 0, 0, 0, frontline.ChinaTime) }
	items := []frontline.FollowUpItem{
		{ID: 1, Kind: frontline.FollowUpReport, DueAt: at(5, 8)},
		{ID: 2, Kind: frontline.FollowUpReport, DueAt: at(5, 18)},
		{ID: 3, Kind: frontline.FollowUpTest, DueAt: at(5, 10)},
		{ID: 4, Kind: frontline.FollowUpReport, DueAt: at(6, 8)},
		{ID: 5, Kind: frontline.FollowUpReport, DueAt: at(6, 18)},
	}
	for _, c := range []struct {
		name string
		now  time.Time
		done []int64
		want int64 // 0 for none
	}{
		{"before the morning lead", at(5, 3), nil, 0},
		{"morning, from four hours before", at(5, 4), nil, 1},
		{"morning, late", at(5, 11), nil, 1},
		{"afternoon fills the evening, not the missed morning", at(5, 15), nil, 2},
		{"morning done, evening not open yet", at(5, 12), []int64{1}, 0},
		{"both done", at(5, 20), []int64{1, 2}, 0},
		{"late at night, yesterday's evening is not refilled", at(6, 1), nil, 0},
		{"next morning", at(6, 7), nil, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			its := append([]frontline.FollowUpItem(nil), items...)
			for i := range its {
				for _, d := range c.done {
					if its[i].ID == d {
						its[i].DoneAt = c.now
					}
				}
			}
			var got int64
			if i := frontline.SelfReportItem(its, c.now, s); i >= 0 {
				got = its[i].ID
			}
			if got != c.want {
				t.Errorf("at %s: item %d, want %d", c.now.Format(time.DateTime), got, c.want)
			}
		})
	}
}

func TestInitial(t *testing.T) {
	for name, want := range map[string]string{"张三": "张", "Anna Li": "A", "": "", "\xff": ""} {
		if got := frontline.Initial(name); got != want {
			t.Errorf("Initial(%q) = %q, want %q", name, got, want)
		}
	}
}
