package web

import (
	"errors"

	"github.com/frontline-org/frontline"
)

// errTestingServices is the start-up error of a server given some of the
// testing services but not all.
var errTestingServices = errors.New("web: the testing services come together: Rounds, Sampling, Lab, Coverage, Sites and Outbox")

// registerTesting registers the pages and the API of mass testing rounds,
// when the server has their services.
func (s *Server) registerTesting() {
	if s.Rounds == nil {
		return
	}
	if s.Sampling == nil || s.Lab == nil || s.Coverage == nil || s.Sites == nil || s.Outbox == nil {
		s.routeErr = append(s.routeErr, errTestingServices)
		return
	}
	if err := s.parseTestingPages(); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	s.registerRoundAPI()
	s.registerSamplingAPI()
	s.registerCoverageAPI()
	s.registerTestingPages()
	s.registerSetupAPI()
	if err := s.registerSetupPages(); err != nil {
		s.routeErr = append(s.routeErr, err)
	}
}

// registerRoundAPI is the API of rounds, members, sites, stations, the
// call-up plan and its notices. Reads shared by command staff, stations
// and labs declare only a signed-in caller: the services decide by role
// and scope.
func (s *Server) registerRoundAPI() {
	manage := Needs(frontline.PermManageRounds)
	s.route("GET /api/v1/rounds", AccessSignedIn, s.apiRounds)
	s.route("POST /api/v1/rounds", manage, s.apiCreateRound)
	s.route("GET /api/v1/rounds/{id}", AccessSignedIn, s.apiRound)
	s.route("PATCH /api/v1/rounds/{id}", manage, s.apiUpdateRound)
	s.route("DELETE /api/v1/rounds/{id}", manage, s.apiDeleteRound)
	s.route("POST /api/v1/rounds/{id}/open", manage, s.apiOpenRound)
	s.route("POST /api/v1/rounds/{id}/close", manage, s.apiCloseRound)
	s.route("POST /api/v1/rounds/{id}/members", manage, s.apiAddMember)
	s.route("GET /api/v1/rounds/{id}/members/{pid}", AccessSignedIn, s.apiMember)
	s.route("POST /api/v1/rounds/{id}/excusals", manage, s.apiExcuse)
	s.route("DELETE /api/v1/rounds/{id}/excusals/{pid}", manage, s.apiUnexcuse)
	s.route("GET /api/v1/rounds/{id}/sites", AccessSignedIn, s.apiSites)
	s.route("POST /api/v1/rounds/{id}/sites", manage, s.apiCreateSite)
	s.route("GET /api/v1/rounds/{id}/stations", AccessSignedIn, s.apiStations)
	s.route("POST /api/v1/sites/{id}/stations", manage, s.apiCreateStation)
	s.route("GET /api/v1/rounds/{id}/plan", manage, s.apiPlan)
	s.route("PUT /api/v1/rounds/{id}/plan", manage, s.apiSavePlan)
	s.route("GET /api/v1/rounds/{id}/slots", AccessSignedIn, s.apiSlots)
	s.route("GET /api/v1/notices", manage, s.apiNotices)
	s.route("POST /api/v1/notices/{id}/requeue", manage, s.apiRequeueNotice)
}

// registerSamplingAPI is the API of stations and labs: bindings, tubes,
// bags, results and home re-tests.
func (s *Server) registerSamplingAPI() {
	sampling, lab := Needs(frontline.PermSampling), Needs(frontline.PermPostResults)
	s.route("POST /api/v1/rounds/{id}/bindings", sampling, s.apiBind)
	s.route("POST /api/v1/rounds/{id}/bindings/batch", sampling, s.apiBindBatch)
	s.route("POST /api/v1/rounds/{id}/tubes/{code}/undo", sampling, s.apiUndo)
	s.route("GET /api/v1/rounds/{id}/tubes", AccessSignedIn, s.apiTubes)
	s.route("GET /api/v1/tubes/{code}", AccessSignedIn, s.apiTube)
	s.route("POST /api/v1/rounds/{id}/bags", sampling, s.apiBag)
	s.route("GET /api/v1/rounds/{id}/bags", AccessSignedIn, s.apiBags)
	s.route("GET /api/v1/bags/{code}", AccessSignedIn, s.apiBagByCode)
	s.route("POST /api/v1/bags/{code}/receive", lab, s.apiReceiveBag)
	s.route("POST /api/v1/results", lab, s.apiResults)
	s.route("POST /api/v1/results.csv", lab, s.apiResultsCSV)
	s.route("GET /api/v1/rounds/{id}/retests", AccessSignedIn, s.apiRetests)
	s.route("POST /api/v1/retests/{id}/sample", sampling, s.apiSampleRetest)
}

// registerCoverageAPI is the API of coverage: counters, the gap list, the
// flow, throughput, pool advice and the live event stream.
func (s *Server) registerCoverageAPI() {
	read := Needs(frontline.PermReadReports)
	s.route("GET /api/v1/rounds/{id}/coverage", read, s.apiCoverageOfRound)
	s.route("GET /api/v1/rounds/{id}/not-sampled", read, s.apiNotSampled)
	s.route("GET /api/v1/rounds/{id}/flow", read, s.apiFlow)
	s.route("GET /api/v1/rounds/{id}/throughput", read, s.apiThroughput)
	s.route("GET /api/v1/rounds/{id}/advice", read, s.apiAdvice)
	s.route("GET /api/v1/pool-advice", AccessSignedIn, s.apiPoolAdvice)
	s.route("GET /api/v1/rounds/{id}/events", read, s.apiEvents)
}
