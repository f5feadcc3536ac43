package sqldb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// SQLite's WAL is copied back into the database file by a checkpoint.
// Left to itself SQLite runs one inside the commit that makes the WAL
// exceed 1000 pages, on the writer's one connection: under the sampling
// load nearly every group commit crossed that mark and waited for a
// checkpoint that copies and fsyncs thousands of pages. The writer turns
// automatic checkpoints off, and this goroutine checkpoints in the
// background on a reader connection instead, often, so that each one has
// little to flush: the fsync of the database file that ends a checkpoint
// delays the commits that fsync the WAL meanwhile. A PASSIVE checkpoint never
// blocks the writer; the writer reuses the WAL from its start once a
// checkpoint has caught up with it.

// checkpointEvery is how often the background checkpoint runs.
const checkpointEvery = 100 * time.Millisecond

// walRestartFrames is the WAL size, in pages, past which the checkpointer
// runs a RESTART checkpoint on the writer's connection, so the WAL starts
// over from its beginning. Under a load that never pauses, passive
// checkpoints copy the frames but the WAL is never reset and grows by tens
// of megabytes a second. The restart waits for the commit in progress and
// holds the next one only while it copies what the passive runs have not,
// a few milliseconds.
const walRestartFrames = 16 * 1024 // 64 MiB of 4 KiB pages

// restartWaitMillis is how long a RESTART checkpoint may wait for readers
// still using the WAL. It runs on the writer's one connection, so every
// write waits with it: with the connection's own busy timeout (10 s) a long
// reader — an import's check, a city's daily report — held every binding,
// passage and visit for seconds at a time, tick after tick. A restart that
// finds readers gives up at once and is tried again after restartBackoff;
// the passive checkpoints go on copying meanwhile, and the WAL starts over
// when the long reader is done.
const restartWaitMillis = 10

// restartBackoff is how long the checkpointer waits before it tries a
// RESTART again after one found readers.
const restartBackoff = time.Second

// startCheckpointer starts the background checkpoint and returns the
// function that stops it, after a last checkpoint that truncates the WAL.
func (db *DB) startCheckpointer() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		var nextRestart time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if !db.checkpoint(ctx, now.After(nextRestart)) {
					nextRestart = now.Add(restartBackoff)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		// Leave a small file behind: the next start need not replay a WAL.
		db.write.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
}

// checkpoint runs one passive checkpoint and, when restart allows and the
// WAL has grown past walRestartFrames, a restart. It reports false when a
// restart found readers in the WAL and gave up.
func (db *DB) checkpoint(ctx context.Context, restart bool) bool {
	var busy, frames, done int
	if err := db.read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done); err != nil {
		if ctx.Err() == nil {
			db.logger.Warn("background checkpoint failed", "err", err)
		}
		return true
	}
	if !restart || frames <= walRestartFrames {
		return true
	}
	restarted, err := db.restartWAL(ctx)
	if err != nil && ctx.Err() == nil {
		db.logger.Warn("WAL restart checkpoint failed", "frames", frames, "err", err)
	}
	return restarted
}

// restartWAL runs a RESTART checkpoint on the writer's connection with a
// busy timeout of restartWaitMillis instead of the connection's own, and
// reports whether the WAL was restarted.
func (db *DB) restartWAL(ctx context.Context) (bool, error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, restartWaitMillis)); err != nil {
		return false, err
	}
	var busy, frames, done int
	cerr := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &frames, &done)
	// The connection goes back to the writer: give it its own timeout again.
	if _, err := conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeoutMillis)); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
		return false, err
	}
	if cerr != nil {
		return false, cerr
	}
	return busy == 0, nil
}
