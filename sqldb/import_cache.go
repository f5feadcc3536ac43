package sqldb

import (
	"context"
	"fmt"
)

// writerCacheKiB is the SQLite writer's page cache (cache_size): small, as
// a large one slows every commit (db.go). An import does not widen it:
// with 128 MiB while it wrote, 300,000 rows took no less CPU and the
// process's peak memory rose by 200 MiB (docs/places.md, "Import figures").
const writerCacheKiB = 32 << 10

// readerCacheKiB is the page cache of each SQLite reader connection, and
// checkCacheKiB what the reader an import checks on has while it does.
// The check reads the import node's persons, or looks each row up, once:
// in a reader's full cache what it read would stay, 100 to 200 MiB more of
// the server's memory after a big re-import. With 16 MiB a re-import of
// 300,000 rows peaked 110 MiB lower, but a lookup then took about 50 µs
// of CPU in its profile, against about 15 with the full cache; 64 MiB still holds the ID-number index of a registry of a
// million and a half persons, which the lookups of a list of new persons
// (the next district's first import) read all of.
const (
	readerCacheKiB = 256 << 10
	checkCacheKiB  = 64 << 10
)

// narrowCheckCache gives the connection of an import's check a small page
// cache on SQLite; the function returned gives it back its size, in the
// same transaction (on the same connection), before it ends.
func (tx *Tx) narrowCheckCache(ctx context.Context) (func(), error) {
	if tx.db.Engine != SQLite {
		return func() {}, nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, checkCacheKiB)); err != nil {
		return nil, err
	}
	return func() {
		if _, err := tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = -%d`, readerCacheKiB)); err != nil {
			tx.db.logger.Warn("setting a reader's page cache back after an import's check", "err", err)
		}
	}, nil
}
