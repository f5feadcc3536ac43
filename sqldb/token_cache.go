package sqldb

import (
	"sync"
	"time"

	"github.com/frontline-org/frontline"
)

// tokenTTL is how long a device token, once checked against the
// database, is taken on trust. A sampling station sends thousands of
// requests an hour; reading the token for each cost as much as the work
// the request asked for. A token revoked here stops at once; on another
// server of the same database it stops within tokenTTL.
const tokenTTL = 10 * time.Second

// tokenCache remembers recently authenticated device tokens by the hash
// of their secret.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	p       frontline.Principal
	expires time.Time
}

// get returns a copy of the principal of a token hash checked less than
// tokenTTL ago, or nil.
func (c *tokenCache) get(hash string, now time.Time) *frontline.Principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[hash]
	if !ok || now.After(t.expires) {
		return nil
	}
	p := t.p
	return &p
}

// put remembers a token's principal until tokenTTL from now.
func (c *tokenCache) put(hash string, p *frontline.Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedToken{} // stale entries go with the rest
	}
	c.m[hash] = cachedToken{p: *p, expires: now.Add(tokenTTL)}
}

// clear forgets every token, after a revocation.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
