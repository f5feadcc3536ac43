package sqldb

import (
	"context"
	"sync"
	"time"
)

// ProbeWrite writes one row and commits it: the cheapest proof that the
// database takes writes now. A read or a ping answers on a full disk, a
// read-only file and a standby alike; every binding then fails. Its error
// is EUNAVAILABLE with words for the outage (OutageOf).
func (db *DB) ProbeWrite(ctx context.Context) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO health_probe (id, probed_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, tx.now); err != nil {
		return err
	}
	return tx.Commit()
}

// WriteProbe runs ProbeWrite at most once every Every and answers the
// last result in between, so a load balancer asking /readyz every second
// costs one small write every few seconds.
type WriteProbe struct {
	DB    *DB
	Every time.Duration

	mu   sync.Mutex
	at   time.Time
	last error
}

// Check returns the result of the latest probe, probing again when it is
// older than Every.
func (p *WriteProbe) Check(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.at.IsZero() && time.Since(p.at) < p.Every {
		return p.last
	}
	p.last, p.at = p.DB.ProbeWrite(ctx), time.Now()
	return p.last
}
