package web

import (
	"errors"

	"github.com/frontline-org/frontline"
)

// Zone and checkpoint pages. They are parsed by registerZones, with the
// layout and parts every page has, when the server has the services.
const (
	pageZonesName       = "zones"
	pageZoneMapName     = "zonemap"
	pageCheckpointsName = "checkpoints"
	pageCheckpointName  = "checkpoint"
	pageTemplateName    = "checklist_template"
)

// registerZones registers the pages and the API of sealed zones and
// checkpoints, when the server has their services.
func (s *Server) registerZones() {
	if s.Zones == nil {
		return
	}
	if s.Checkpoints == nil {
		s.routeErr = append(s.routeErr, errors.New("web: the zone pages need Zones and Checkpoints together"))
		return
	}
	if err := s.parseZonePages(); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	reports, manage := Needs(frontline.PermReadReports), Needs(frontline.PermManageZones)
	log := Needs(frontline.PermCheckpointLog)
	s.route("GET /zones", reports, s.pageZones)
	s.route("GET /zones/map", reports, s.pageZoneMap)
	s.route("POST /zones", manage, s.postZone)
	s.route("POST /zones/{id}/step-down", manage, s.postStepDown)
	s.route("GET /checkpoints", log, s.pageCheckpoints)
	s.route("GET /checkpoints/{id}", log, s.pageCheckpoint)
	s.route("POST /checkpoints/{id}/passages", log, s.postPassage)
	setup := Needs(frontline.PermManageCheckpoints)
	s.route("POST /checkpoints", setup, s.postCheckpoint)
	s.route("GET /checkpoints/template", setup, s.pageChecklistTemplate)
	s.route("POST /checkpoints/template", setup, s.postChecklistTemplate)
	s.route("POST /checkpoints/{id}/status", setup, s.postCheckpointStatus)
	s.route("POST /checkpoints/{id}/items", setup, s.postChecklistItem)
	s.route("POST /checkpoints/{id}/items/{item}/done", setup, s.postTaskDone)
	s.route("POST /checkpoints/{id}/ledger", setup, s.postLedger)
	s.registerZoneAPI()
	s.registerCheckpointAPI()
}

// registerZoneAPI is the JSON API of zones, their rules and evidence.
func (s *Server) registerZoneAPI() {
	read, reports, manage := Needs(frontline.PermReadRegistry), Needs(frontline.PermReadReports), Needs(frontline.PermManageZones)
	s.route("GET /api/v1/zones", read, s.apiZones)
	s.route("POST /api/v1/zones", manage, s.apiSetZone)
	s.route("GET /api/v1/zones/{id}", read, s.apiZone)
	s.route("POST /api/v1/zones/{id}/step-down", manage, s.apiStepDown)
	s.route("GET /api/v1/zone-levels", read, s.apiZoneLevels)
	s.route("GET /api/v1/places/{id}/zone", read, s.apiPlaceZone)
	s.route("GET /api/v1/places/{id}/zone-history", read, s.apiZoneHistory)
	s.route("GET /api/v1/places/{id}/affected", read, s.apiAffected)
	s.route("GET /api/v1/places/{id}/zone-board", reports, s.apiZoneBoard)
	s.route("GET /api/v1/step-downs", reports, s.apiStepDowns)
	s.route("POST /api/v1/zone-evidence", manage, s.apiRecordEvidence)
	s.route("GET /api/v1/zone-rules", read, s.apiZoneRules)
	s.route("POST /api/v1/zone-rules", manage, s.apiUpdateZoneRule)
	s.route("GET /api/v1/zone-rules/{level}/versions", read, s.apiZoneRuleVersions)
}

// registerCheckpointAPI is the JSON API of checkpoints: setup, ledger,
// staffing and the entry log.
func (s *Server) registerCheckpointAPI() {
	read, manage := Needs(frontline.PermReadRegistry), Needs(frontline.PermManageCheckpoints)
	// The log is for the staff at the gate; every role that reads reports
	// has checkpoints.log too.
	log := Needs(frontline.PermCheckpointLog)
	s.route("GET /api/v1/checkpoints", read, s.apiCheckpoints)
	s.route("POST /api/v1/checkpoints", manage, s.apiCreateCheckpoint)
	s.route("GET /api/v1/checkpoints/{id}", read, s.apiCheckpoint)
	s.route("PATCH /api/v1/checkpoints/{id}", manage, s.apiUpdateCheckpoint)
	s.route("POST /api/v1/checkpoints/{id}/status", manage, s.apiCheckpointStatus)
	s.route("POST /api/v1/checkpoints/{id}/checklist", manage, s.apiAddChecklistItem)
	s.route("POST /api/v1/checklist-items/{id}/done", manage, s.apiTaskDone)
	s.route("GET /api/v1/checklist-template", read, s.apiChecklistTemplate)
	s.route("PUT /api/v1/checklist-template", manage, s.apiSetChecklistTemplate)
	s.route("GET /api/v1/checkpoints/{id}/ledger", read, s.apiLedger)
	s.route("POST /api/v1/checkpoints/{id}/ledger", manage, s.apiRecordMaterial)
	s.route("GET /api/v1/shortages", read, s.apiShortages)
	s.route("GET /api/v1/checkpoints/{id}/passages", log, s.apiPassages)
	s.route("POST /api/v1/checkpoints/{id}/passages", log, s.apiRecordPassage)
	s.route("GET /api/v1/checkpoints/{id}/passages/hourly", log, s.apiPassageCounts)
}

// parseZonePages parses the zone and checkpoint pages as parseTemplates
// parses the others, into the same map.
func (s *Server) parseZonePages() error {
	// The checkpoint page's setup section is kept in a file of its own for its size.
	return s.parsePageSet(nil, []string{pageZonesName, pageZoneMapName, pageCheckpointsName, pageCheckpointName, pageTemplateName},
		"templates/checkpoint_setup.html")
}

// zoneLinks adds the zone board and the checkpoints to the navigation,
// before its last link, for the roles that use them, when the server
// serves them.
func (s *Server) zoneLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Zones == nil || len(links) == 0 {
		return links
	}
	last := links[len(links)-1]
	links = links[:len(links)-1]
	if p.Can(frontline.PermReadReports) {
		links = append(links, navLink{"/zones", "nav.zones", "nav-zones"})
	}
	if p.Can(frontline.PermCheckpointLog) {
		links = append(links, navLink{"/checkpoints", "nav.checkpoints", "nav-checkpoints"})
	}
	return append(links, last)
}
