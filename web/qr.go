package web

import (
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR code payloads a station scanner reads: a person, a household. They
// carry the registry id only; the scanner's page looks the rest up with
// its own credentials, so a printed code gives nothing away.
const (
	qrPersonPrefix    = "FL:P:"
	qrHouseholdPrefix = "FL:H:"
)

// qrSVG draws text as a QR code in SVG, one path of unit squares with a
// quiet zone of four modules, scaled by the viewBox to size pixels. SVG
// drawn on the server needs no script and prints sharply.
func qrSVG(text string, size int) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", err
	}
	q.DisableBorder = true
	bits := q.Bitmap()
	n := len(bits) + 8
	var path strings.Builder
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	// The text is only in the title, escaped; the rest is numbers.
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img"><title>%s</title><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		size, size, n, n, template.HTMLEscapeString(text), n, n, path.String())
	return template.HTML(svg), nil
}
