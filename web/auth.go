package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/frontline-org/frontline"
)

// Cookie and form names of a session.
const (
	// sessionCookie holds the session secret UserService.Login returned;
	// the database keeps only its hash.
	sessionCookie = "frontline_session"
	// csrfField is the hidden form field, and csrfHeader the header for
	// scripts, that carry a session's CSRF token.
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// caller is who sent a request: a principal, and how they proved it.
type caller struct {
	principal *frontline.Principal
	// csrf is the token every state-changing request of a browser session
	// must carry; empty for a device token, which no browser sends on its
	// own.
	csrf     string
	viaToken bool
	// upload is the rest of an uploaded list's form, once its first
	// field, the CSRF token, has been read from it (checkCSRF).
	upload *multipart.Reader
	// uploadFields are the small fields read before the token.
	uploadFields map[string]string
}

type callerKey struct{}

// callerFrom returns the caller authorize resolved, or nil on a route that
// needs none or for a visitor who is not signed in.
func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// authorize enforces a route's access declaration, the one place that
// does. It resolves the caller from the session cookie or, under /api/,
// from a device token, refuses those who lack the declared permission,
// demands the CSRF token of a browser session on every state-changing
// request, and hands the principal to the services in the request context
// before any of them is called: they filter by its scope.
func (s *Server) authorize(access Access, next http.Handler) http.Handler {
	if access == AccessPublic {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.identify(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if c == nil {
			if access == AccessAnyone {
				next.ServeHTTP(w, r)
			} else {
				s.signInFirst(w, r)
			}
			return
		}
		if perm := access.Permission(); perm != "" && !c.principal.Can(perm) {
			s.fail(w, r, frontline.Errorf(frontline.EFORBIDDEN, "your role (%s) does not have the permission %s", c.principal.Role, perm))
			return
		}
		if !safeMethod(r.Method) && !c.viaToken {
			if err := checkCSRF(r, c); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		ctx := frontline.WithPrincipal(r.Context(), c.principal)
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, callerKey{}, c)))
	})
}

// identify returns the caller of r, nil for a visitor without a session.
// An ended session counts as none (and its cookie is cleared); a bad
// device token is an error, since a device expects to be told.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) (*caller, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" && isAPI(r) {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, frontline.Errorf(frontline.EUNAUTHORIZED, "send Authorization: Bearer and a device token")
		}
		p, err := s.Users.AuthenticateToken(ctx, strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		p.Addr = s.clientAddr(r)
		return &caller{principal: p, viaToken: true}, nil
	}
	cookie, err := r.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		return nil, nil
	}
	p, err := s.Users.Authenticate(ctx, cookie.Value)
	switch frontline.ErrorCode(err) {
	case "":
	case frontline.EUNAUTHORIZED:
		s.clearSessionCookie(w)
		return nil, nil
	default:
		return nil, err
	}
	// The session remembers where it signed in; changes record where the
	// request came from.
	p.Addr = s.clientAddr(r)
	return &caller{principal: p, csrf: csrfToken(cookie.Value)}, nil
}

// signInFirst answers a request that needs a signed-in caller: 401 for
// the API, the sign-in page for a person, who comes back to the page they
// asked for once signed in.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		s.fail(w, r, frontline.Errorf(frontline.EUNAUTHORIZED, "sign in, or send a device token as Authorization: Bearer"))
		return
	}
	next := "/"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfToken derives a session's CSRF token from its secret: an HMAC, so
// the token reveals nothing of the secret, every app server derives the
// same one without shared state, and it ends with the session. Another
// site can neither read the cookie nor the pages that carry the token.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("frontline csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF compares the token a request carries (header, or hidden form
// field) with its session's.
func checkCSRF(r *http.Request, c *caller) error {
	got := r.Header.Get(csrfHeader)
	if got == "" && isUpload(r) && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// A list of 300,000 rows is not parsed as a form (which would
		// spill it to a temporary file): the token comes first, and the
		// handler reads the rest.
		mr, err := r.MultipartReader()
		if err != nil {
			return frontline.Errorf(frontline.EINVALID, "send the list as a file from the form")
		}
		c.uploadFields = map[string]string{}
		for range 8 { // the token comes before the file, among a few small fields
			part, err := mr.NextPart()
			if err != nil || part.FileName() != "" {
				break
			}
			b, _ := io.ReadAll(io.LimitReader(part, 1<<10))
			if part.FormName() == csrfField {
				got, c.upload = string(b), mr
				break
			}
			c.uploadFields[part.FormName()] = string(b)
		}
	} else if got == "" && isForm(r) {
		if err := parseBody(r); err != nil {
			return err
		}
		got = r.PostFormValue(csrfField)
	}
	if got == "" || !hmac.Equal([]byte(got), []byte(c.csrf)) {
		return frontline.Errorf(frontline.EFORBIDDEN, "the form is out of date or came from another site; reload the page and try again")
	}
	return nil
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

// denyCrossOrigin answers a request http.CrossOriginProtection refused,
// in the caller's format.
func (s *Server) denyCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, frontline.Errorf(frontline.EFORBIDDEN, "a request from another site may not change anything here"))
}

// setSessionCookie hands the browser its session secret. HttpOnly keeps
// it from scripts; SameSite=Lax keeps it off cross-site posts; Secure
// keeps it off plain HTTP when the server is reached over HTTPS.
func (s *Server) setSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/",
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// clientAddr is the address a request came from, without the port: the
// port changes with every connection, and failed sign-ins are counted per
// address. Behind trusted proxies it is the last address in
// X-Forwarded-For that is not one of them: each proxy appends the address
// it was reached from, so everything left of the first untrusted one may
// have been written by the client itself.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // a garbled header: trust nothing further left
		}
		host = hop
		if !s.trusted(hop) {
			break
		}
	}
	return host
}

// trusted reports whether addr is one of the TrustedProxies.
func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	for _, p := range s.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// localPath returns next when it is a path on this server, "/" otherwise,
// so the sign-in form cannot be made to send a person to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}
