package chart_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/chart"
)

// wellFormed parses an SVG as XML: a browser draws nothing of a broken one.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
	}
}

func TestBars(t *testing.T) {
	svg := chart.Bars("检测<人次>", "tests", []chart.Series{{"检测", "#2e6db4"}, {"阳性", "#a61b1b"}},
		[]chart.Bar{{"12-01", []int{1200, 3}}, {"12-02", []int{800, 0}}})
	wellFormed(t, svg)
	if n := strings.Count(svg, "<rect x=") - 2; n != 4 { // two legend boxes
		t.Errorf("%d bars, want 4", n)
	}
	if !strings.Contains(svg, `data-value="1200"`) || !strings.Contains(svg, "检测&lt;人次&gt;") {
		t.Errorf("bars or title missing:\n%s", svg)
	}
	wellFormed(t, chart.Bars("empty", "x", nil, nil))
}

func TestLine(t *testing.T) {
	svg := chart.Line("采样进度", "morning", "#2e7d32", []chart.Point{{"06:00", 0}, {"06:10", 12.5}, {"06:20", 40}})
	wellFormed(t, svg)
	if !strings.Contains(svg, `data-points="3"`) || !strings.Contains(svg, "40.0%") {
		t.Errorf("line:\n%s", svg)
	}
}

func TestMap(t *testing.T) {
	svg := chart.Map("楼栋", "map", []chart.Tile{{Name: "1号楼", Color: "#fdecec", Note: "封控区", Href: "/places/1?a=1&b=2"}, {Name: "很长很长很长的楼栋名称", Color: "#fff"}},
		[]chart.Series{{"封控区", "#fdecec"}})
	wellFormed(t, svg)
	if strings.Count(svg, "data-tile=") != 2 || !strings.Contains(svg, "很长很长很长…") || !strings.Contains(svg, "a=1&amp;b=2") {
		t.Errorf("map:\n%s", svg)
	}
}
