package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Paging bounds of every list.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// params reads a request's path and query parameters. It keeps the first
// error, so a handler reads all its parameters and checks once; every error
// is an EINVALID that names the parameter.
type params struct {
	r      *http.Request
	query  url.Values
	failed error
}

func newParams(r *http.Request) *params { return &params{r: r, query: r.URL.Query()} }

// check returns the first error met.
func (p *params) check() error { return p.failed }

func (p *params) fail(err error) {
	if p.failed == nil {
		p.failed = err
	}
}

// pathID reads a required positive id from the path.
func (p *params) pathID(name string) int64 {
	id, err := strconv.ParseInt(p.r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		p.fail(frontline.FieldError(name, "%q is not an id (a positive whole number)", p.r.PathValue(name)))
		return 0
	}
	return id
}

// id reads an optional positive id from the query; nil when absent.
func (p *params) id(name string) *int64 {
	s := p.query.Get(name)
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		p.fail(frontline.FieldError(name, "%q is not an id (a positive whole number)", s))
		return nil
	}
	return &id
}

// text reads an optional text parameter, trimmed; nil when absent or blank.
func (p *params) text(name string) *string {
	s := strings.TrimSpace(p.query.Get(name))
	if s == "" {
		return nil
	}
	if len(s) > 200 {
		p.fail(frontline.FieldError(name, "is longer than 200 bytes"))
		return nil
	}
	return &s
}

// boolean reads an optional true/false parameter; absent is false.
func (p *params) boolean(name string) bool {
	s := p.query.Get(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.fail(frontline.FieldError(name, "%q is not true or false", s))
	}
	return b
}

// number reads an optional whole number in [lo, hi]; def when absent.
func (p *params) number(name string, def, lo, hi int) int {
	s := p.query.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		if hi == math.MaxInt {
			p.fail(frontline.FieldError(name, "%q is not a whole number of at least %d", s, lo))
		} else {
			p.fail(frontline.FieldError(name, "%q is not a whole number from %d to %d", s, lo, hi))
		}
		return def
	}
	return n
}

// kind reads an optional place kind.
func (p *params) kind(name string) *frontline.PlaceKind {
	s := p.query.Get(name)
	if s == "" {
		return nil
	}
	k := frontline.PlaceKind(s)
	if !k.Valid() {
		p.fail(frontline.FieldError(name, "unknown place kind %q (one of %s)", s, kindList()))
		return nil
	}
	return &k
}

func kindList() string {
	names := make([]string, len(frontline.PlaceKinds))
	for i, k := range frontline.PlaceKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// page is the paging of a list.
type page struct {
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// page reads limit (default 100, at most 1000) and offset.
func (p *params) page() page {
	return page{
		Limit:  p.number("limit", defaultLimit, 1, maxLimit),
		Offset: p.number("offset", 0, 0, math.MaxInt),
	}
}

// notFoundIn names the parameter an ENOTFOUND error came from, so a client
// that passed an unknown under= learns which parameter was wrong.
func notFoundIn(err error, name string) error {
	if frontline.ErrorCode(err) != frontline.ENOTFOUND || frontline.ErrorField(err) != "" {
		return err
	}
	return &frontline.Error{Code: frontline.ENOTFOUND, Field: name, Message: frontline.ErrorMessage(err), Err: err}
}

// day reads an optional moment: a date (YYYY-MM-DD, the whole day in
// loc, so that "to" a date includes that day) or an RFC 3339 time. end
// asks for the end of a date rather than its start. Zero when absent.
func (p *params) day(name string, loc *time.Location, end bool) time.Time {
	s := strings.TrimSpace(p.query.Get(name))
	if s == "" {
		return time.Time{}
	}
	if d, err := time.ParseInLocation(frontline.DateLayout, s, loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	p.fail(frontline.FieldError(name, "%q is not a date (YYYY-MM-DD) or an RFC 3339 time", s))
	return time.Time{}
}

// pageLinks returns the links to the previous and next page of a list
// that shows n rows from offset, limit a page, out of total; "" where
// there is no such page. query keeps the list's search.
func pageLinks(path string, query url.Values, offset, n, limit, total int) (prev, next string) {
	link := func(off int) string {
		v := url.Values{}
		for k, vs := range query {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return path + "?" + v.Encode()
	}
	if offset > 0 {
		prev = link(max(0, offset-limit))
	}
	if offset+n < total {
		next = link(offset + limit)
	}
	return prev, next
}
