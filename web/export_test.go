package web

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
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

// CatalogDuplicatesForTest lists the message ids defined twice.
func CatalogDuplicatesForTest() []string { return catalogDuplicates() }

// DuplicateIDsForTest runs the duplicate check on parts given as
// function name → ids.
func DuplicateIDsForTest(parts map[string][]string) []string {
	var list []catalogPart
	for name, ids := range parts {
		p := catalogPart{name: name, msgs: map[string]message{}}
		for _, id := range ids {
			p.msgs[id] = message{id, id}
		}
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b catalogPart) int { return strings.Compare(a.name, b.name) })
	return duplicateIDs(list)
}

// TextForTest formats message id in lang as pages do.
func TextForTest(lang, id string, args ...any) (string, error) {
	s := &Server{catalog: newCatalog()}
	return s.text(lang, id, args...)
}

// ParseTemplatesForTest parses templates from files as Open parses the
// embedded ones.
func (s *Server) ParseTemplatesForTest(files fs.FS) error {
	s.catalog = newCatalog()
	_, err := s.parseTemplates(files)
	return err
}

// DynamicMessageIDsForTest lists the message ids the code builds at run
// time from a code (an error code, a form field, an audit action), which
// no literal names.
func DynamicMessageIDsForTest() []string {
	ids := formFieldIDs()
	for _, a := range auditActions() {
		ids = append(ids, "action."+a)
	}
	for _, e := range auditEntities() {
		ids = append(ids, "entity."+e)
	}
	for _, k := range searchKinds() {
		ids = append(ids, "search.invalid."+k)
	}
	for _, d := range []string{"created", "saved", "password", "logout"} {
		ids = append(ids, userDone(d))
	}
	ids = append(ids, accountDone("password"))
	for _, c := range []string{frontline.EINVALID, frontline.EUNAUTHORIZED, frontline.EFORBIDDEN,
		frontline.ENOTFOUND, frontline.ECONFLICT, frontline.EINTERNAL} {
		ids = append(ids, "error."+c, "error.explain."+c)
	}
	ids = append(ids, screeningMessageIDs()...)
	// The new checkpoint form's errors (postCheckpoint).
	for _, f := range newCheckpointFields {
		ids = append(ids, "checkpoints.error."+f)
	}
	for _, r := range frontline.Refusals {
		ids = append(ids, "station.reason."+string(r))
	}
	// The lab page's row errors (resultErrorText).
	ids = append(ids, "lab.row.result_empty")
	for _, r := range frontline.ResultReasons {
		ids = append(ids, "lab.row."+string(r))
	}
	for _, r := range []frontline.TubeResult{frontline.ResultNegative, frontline.ResultPositive, frontline.ResultInvalid} {
		ids = append(ids, "result."+string(r))
	}
	return append(ids, "language."+langZH, "language."+langEN, "value.true", "value.false")
}

// FormatTimeForTest formats t as the pages do, in the server's zone.
func (s *Server) FormatTimeForTest(lang string, t time.Time) string { return s.formatTime(lang, t) }

// CSRFTokenForTest derives the CSRF token of a session secret.
func CSRFTokenForTest(secret string) string { return csrfToken(secret) }

// LocalPathForTest is where the sign-in form may send a person back to.
func LocalPathForTest(next string) string { return localPath(next) }

// PageLinksForTest returns the previous and next links of a list.
func PageLinksForTest(path string, query url.Values, offset, n, limit, total int) (string, string) {
	return pageLinks(path, query, offset, n, limit, total)
}
