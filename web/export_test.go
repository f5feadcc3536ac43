package web

import (
	"errors"
	"io/fs"
	"net/http"
)

// HandleForTest registers one more route on an opened server the way
// registerRoutes does, and returns what the registration refused, so tests
// can show that a route without an access declaration is never served.
func (s *Server) HandleForTest(pattern string, access Access, h func(http.ResponseWriter, *http.Request) error) error {
	s.routeErr = nil
	s.route(pattern, access, h)
	return errors.Join(s.routeErr...)
}

// FormatNumberForTest exposes the page's number format.
func FormatNumberForTest(n int) string { return formatNumber(n) }

// MessagesForTest returns the catalogue as id → [zh-CN, en].
func MessagesForTest() map[string][2]string {
	out := make(map[string][2]string)
	for id, m := range newCatalog() {
		out[id] = [2]string{m.zh, m.en}
	}
	return out
}

// ParseTemplatesForTest parses templates from files as Open parses the
// embedded ones.
func (s *Server) ParseTemplatesForTest(files fs.FS) error {
	s.catalog = newCatalog()
	_, err := s.parseTemplates(files)
	return err
}
