package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.UploadService = (*UploadService)(nil)

// UploadService keeps uploaded resident lists in the database, so the
// check and the import may be answered by different app servers. See
// frontline.UploadService.
type UploadService struct{ db *DB }

// NewUploadService returns an UploadService on db.
func NewUploadService(db *DB) *UploadService { return &UploadService{db: db} }

// uploadTTL is how long an upload nobody confirms keeps its file.
const uploadTTL = 24 * time.Hour

// CreateUpload keeps a checked upload under a place of the caller's scope,
// and drops the files of uploads left unconfirmed for a day.
func (s *UploadService) CreateUpload(ctx context.Context, u *frontline.ResidentUpload, data []byte) error {
	tx, err := s.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	under, err := tx.findPlaceByID(ctx, u.Under)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resident_uploads SET data = NULL, status = ?, failure = 'expired'
		WHERE data IS NOT NULL AND status = ? AND created_at < ?`, frontline.UploadFailed, frontline.UploadChecked, tx.now.Add(-uploadTTL)); err != nil {
		return err
	}
	preview, err := json.Marshal(u.Preview)
	if err != nil {
		return err
	}
	u.Status, u.CreatedAt, u.UnderName = frontline.UploadChecked, tx.now, under.Name
	if err := tx.QueryRowContext(ctx, `INSERT INTO resident_uploads (user_id, under_id, name, sheet, status, data, preview, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, userID(ctx), u.Under, u.Name, u.Sheet, u.Status, data, string(preview), tx.now).Scan(&u.ID); err != nil {
		return err
	}
	return tx.Commit()
}

// userID is the caller's user id; 0 for the system (the command line).
func userID(ctx context.Context) int64 {
	if p := frontline.PrincipalFrom(ctx); p != nil {
		return p.UserID
	}
	return 0
}

// FindUpload returns one of the caller's uploads.
func (s *UploadService) FindUpload(ctx context.Context, id int64) (*frontline.ResidentUpload, error) {
	tx, err := s.db.readTx(ctx, frontline.PermImportExport)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findUpload(ctx, id)
}

func (tx *Tx) findUpload(ctx context.Context, id int64) (*frontline.ResidentUpload, error) {
	u := &frontline.ResidentUpload{}
	var preview, result string
	var started, finished sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT u.id, u.name, u.sheet, u.under_id, p.name, u.status, u.preview, u.result, u.failure,
			u.skipped IS NOT NULL, u.created_at, u.started_at, u.finished_at
		FROM resident_uploads u JOIN places p ON p.id = u.under_id WHERE u.id = ? AND u.user_id = ?`, id, userID(ctx)).
		Scan(&u.ID, &u.Name, &u.Sheet, &u.Under, &u.UnderName, &u.Status, &preview, &result, &u.Error, &u.HasSkipped,
			&u.CreatedAt, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "upload %d not found", id)
	} else if err != nil {
		return nil, err
	}
	if started.Valid {
		u.StartedAt = &started.Time
	}
	if finished.Valid {
		u.FinishedAt = &finished.Time
	}
	if preview != "" && preview != "null" {
		if err := json.Unmarshal([]byte(preview), &u.Preview); err != nil {
			return nil, err
		}
	}
	if result != "" {
		if err := json.Unmarshal([]byte(result), &u.Result); err != nil {
			return nil, err
		}
	}
	if u.Status == frontline.UploadRunning {
		pr := &frontline.ImportProgress{}
		err := tx.QueryRowContext(ctx, `SELECT total, checked, written FROM resident_imports WHERE upload_id = ? ORDER BY id DESC LIMIT 1`, id).
			Scan(&pr.Total, &pr.Checked, &pr.Written)
		if err == nil {
			u.Progress = pr
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return u, nil
}

// StartUpload marks a checked upload running and returns its file; the
// status changes only from checked, so a confirmation sent twice runs the
// import once.
func (s *UploadService) StartUpload(ctx context.Context, id int64) ([]byte, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := tx.findUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Status != frontline.UploadChecked {
		return nil, frontline.Errorf(frontline.ECONFLICT, "this list is %s already", u.Status)
	}
	var data []byte
	if err := tx.QueryRowContext(ctx, `SELECT data FROM resident_uploads WHERE id = ?`, id).Scan(&data); err != nil {
		return nil, err
	}
	if data == nil {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the file of this list is gone; upload it again")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resident_uploads SET status = ?, started_at = ? WHERE id = ?`,
		frontline.UploadRunning, tx.now, id); err != nil {
		return nil, err
	}
	return data, tx.Commit()
}

// FinishUpload records how an import ended and drops the file.
func (s *UploadService) FinishUpload(ctx context.Context, id int64, res *frontline.ImportResult, failure string, skipped []byte) error {
	tx, err := s.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.findUpload(ctx, id); err != nil {
		return err
	}
	result := ""
	if res != nil {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		result = string(b)
	}
	status := frontline.UploadDone
	if failure != "" {
		status = frontline.UploadFailed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resident_uploads SET status = ?, data = NULL, result = ?, failure = ?, skipped = ?,
		finished_at = ? WHERE id = ?`, status, result, failure, skipped, tx.now, id); err != nil {
		return err
	}
	return tx.Commit()
}

// SkippedFile returns the rows an upload did not import.
func (s *UploadService) SkippedFile(ctx context.Context, id int64) ([]byte, error) {
	tx, err := s.db.readTx(ctx, frontline.PermImportExport)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findUpload(ctx, id); err != nil {
		return nil, err
	}
	var data []byte
	if err := tx.QueryRowContext(ctx, `SELECT skipped FROM resident_uploads WHERE id = ?`, id).Scan(&data); err != nil {
		return nil, err
	}
	if data == nil {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "this list has no skipped rows")
	}
	return data, nil
}
