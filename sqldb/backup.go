package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// PostgresBackupAdvice is what `frontline backup` answers on PostgreSQL:
// a copy of a city's database is the server's own business.
const PostgresBackupAdvice = "frontline backup copies an SQLite database; on PostgreSQL use the server's own tools: " +
	"pg_dump (or pg_basebackup) for copies and WAL archiving for point-in-time recovery (see README, Backups)"

// Backup writes a consistent copy of the SQLite database to path, which
// must not exist, while the server keeps serving. It runs VACUUM INTO on a
// reader connection: the copy is the snapshot of that read transaction, so
// writes go on meanwhile (WAL), and the copy is compact, holds no free
// pages (nothing deleted is left in it) and needs no WAL of its own. On
// PostgreSQL it refuses with PostgresBackupAdvice.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Engine != SQLite {
		return frontline.Errorf(frontline.EINVALID, "%s", PostgresBackupAdvice)
	}
	if _, err := os.Stat(path); err == nil {
		return frontline.Errorf(frontline.ECONFLICT, "%s exists already; a backup never overwrites a file", path)
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The reader pool is query_only; VACUUM INTO writes only the new file,
	// but the pragma refuses it, so it is lifted on this connection alone
	// for the statement and set again before the connection goes back.
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `PRAGMA query_only = 1`)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// CopyCheck is what VerifyCopy found in a copy of a database.
type CopyCheck struct {
	// Applied are the copy's migrations; Unknown those this binary does not
	// have (the copy comes from a newer Frontline).
	Applied, Unknown []string
	// Rows counts the rows of every table, by name.
	Rows map[string]int64
	// Tables are the table names in order.
	Tables []string
}

// VerifyCopy checks an SQLite file before it is restored: SQLite's own
// integrity check must pass, and the copy's migrations must all be known
// to this binary (a newer copy would lose data under an older binary). It
// opens nothing for writing and counts the rows of each table.
func VerifyCopy(ctx context.Context, path string) (*CopyCheck, error) {
	db, err := Open(ctx, "sqlite:"+path, Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var res []string
	rows, err := db.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, frontline.Errorf(frontline.EINVALID, "%s is not an SQLite database Frontline can read: %v", path, err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		res = append(res, s)
	}
	rows.Close()
	if len(res) != 1 || res[0] != "ok" {
		return nil, frontline.Errorf(frontline.EINVALID, "%s fails SQLite's integrity check: %s", path, strings.Join(res, "; "))
	}
	check := &CopyCheck{Rows: map[string]int64{}}
	known, err := MigrationNames(SQLite)
	if err != nil {
		return nil, err
	}
	names, err := db.readStrings(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return nil, frontline.Errorf(frontline.EINVALID, "%s has no migration table: it is not a Frontline database", path)
	}
	for _, n := range names {
		check.Applied = append(check.Applied, n)
		if !slices.Contains(known, n) {
			check.Unknown = append(check.Unknown, n)
		}
	}
	if len(check.Unknown) > 0 {
		return check, frontline.Errorf(frontline.EINVALID, "%s comes from a newer Frontline (migrations %s); restore it with that version",
			path, strings.Join(check.Unknown, ", "))
	}
	tables, err := db.readStrings(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		var n int64
		// Table names come from the file's own catalogue, quoted.
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return nil, err
		}
		check.Tables = append(check.Tables, t)
		check.Rows[t] = n
	}
	return check, nil
}

// readStrings runs a query of one text column on the reader pool.
func (db *DB) readStrings(ctx context.Context, query string) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ErrNotSQLite is returned by SQLitePath for a PostgreSQL URL.
var ErrNotSQLite = errors.New("not an SQLite database")

// SQLitePath returns the file path of an SQLite database URL
// ("sqlite:PATH" or a plain path).
func SQLitePath(rawURL string) (string, error) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return "", ErrNotSQLite
	}
	return strings.TrimPrefix(rawURL, "sqlite:"), nil
}
