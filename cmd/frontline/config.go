package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// Main holds what a command opened, so Close releases it.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	DB     *sqldb.DB
	Logger *slog.Logger

	dbURL       string
	synchronous string
	logLevel    string
	logFormat   string
}

// Close closes the database.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

// newFlags returns a flag set with the flags every command that opens the
// database shares.
func (m *Main) newFlags(name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: frontline %s %s\n\n%s\n\nFlags (each also FRONTLINE_<NAME>, e.g. FRONTLINE_DB):\n", name, args, summary)
		fs.PrintDefaults()
	}
	fs.StringVar(&m.dbURL, "db", "sqlite:./frontline.db", "database: sqlite:PATH or a postgres:// URL")
	fs.StringVar(&m.synchronous, "sqlite-synchronous", "FULL", "SQLite durability: FULL survives a power cut, NORMAL a process crash")
	fs.StringVar(&m.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&m.logFormat, "log-format", "text", "log format: text or json")
	return fs
}

// parse reads flags from the environment (FRONTLINE_<NAME>, dashes as
// underscores), then from args, which win.
func parse(fs *flag.FlagSet, args []string) error {
	if err := applyEnv(fs); err != nil {
		return err
	}
	return parseArgs(fs, args)
}

func applyEnv(fs *flag.FlagSet) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		key := "FRONTLINE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(key); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = usagef("%s=%q: %v", key, v, err)
			}
		}
	})
	return envErr
}

func parseArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// open sets up logging, opens the database and applies migrations.
func (m *Main) open(ctx context.Context) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(m.logLevel)); err != nil {
		return usagef("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch m.logFormat {
	case "json":
		m.Logger = slog.New(slog.NewJSONHandler(m.Stderr, opts))
	case "text":
		m.Logger = slog.New(slog.NewTextHandler(m.Stderr, opts))
	default:
		return usagef("--log-format must be text or json")
	}
	db, err := sqldb.Open(ctx, m.dbURL, sqldb.Options{Synchronous: m.synchronous, Logger: m.Logger})
	if err != nil {
		return err
	}
	m.DB = db
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", redact(m.dbURL), err)
	}
	return nil
}

// cliContext marks changes made from the command line with the OS user.
func cliContext(ctx context.Context) context.Context {
	user := os.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	return frontline.WithActor(ctx, frontline.Actor{Name: "cli:" + user})
}

// redact hides a password in a database URL for logs.
func redact(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.Index(u[i+3:], "@"); j >= 0 {
			cred := u[i+3 : i+3+j]
			if k := strings.Index(cred, ":"); k >= 0 {
				return u[:i+3] + cred[:k] + ":***" + u[i+3+j:]
			}
		}
	}
	return u
}

func runVersion(ctx context.Context, m *Main, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "Usage: frontline version\n\nPrints the version of this binary.") }
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "frontline", version)
	return nil
}

func runMigrate(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("migrate", "[--check-counts]", "Applies the database migrations that have not been applied yet.")
	check := fs.Bool("check-counts", false, "recount every node's households and residents, and every campaign's and round's counters, and report differences")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "database %s is migrated\n", redact(m.dbURL))
	if !*check {
		return nil
	}
	bad, err := m.DB.CheckAllCounts(ctx)
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintln(m.Stdout, b)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d count(s) that differ from a recount", len(bad))
	}
	fmt.Fprintln(m.Stdout, "all counts match a recount")
	return nil
}
