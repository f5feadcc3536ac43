package sqldb

import (
	"context"
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

// startCheckpointer starts the background checkpoint and returns the
// function that stops it, after a last checkpoint that truncates the WAL.
func (db *DB) startCheckpointer() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			db.checkpoint(ctx)
		}
	}()
	return func() {
		cancel()
		<-done
		// Leave a small file behind: the next start need not replay a WAL.
		db.write.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
}

// checkpoint runs one passive checkpoint, and a restart when the WAL has
// grown past walRestartFrames.
func (db *DB) checkpoint(ctx context.Context) {
	var busy, frames, done int
	if err := db.read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done); err != nil {
		if ctx.Err() == nil {
			db.logger.Warn("background checkpoint failed", "err", err)
		}
		return
	}
	if frames > walRestartFrames {
		if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(RESTART)`); err != nil && ctx.Err() == nil {
			db.logger.Warn("WAL restart checkpoint failed", "frames", frames, "err", err)
		}
	}
}
