package web

import (
	"slices"
	"testing"

	"github.com/frontline-org/frontline"
)

// TestDashboardTiles_Sections: every tile's section is one the dashboard
// reads (frontline.DashboardSections), or the tile would vanish as if its
// workflow were not built.
func TestDashboardTiles_Sections(t *testing.T) {
	for _, tl := range dashboardTiles {
		if !slices.Contains(frontline.DashboardSections, tl.section) {
			t.Errorf("the tile %s.%s shows a section the dashboard does not read", tl.section, tl.column)
		}
		if !slices.Contains(frontline.DailySectionColumns[tl.section], tl.column) {
			t.Errorf("the tile %s.%s names no column of its section", tl.section, tl.column)
		}
	}
}
