package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// MigrationNames returns the migration file names of an engine, in order.
func MigrationNames(e Engine) ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/"+string(e)+"/*.sql")
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "migrations/"+string(e)+"/")
	}
	sort.Strings(names)
	return names, nil
}

// Migrate applies the migrations that have not been applied yet, each in
// its own transaction, and records them. Migrations are forward-only.
func (db *DB) Migrate(ctx context.Context) error { return db.MigrateTo(ctx, "") }

// MigrateTo applies the migrations up to and including the one named last
// ("" for all): a test of a migration that carries data over stops before
// it, writes the old shape, then migrates the rest.
func (db *DB) MigrateTo(ctx context.Context, last string) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := MigrationNames(db.Engine)
	if err != nil {
		return err
	}
	for _, name := range names {
		if last != "" && name > last {
			break
		}
		if err := db.migrateOne(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateOne(ctx context.Context, name string) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// PostgreSQL: serialise concurrent starts of several app servers.
	if db.Engine == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262001)`); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFS, "migrations/"+string(db.Engine)+"/"+name)
	if err != nil {
		return err
	}
	// Run the whole file as one statement batch, without placeholder
	// rewriting: migrations hold no parameters.
	if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, tx.now.Format("2006-01-02T15:04:05Z")); err != nil {
		return err
	}
	return tx.Commit()
}

// Pending returns the names of migrations not yet applied; /readyz is ready
// only when none are.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	names, err := MigrationNames(db.Engine)
	if err != nil {
		return nil, err
	}
	applied := map[string]bool{}
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return names, nil // no table yet: everything is pending
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		applied[n] = true
	}
	var pending []string
	for _, n := range names {
		if !applied[n] {
			pending = append(pending, n)
		}
	}
	return pending, rows.Err()
}
