// Package sqldb stores Frontline's data in SQLite (the embedded default) or
// PostgreSQL (city scale). It is the only package that imports database/sql
// and the drivers; both engines run the same SQL, written with ? placeholders
// that Tx rewrites for PostgreSQL.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/frontline-org/frontline"
)

// Engine names a database engine.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// busyTimeoutMillis is how long a SQLite connection waits for a lock that
// another connection holds before it answers "database is locked".
const busyTimeoutMillis = 10000

// Options tune how a database is opened.
type Options struct {
	// Synchronous is SQLite's synchronous level: "FULL" survives a power
	// cut, "NORMAL" (in WAL mode) survives a process crash. Default FULL.
	Synchronous string
	// MaxReaders bounds the connections that read in parallel.
	MaxReaders int
	Logger     *slog.Logger
	// Location is the deployment's time zone; nil means
	// frontline.DefaultTimeZone.
	Location *time.Location
}

// DB is an open database. Writes go through one connection on SQLite (the
// engine allows one writer at a time, and queueing in Go is cheaper than
// retrying on SQLITE_BUSY); reads run in parallel on their own pool.
type DB struct {
	URL    string
	Engine Engine
	write  *sql.DB
	read   *sql.DB
	// quick serves the short lookups every request of the sampling hot
	// path makes (a device token, a station's round) on connections of
	// their own, so that they never queue behind the dashboards' and gap
	// lists' reads. At 06:00 on a two-core machine, 500 office clients
	// kept the four readers busy and the stations' token checks waited
	// behind them for a minute (`frontline bench day`). On PostgreSQL it
	// is the one pool.
	quick *sql.DB
	// gate orders the write transactions on SQLite (writegate.go); nil on
	// PostgreSQL.
	gate *writeGate
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Channels are the notice channels the delivery worker serves; alerts
	// go out on those of their kind's channels that are among them. Nil
	// means "log" alone.
	Channels []string
	// Location is the deployment's time zone: the services that write a
	// time into a text (call-up notices, messages) or cut days (reports,
	// follow-ups, checkpoint hours) read it when they are made.
	Location *time.Location
	logger   *slog.Logger

	rewrites sync.Map // query with ? → query with $n, for PostgreSQL
	// stopCheckpoints stops SQLite's background checkpoint (walcheckpoint.go).
	stopCheckpoints func()
	// stmts are multi-row statements prepared once on the SQLite writer's
	// connection, by their text (rows.go).
	stmts sync.Map
	// wanted are statement texts queryIn ran unprepared, for the writer to
	// prepare after its transaction; prepared counts those it prepared.
	wantedMu sync.Mutex
	wanted   []string
	prepared int
	// tokens are device tokens authenticated in the last seconds
	// (token_cache.go). They belong to the database, not to one service:
	// retiring a station (SiteService) revokes its token and must stop it
	// at once, as a revocation on the tokens page does.
	tokens tokenCache
	// touches are the device tokens used since their last_used was
	// written (token_cache.go).
	touches tokenTouches
	// vulnerableRows counts the rows the reads of the vulnerable bring
	// into Go — a resident row each, an aggregate count one
	// (vulnerable_count.go) — so a benchmark can show what the alert job
	// reads.
	vulnerableRows atomic.Int64
}

// Open opens the database named by rawURL: "sqlite:PATH", a plain file
// path, or a "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxReaders <= 0 {
		opts.MaxReaders = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if opts.Location == nil {
		opts.Location = frontline.DefaultLocation()
	}
	db := &DB{URL: rawURL, Now: func() time.Time { return frontline.Stored(time.Now()) }, Location: opts.Location, logger: opts.Logger}
	var err error
	switch {
	case strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://"):
		db.Engine = Postgres
		err = db.openPostgres(rawURL, opts)
	default:
		db.Engine = SQLite
		err = db.openSQLite(strings.TrimPrefix(rawURL, "sqlite:"), opts)
	}
	if err != nil {
		return nil, err
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, StartError(rawURL, "open", err)
	}
	return db, nil
}

func (db *DB) openSQLite(path string, opts Options) error {
	if path == "" {
		return frontline.Errorf(frontline.EINVALID, "the sqlite database needs a file path, e.g. sqlite:./frontline.db")
	}
	sync := strings.ToUpper(opts.Synchronous)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" && sync != "EXTRA" && sync != "OFF" {
		return frontline.Errorf(frontline.EINVALID, "unknown sqlite synchronous level %q (FULL, NORMAL)", opts.Synchronous)
	}
	dsn := func(txlock string, extra ...string) string {
		q := url.Values{}
		for _, p := range append([]string{
			"journal_mode(WAL)", "foreign_keys(1)", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis),
			"synchronous(" + sync + ")", "temp_store(MEMORY)",
			"wal_autocheckpoint(0)", // checkpoints run in the background: walcheckpoint.go
		}, extra...) {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	// The writer's page cache is small on purpose. At every commit SQLite
	// walks its cache's whole hash table (pcache1TruncateUnsafe, called
	// from pager_end_transaction), so the walk's cost grows with the cache:
	// with 256 MiB it took 0.8 ms of every binding batch, 15% of the
	// server's CPU at 20,000 bindings/s, to save reads the OS page cache
	// serves anyway. A bulk import runs about 10% slower with it.
	var err error
	if db.write, err = sql.Open("sqlite", dsn("immediate", fmt.Sprintf("cache_size(-%d)", writerCacheKiB))); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.gate = &writeGate{}
	if db.read, err = sql.Open("sqlite", dsn("deferred", fmt.Sprintf("cache_size(-%d)", readerCacheKiB), "query_only(1)")); err != nil {
		db.write.Close()
		return err
	}
	db.read.SetMaxOpenConns(opts.MaxReaders)
	db.read.SetMaxIdleConns(opts.MaxReaders)
	if db.quick, err = sql.Open("sqlite", dsn("deferred", "cache_size(-16384)", "query_only(1)")); err != nil {
		db.read.Close()
		db.write.Close()
		return err
	}
	db.quick.SetMaxOpenConns(quickConns)
	db.quick.SetMaxIdleConns(quickConns)
	db.stopCheckpoints = db.startCheckpointer()
	return nil
}

func (db *DB) openPostgres(rawURL string, opts Options) error {
	var err error
	if db.write, err = sql.Open("pgx", rawURL); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(4 * opts.MaxReaders)
	db.write.SetMaxIdleConns(4 * opts.MaxReaders)
	db.write.SetConnMaxIdleTime(5 * time.Minute)
	db.read, db.quick = db.write, db.write
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
		db.stopCheckpoints = nil
	}
	if db.write != nil {
		db.flushTouches(context.Background(), true)
	}
	db.closeStmts()
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.quick != nil && db.quick != db.write {
		errs = append(errs, db.quick.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// noticeChannels returns the channels alerts may go out on.
func (db *DB) noticeChannels() []string {
	if len(db.Channels) == 0 {
		return []string{"log"}
	}
	return db.Channels
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx is a transaction that rewrites ? placeholders for the engine and
// carries the time of the transaction, so every row a transaction writes
// has the same timestamp.
type Tx struct {
	*sql.Tx
	db   *DB
	now  time.Time
	conn *sql.Conn // held by PostgreSQL write transactions, for COPY
	// unlock opens SQLite's write gate behind the transaction.
	unlock func()
	// pipe queues statements to send in one round trip (pipeline.go).
	pipe *pgx.Batch
}

// BeginTx starts a write transaction.
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) { return db.begin(ctx, db.write, false) }

// quickConns is how many connections serve the hot path's lookups on
// SQLite.
const quickConns = 2

// beginQuickTx starts a read-only transaction for a short lookup of the
// hot path, on the connections kept for them.
func (db *DB) beginQuickTx(ctx context.Context) (*Tx, error) { return db.begin(ctx, db.quick, true) }

// BeginReadTx starts a read-only transaction on the reader pool.
func (db *DB) BeginReadTx(ctx context.Context) (*Tx, error) { return db.begin(ctx, db.read, true) }

func (db *DB) begin(ctx context.Context, pool *sql.DB, readOnly bool) (*Tx, error) {
	// PostgreSQL gets READ ONLY so a replica can serve it; SQLite's reader
	// pool is already query_only and rejects the option.
	var opts *sql.TxOptions
	if readOnly && db.Engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	if db.Engine == Postgres && !readOnly {
		// A PostgreSQL write transaction keeps hold of its connection so
		// that bulk writes can use COPY on it (see bulkInsert).
		conn, err := pool.Conn(ctx)
		if err != nil {
			return nil, db.translate(err)
		}
		tx, err := conn.BeginTx(ctx, opts)
		if err != nil {
			conn.Close()
			return nil, db.translate(err)
		}
		return &Tx{Tx: tx, db: db, now: frontline.Stored(db.Now()), conn: conn}, nil
	}
	var unlock func()
	if pool == db.write && db.gate != nil {
		if err := db.gate.acquire(ctx); err != nil {
			return nil, err
		}
		// Once, at the end of the transaction or of its context: database/sql
		// rolls a transaction back and frees the connection when its context
		// ends, and the gate must not stay shut after it.
		once := sync.OnceFunc(db.gate.release)
		stop := context.AfterFunc(ctx, once)
		unlock = func() { stop(); once() }
	}
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		if unlock != nil {
			unlock()
		}
		return nil, db.translate(err)
	}
	return &Tx{Tx: tx, db: db, now: frontline.Stored(db.Now()), unlock: unlock}, nil
}

// Now returns the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// ExecContext runs a statement.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := tx.Tx.ExecContext(ctx, tx.db.rebind(query), storedArgs(args)...)
	return res, tx.db.translate(err)
}

// QueryContext runs a query.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := tx.Tx.QueryContext(ctx, tx.db.rebind(query), storedArgs(args)...)
	return rows, tx.db.translate(err)
}

// QueryRowContext runs a query that returns one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.db.rebind(query), storedArgs(args)...)
}

// storedArgs cuts the times among args to what the database keeps
// (frontline.Stored), so SQLite keeps what PostgreSQL keeps and a time
// written is the time read back. args is copied only when a time changes.
func storedArgs(args []any) []any {
	for i, a := range args {
		t, ok := a.(time.Time)
		if !ok || t.Nanosecond()%1000 == 0 && t.Location() == time.UTC {
			continue
		}
		out := slices.Clone(args)
		for j := i; j < len(out); j++ {
			if t, ok := out[j].(time.Time); ok {
				out[j] = frontline.Stored(t)
			}
		}
		return out
	}
	return args
}

// Commit commits, translating driver errors.
func (tx *Tx) Commit() error {
	defer tx.release()
	return tx.db.translate(tx.Tx.Commit())
}

// Rollback rolls back; after a commit it does nothing.
func (tx *Tx) Rollback() error {
	defer tx.release()
	return tx.Tx.Rollback()
}

// release returns a held connection to the pool.
func (tx *Tx) release() {
	if tx.conn != nil {
		tx.conn.Close()
		tx.conn = nil
	}
	if tx.unlock != nil {
		tx.unlock()
		tx.unlock = nil
	}
}

// rebind rewrites ? placeholders to $1, $2 ... for PostgreSQL. Question
// marks inside quoted strings are left alone.
func (db *DB) rebind(query string) string {
	if db.Engine != Postgres || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := db.rewrites.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n, quote := 0, rune(0)
	for _, r := range query {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	q := b.String()
	// Bulk inserts build queries of many sizes; only cache the usual ones.
	if len(query) < 4096 {
		db.rewrites.Store(query, q)
	}
	return q
}

// translate turns driver errors into domain errors by their codes.
func (db *DB) translate(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var fe *frontline.Error
	if errors.As(err, &fe) {
		return err
	}
	if o := OutageOf(err); o != OutageNone {
		return outageError(o, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &frontline.Error{Code: frontline.ECONFLICT, Message: "this already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &frontline.Error{Code: frontline.EINVALID, Message: "this refers to something that does not exist or is still in use", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &frontline.Error{Code: frontline.EINVALID, Message: "a value is missing or not allowed", Err: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &frontline.Error{Code: frontline.ECONFLICT, Message: "this already exists", Err: err}
		case "23503":
			return &frontline.Error{Code: frontline.EINVALID, Message: "this refers to something that does not exist or is still in use", Err: err}
		case "23514", "23502":
			return &frontline.Error{Code: frontline.EINVALID, Message: "a value is missing or not allowed", Err: err}
		}
	}
	return err
}

// placeholders returns "(?,?,?),(?,?,?)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	one := "(" + strings.Repeat("?,", cols-1) + "?)"
	return strings.Repeat(one+",", rows-1) + one
}

// preparedStmt is a statement prepared in a transaction.
type preparedStmt = sql.Stmt

// prepare prepares a statement in the transaction, rewriting placeholders.
func (tx *Tx) prepare(ctx context.Context, query string) (*preparedStmt, error) {
	st, err := tx.Tx.PrepareContext(ctx, tx.db.rebind(query))
	return st, tx.db.translate(err)
}
