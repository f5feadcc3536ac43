package frontline

import (
	"context"
	"time"
)

// Statuses of a resident list uploaded on the web.
const (
	UploadChecked = "checked" // read and checked (a dry run); waiting for the office to confirm
	UploadRunning = "running" // being imported
	UploadDone    = "done"    // imported; the file is gone
	UploadFailed  = "failed"  // the import failed and wrote nothing; the file is gone
)

// UploadInterrupted is the failure of an import whose server stopped
// before it ended: what it had written was removed.
const UploadInterrupted = "interrupted"

// ResidentUpload is a resident list uploaded on the web: checked first,
// then imported when the office confirms. The file is kept only between
// the two, and dropped when the import ends (or after a day unconfirmed).
type ResidentUpload struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`  // the file's name
	Sheet     string `json:"sheet"` // asked for; "" lets the reader choose
	Under     int64  `json:"under"`
	UnderName string `json:"under_name"`
	Status    string `json:"status"`
	// Preview is what the check found; Result what the import did.
	Preview *ImportPreview `json:"preview,omitempty"`
	Result  *ImportResult  `json:"result,omitempty"`
	Error   string         `json:"error,omitempty"` // why a run failed
	// Progress is how far a running import has got.
	Progress *ImportProgress `json:"progress,omitempty"`
	// HasSkipped says a file of the rows not imported, with their
	// reasons, can be downloaded.
	HasSkipped bool       `json:"has_skipped"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// ImportPreview is what a check of an uploaded list shows before anything
// is written: where the rows were read, the first rows as understood,
// every problem, and what an import would do.
type ImportPreview struct {
	Sheet     string     `json:"sheet,omitempty"`
	HeaderRow int        `json:"header_row"`
	Header    []string   `json:"header"`     // the columns as understood (ExportHeader)
	FirstRows [][]string `json:"first_rows"` // the first good rows as understood, masked
	Unknown   []string   `json:"unknown,omitempty"`
	// Check is the dry run: counts, every error and every change.
	Check *ImportResult `json:"check"`
}

// UploadService keeps uploaded resident lists between their check and
// their import. Every call needs PermImportExport; an upload is seen only
// by the user who made it (ENOTFOUND otherwise).
type UploadService interface {
	// CreateUpload keeps the file of a checked upload.
	CreateUpload(ctx context.Context, u *ResidentUpload, data []byte) error
	FindUpload(ctx context.Context, id int64) (*ResidentUpload, error)
	// StartUpload marks a checked upload running and returns its file;
	// ECONFLICT when it is not waiting (a second confirmation).
	StartUpload(ctx context.Context, id int64) ([]byte, error)
	// FinishUpload records the result (or the error) and drops the file,
	// keeping skipped, the rows not imported with their reasons.
	FinishUpload(ctx context.Context, id int64, res *ImportResult, failure string, skipped []byte) error
	// SkippedFile returns the rows an upload did not import.
	SkippedFile(ctx context.Context, id int64) ([]byte, error)
}
