// Package chart draws the dashboards' charts as SVG on the server: bars
// per day, a line over the morning, and a map of buildings as coloured
// tiles. No script draws them, so a phone, a wall screen and a printout
// show the same picture, and the charts come with the page.
//
// Every text drawn is escaped; the output is a complete <svg> element
// with a title for screen readers, sized by its viewBox so the page's CSS
// decides how wide it is.
package chart

import (
	"fmt"
	"html"
	"strings"
)

// Bar is one group of bars: a label (a day) and its values, one per
// series.
type Bar struct {
	Label  string
	Values []int
}

// Series names a series and its colour.
type Series struct {
	Name  string
	Color string
}

const (
	width   = 640
	height  = 240
	padL    = 56
	padR    = 12
	padT    = 28
	padB    = 36
	plotW   = width - padL - padR
	plotH   = height - padT - padB
	fontCSS = `font-family="sans-serif" font-size="15"`
)

func esc(s string) string { return html.EscapeString(s) }

func open(b *strings.Builder, title, testID string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" data-chart="%s" class="chart">`,
		width, height, esc(title), esc(testID))
	fmt.Fprintf(b, `<title>%s</title>`, esc(title))
}

// niceTop returns the top of an axis over values up to v: four steps of
// 1, 2 or 5 times a power of ten, so every grid line is a round number.
func niceTop(v int) int { return 4 * niceMax((v+3)/4) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v int) int {
	if v <= 0 {
		return 1
	}
	p := 1
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// axis draws the value axis from 0 to top, with four grid lines.
func axis(b *strings.Builder, top int, percent bool) {
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		y := padT + plotH - plotH*i/4
		label := fmt.Sprint(v)
		if percent {
			label += "%"
		}
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#dde1e6"/>`, padL, y, width-padR, y)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" %s fill="#5b6570">%s</text>`, padL-6, y+4, fontCSS, label)
	}
}

func legend(b *strings.Builder, series []Series) {
	x := padL
	for _, s := range series {
		fmt.Fprintf(b, `<rect x="%d" y="8" width="12" height="12" fill="%s"/>`, x, esc(s.Color))
		fmt.Fprintf(b, `<text x="%d" y="18" %s>%s</text>`, x+16, fontCSS, esc(s.Name))
		x += 24 + 14*len([]rune(s.Name))
	}
}

// Bars draws groups of bars (one bar per series in each group) over a
// shared axis, each bar labelled with its value when there is room.
func Bars(title, testID string, series []Series, bars []Bar) string {
	var b strings.Builder
	open(&b, title, testID)
	top := 0
	for _, g := range bars {
		for _, v := range g.Values {
			top = max(top, v)
		}
	}
	top = niceTop(top)
	axis(&b, top, false)
	legend(&b, series)
	if n := len(bars); n > 0 {
		slot := plotW / n
		bw := max(2, (slot-6)/max(1, len(series)))
		for i, g := range bars {
			x0 := padL + i*slot + 3
			for j, v := range g.Values {
				h := plotH * v / top
				x, y := x0+j*bw, padT+plotH-h
				color := "#2e6db4"
				if j < len(series) {
					color = series[j].Color
				}
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" data-value="%d"><title>%s %s: %d</title></rect>`,
					x, y, max(1, bw-1), h, esc(color), v, esc(g.Label), esc(seriesName(series, j)), v)
			}
			if n <= 7 || (n-1-i)%2 == 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" %s fill="#5b6570">%s</text>`,
					x0+slot/2-3, height-padB+16, fontCSS, esc(g.Label))
			}
		}
	} else {
		empty(&b)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func seriesName(series []Series, j int) string {
	if j < len(series) {
		return series[j].Name
	}
	return ""
}

func empty(b *strings.Builder) {
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" %s fill="#5b6570">—</text>`, padL+plotW/2, padT+plotH/2, fontCSS)
}

// Point is one point of a line: a label on the time axis and a value.
type Point struct {
	Label string
	Value float64
}

// Line draws a share (0 to 100) over time as a line with its area
// filled, labelling every few points on the time axis and the last
// value at the end of the line.
func Line(title, testID, color string, points []Point) string {
	var b strings.Builder
	open(&b, title, testID)
	axis(&b, 100, true)
	if n := len(points); n > 0 {
		step := float64(plotW)
		if n > 1 {
			step = float64(plotW) / float64(n-1)
		}
		var path strings.Builder
		xy := func(i int) (float64, float64) {
			v := min(max(points[i].Value, 0), 100)
			return float64(padL) + step*float64(i), float64(padT+plotH) - float64(plotH)*v/100
		}
		for i := range points {
			x, y := xy(i)
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x, y)
		}
		lastX, lastY := xy(n - 1)
		fmt.Fprintf(&b, `<path d="%sL%.1f %d L%d %d Z" fill="%s" fill-opacity="0.15" stroke="none"/>`,
			path.String(), lastX, padT+plotH, padL, padT+plotH, esc(color))
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2.5" data-points="%d"/>`, strings.TrimSpace(path.String()), esc(color), n)
		anchor, dx := "end", -4.0
		if lastX < width/2 {
			anchor, dx = "start", 6
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="%s" %s font-weight="bold">%.1f%%</text>`, lastX+dx, max(lastY-8, float64(padT)+14),
			anchor, fontCSS, points[n-1].Value)
		every := max(1, n/6)
		for i := 0; i < n; i += every {
			x, _ := xy(i)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" %s fill="#5b6570">%s</text>`, x, height-padB+16, fontCSS, esc(points[i].Label))
		}
	} else {
		empty(&b)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// Tile is one place of a map: its name, the colour it is drawn in, and a
// short line under the name.
type Tile struct {
	Name  string
	Color string
	Note  string
	Href  string
}

// Map draws tiles in rows, as the buildings of a compound stand in a
// grid on its plan, each coloured and named; a tile with a link opens
// that place.
func Map(title, testID string, tiles []Tile, legendItems []Series) string {
	const tw, th, gap = 100, 64, 6
	// Few tiles are drawn large: three to a row fills a phone.
	cols := 6
	if len(tiles) <= 6 {
		cols = 3
	}
	rows := max(1, (len(tiles)+cols-1)/cols)
	h := 30 + rows*(th+gap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" data-chart="%s" class="chart map">`,
		cols*(tw+gap), h, esc(title), esc(testID))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	x := 0
	for _, s := range legendItems {
		fmt.Fprintf(&b, `<rect x="%d" y="6" width="12" height="12" fill="%s"/><text x="%d" y="16" %s>%s</text>`, x, esc(s.Color), x+16, fontCSS, esc(s.Name))
		x += 24 + 13*len([]rune(s.Name))
	}
	for i, t := range tiles {
		tx, ty := (i%cols)*(tw+gap), 30+(i/cols)*(th+gap)
		if t.Href != "" {
			fmt.Fprintf(&b, `<a href="%s">`, esc(t.Href))
		}
		fmt.Fprintf(&b, `<g data-tile="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#5b6570" stroke-width="0.5"/>`,
			esc(t.Name), tx, ty, tw, th, esc(t.Color))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-family="sans-serif" font-size="13" font-weight="bold">%s</text>`,
			tx+tw/2, ty+26, esc(clip(t.Name, 7)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" %s>%s</text></g>`, tx+tw/2, ty+46, fontCSS, esc(clip(t.Note, 12)))
		if t.Href != "" {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// clip shortens s to n characters with an ellipsis, so a long name stays
// inside its tile.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
