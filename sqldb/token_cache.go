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

// touchFlush is how often the last_used of the device tokens used since
// the last write is written, all in one transaction. Writing it on the
// request that used a token cost a durable transaction of its own per
// device: when 2,000 stations, 500 office clients and 200 gates start
// their morning at once (`frontline bench day`), those thousands of small
// commits queue on SQLite's one write connection in front of the binding
// writer, and every request, reads included, waited behind them for a
// minute. Now a request at most notes the use; one request every
// touchFlush writes them all.
const touchFlush = 10 * time.Second

// tokenTouches are the device tokens used since their last_used was
// written, with when.
type tokenTouches struct {
	mu      sync.Mutex
	pending map[int64]time.Time
	flushed time.Time
}

// note records that token id was used at at.
func (t *tokenTouches) note(id int64, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		t.pending = map[int64]time.Time{}
	}
	t.pending[id] = at
}

// take returns the pending uses and forgets them, when touchFlush has
// passed since the last take or force is set; nil otherwise.
func (t *tokenTouches) take(now time.Time, force bool) map[int64]time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) == 0 || !force && now.Sub(t.flushed) < touchFlush {
		return nil
	}
	p := t.pending
	t.pending, t.flushed = nil, now
	return p
}
