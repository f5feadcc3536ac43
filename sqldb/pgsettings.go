package sqldb

import (
	"context"
	"fmt"
	"strconv"
)

// The PostgreSQL settings a city's sampling day needs (docs/testing.md,
// "PostgreSQL settings"). With the stock max_wal_size (1 GB) a checkpoint
// runs every few seconds at 20,000 bindings a second, and each one writes
// every page it dirtied again in full into the WAL: the writer's p99
// follows the checkpoints. synchronous_commit off answers a binding
// before it is on disk, so a crash of the server loses bindings the
// stations were told were stored.

// Advised PostgreSQL settings.
const (
	AdviceMaxWALSizeMB    = 8192 // max_wal_size = 8GB or more
	AdviceSharedBuffersMB = 1024 // shared_buffers: a quarter of the memory; 1 GB at least
)

// pgSetting is a row of pg_settings.
type pgSetting struct{ value, unit string }

// CheckSettings reads the PostgreSQL settings the sampling day depends on
// and returns a sentence for each that differs from the advice; none on
// SQLite. serve logs them as warnings and the benchmarks print them.
func (db *DB) CheckSettings(ctx context.Context) ([]string, error) {
	if db.Engine != Postgres {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT name, setting, COALESCE(unit, '') FROM pg_settings
		WHERE name IN ('max_wal_size', 'synchronous_commit', 'shared_buffers', 'fsync')`)
	if err != nil {
		return nil, db.translate(err)
	}
	defer rows.Close()
	got := map[string]pgSetting{}
	for rows.Next() {
		var name string
		var s pgSetting
		if err := rows.Scan(&name, &s.value, &s.unit); err != nil {
			return nil, err
		}
		got[name] = s
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return settingAdvice(got), nil
}

// settingAdvice compares settings with the advice.
func settingAdvice(got map[string]pgSetting) []string {
	var out []string
	if mb, ok := megabytes(got["max_wal_size"]); ok && mb < AdviceMaxWALSizeMB {
		out = append(out, fmt.Sprintf("PostgreSQL max_wal_size is %d MB; set it to %d MB (8GB) or more, or checkpoints run every few seconds under a sampling day's load and the binding writer's tail follows them",
			mb, AdviceMaxWALSizeMB))
	}
	if s := got["synchronous_commit"].value; s == "off" {
		out = append(out, "PostgreSQL synchronous_commit is off: a binding is answered before it is on disk, and a crash of the database loses bindings the stations were told were stored; set it to on")
	}
	if s := got["fsync"].value; s == "off" {
		out = append(out, "PostgreSQL fsync is off: a crash of the machine can lose or corrupt stored bindings; set it to on")
	}
	if mb, ok := megabytes(got["shared_buffers"]); ok && mb < AdviceSharedBuffersMB {
		out = append(out, fmt.Sprintf("PostgreSQL shared_buffers is %d MB; give it a quarter of the machine's memory (%d MB at least)", mb, AdviceSharedBuffersMB))
	}
	return out
}

// megabytes reads a size setting in its pg_settings unit (8kB pages, kB
// or MB).
func megabytes(s pgSetting) (int64, bool) {
	n, err := strconv.ParseInt(s.value, 10, 64)
	if err != nil {
		return 0, false
	}
	switch s.unit {
	case "MB":
		return n, true
	case "kB":
		return n / 1024, true
	case "8kB":
		return n * 8 / 1024, true
	case "GB":
		return n * 1024, true
	}
	return 0, false
}
