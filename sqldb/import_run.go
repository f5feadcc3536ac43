package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// importRun is the record of an import being written (resident_imports):
// the mark on what it wrote, its progress, and its heartbeat.
type importRun struct {
	id    int64
	total int
}

// Statuses of a resident_imports row.
const (
	runRunning = "running"
	runDone    = "done"
	runFailed  = "failed"
)

// staleAfter is how long a running import may go without a heartbeat
// before it is taken for interrupted: it beats every batch and every
// progressRows rows checked, a second or two apart.
const staleAfter = 2 * time.Minute

// startRun records an import that is about to start.
func (s *ImportService) startRun(ctx context.Context, file string, opts frontline.ImportOptions) (*importRun, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	run := &importRun{total: opts.Total}
	var upload any
	if opts.Upload != 0 {
		upload = opts.Upload
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO resident_imports (upload_id, under_id, file, status, total, started_at, heartbeat_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, upload, opts.Under, file, runRunning, opts.Total, tx.now, tx.now).Scan(&run.id); err != nil {
		return nil, err
	}
	return run, tx.Commit()
}

// beat records the progress of a running import in a transaction of its
// own.
func (s *ImportService) beat(ctx context.Context, run *importRun, checked, written int) error {
	tx, err := s.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.beatTx(ctx, tx, run, checked, written); err != nil {
		return err
	}
	return tx.Commit()
}

// beatTx records the progress in tx. An import no longer running was
// taken for interrupted (its server stalled past staleAfter) and its rows
// removed: it must stop.
func (s *ImportService) beatTx(ctx context.Context, tx *Tx, run *importRun, checked, written int) error {
	res, err := tx.ExecContext(ctx, `UPDATE resident_imports SET checked = ?, written = ?, heartbeat_at = ? WHERE id = ? AND status = ?`,
		checked, written, tx.now, run.id, runRunning)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return frontline.Errorf(frontline.ECONFLICT, "the import was stopped as interrupted")
	}
	return nil
}

// finishRun marks the import done, first in its last transaction: on
// PostgreSQL the row's lock then keeps a sweep from taking it for
// interrupted while that transaction runs.
func (s *ImportService) finishRun(ctx context.Context, tx *Tx, run *importRun, checked, written int) error {
	res, err := tx.ExecContext(ctx, `UPDATE resident_imports SET status = ?, checked = ?, written = ?, heartbeat_at = ?, finished_at = ?
		WHERE id = ? AND status = ?`, runDone, checked, written, tx.now, tx.now, run.id, runRunning)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return frontline.Errorf(frontline.ECONFLICT, "the import was stopped as interrupted")
	}
	return nil
}

// fail removes what a failed import wrote and records why it failed. It
// runs even when ctx was cancelled: the batches must not stay.
func (s *ImportService) fail(ctx context.Context, run *importRun, cause error) {
	ctx = context.WithoutCancel(ctx)
	if err := s.cleanup(ctx, run.id); err != nil {
		// Left running, the import is swept as interrupted and its rows
		// removed then.
		s.db.logger.ErrorContext(ctx, "removing the rows of a failed import", "import", run.id, "err", err)
		return
	}
	tx, err := s.db.BeginTx(ctx)
	if err == nil {
		defer tx.Rollback()
		_, err = tx.ExecContext(ctx, `UPDATE resident_imports SET status = ?, failure = ?, finished_at = ? WHERE id = ? AND status = ?`,
			runFailed, frontline.ErrorMessage(cause), tx.now, run.id, runRunning)
		if err == nil {
			err = tx.Commit()
		}
	}
	if err != nil {
		s.db.logger.ErrorContext(ctx, "recording a failed import", "import", run.id, "err", err)
	}
}

// cleanupRows is how many rows one transaction of a clean-up deletes.
const cleanupRows = 5000

// cleanup deletes the persons and places an import wrote, in batches
// like the writes; places deepest first, as their children go first.
func (s *ImportService) cleanup(ctx context.Context, id int64) error {
	kinds := frontline.PlaceKinds
	steps := []struct{ table, where string }{{"persons", "import_id = ?"}}
	for i := len(kinds) - 1; i >= 0; i-- {
		steps = append(steps, struct{ table, where string }{"places", "import_id = ? AND kind = '" + string(kinds[i]) + "'"})
	}
	for _, st := range steps {
		for {
			tx, err := s.db.BeginTx(ctx)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM `+st.table+` WHERE id IN (SELECT id FROM `+st.table+` WHERE `+st.where+` LIMIT `+fmt.Sprint(cleanupRows)+`)`, id)
			if err != nil {
				tx.Rollback()
				return err
			}
			n, err := res.RowsAffected()
			if err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
			if err != nil {
				return err
			}
			if n < cleanupRows {
				break
			}
		}
	}
	return nil
}

// SweepInterrupted ends the imports whose server stopped while they ran:
// a running import whose heartbeat is older than staleAfter. What each
// wrote is deleted, it is marked failed, and its web upload failed as
// interrupted, with its file dropped. Serve runs it at start and every
// minute; it is safe on several servers at once (an import is claimed by
// moving its heartbeat before it is cleaned). It returns how many imports
// it ended.
func (s *ImportService) SweepInterrupted(ctx context.Context) (int, error) {
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system:imports"})
	stale := frontline.Stored(s.db.Now()).Add(-staleAfter)
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM resident_imports WHERE status = ? AND heartbeat_at < ?`, runRunning, stale)
	var ids []int64
	if err == nil {
		for rows.Next() {
			var id int64
			if err = rows.Scan(&id); err != nil {
				break
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	tx.Rollback()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		ok, err := s.claim(ctx, id, stale)
		if err != nil {
			return n, err
		} else if !ok {
			continue // another server has it, or it beat again
		}
		if err := s.cleanup(ctx, id); err != nil {
			return n, err
		}
		if err := s.interrupted(ctx, id); err != nil {
			return n, err
		}
		n++
	}
	return n, s.interruptUploads(ctx, stale)
}

// claim moves a stale import's heartbeat to now, so that no other sweep
// takes it while this one cleans it.
func (s *ImportService) claim(ctx context.Context, id int64, stale time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE resident_imports SET heartbeat_at = ? WHERE id = ? AND status = ? AND heartbeat_at < ?`,
		tx.now, id, runRunning, stale)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, tx.Commit()
}

// interrupted marks a cleaned import, and its upload, failed.
func (s *ImportService) interrupted(ctx context.Context, id int64) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var upload sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT upload_id FROM resident_imports WHERE id = ?`, id).Scan(&upload)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resident_imports SET status = ?, failure = ?, finished_at = ? WHERE id = ?`,
		runFailed, frontline.UploadInterrupted, tx.now, id); err != nil {
		return err
	}
	if upload.Valid {
		if _, err := tx.ExecContext(ctx, `UPDATE resident_uploads SET status = ?, failure = ?, data = NULL, finished_at = ?
			WHERE id = ? AND status = ?`, frontline.UploadFailed, frontline.UploadInterrupted, tx.now, upload.Int64, frontline.UploadRunning); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// interruptUploads fails the uploads left running with no import behind
// them: their server stopped between the start and the import's record.
func (s *ImportService) interruptUploads(ctx context.Context, stale time.Time) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE resident_uploads SET status = ?, failure = ?, data = NULL, finished_at = ?
		WHERE status = ? AND started_at < ? AND NOT EXISTS (SELECT 1 FROM resident_imports i WHERE i.upload_id = resident_uploads.id)`,
		frontline.UploadFailed, frontline.UploadInterrupted, tx.now, frontline.UploadRunning, stale); err != nil {
		return err
	}
	return tx.Commit()
}
