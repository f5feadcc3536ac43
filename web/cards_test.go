package web_test

import (
	"regexp"
	"strings"
	"testing"
)

var (
	tableRE  = regexp.MustCompile(`(?s)<table[^>]*>.*?</table>`)
	thRE     = regexp.MustCompile(`(?s)<th(?:\s[^>]*)?>(.*?)</th>`)
	tdOpenRE = regexp.MustCompile(`<td(?:\s[^>]*)?>`)
)

// TestTemplates_TableCellsNamed checks that every cell of a table with a
// header names its column (data-label): on a phone the header is hidden
// and each row is a card whose cells say what they are. Only a column
// with an empty header (its buttons) needs no name.
func TestTemplates_TableCellsNamed(t *testing.T) {
	for name, src := range templateSources(t) {
		for _, table := range tableRE.FindAllString(src, -1) {
			head, body, ok := strings.Cut(table, "</thead>")
			if !ok {
				continue
			}
			unnamed := 0
			for _, th := range thRE.FindAllStringSubmatch(head, -1) {
				if strings.TrimSpace(th[1]) == "" {
					unnamed++
				}
			}
			bare := 0
			for _, td := range tdOpenRE.FindAllString(body, -1) {
				if !strings.Contains(td, "data-label=") {
					bare++
				}
			}
			if bare > unnamed {
				t.Errorf("%s: a table has %d cells without data-label (and %d columns without a header): %.120s", name, bare, unnamed, table)
			}
		}
	}
}
