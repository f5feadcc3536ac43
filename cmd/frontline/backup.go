package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/backup"
	"github.com/frontline-org/frontline/sqldb"
)

func runBackup(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("backup", "--output FILE [--passphrase-file FILE]",
		"Writes a consistent copy of the SQLite database to FILE while the server keeps serving\n"+
			"(VACUUM INTO), encrypted with the passphrase in --passphrase-file when one is given (age).\n"+
			"On PostgreSQL it refuses: use pg_dump and WAL archiving (see README, Backups).")
	output := fs.String("output", "", "the copy to write; it must not exist")
	passFile := fs.String("passphrase-file", "", "file whose first line is the passphrase that encrypts the copy")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if _, err := sqldb.SQLitePath(m.dbURL); err != nil {
		return frontline.Errorf(frontline.EINVALID, "%s", sqldb.PostgresBackupAdvice)
	}
	if *output == "" {
		return usagef("--output FILE is required")
	}
	pass, err := backup.ReadPassphrase(*passFile)
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	start := time.Now()
	if err := backup.Take(ctx, m.DB, *output, pass); err != nil {
		return err
	}
	enc := "not encrypted"
	if pass != "" {
		enc = "encrypted"
	}
	fmt.Fprintf(m.Stdout, "backup written to %s (%s) in %s\n", *output, enc, time.Since(start).Round(time.Millisecond))
	return nil
}

func runRestore(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("restore", "FILE --db sqlite:PATH [--passphrase-file FILE]",
		"Checks a backup (SQLite's integrity check, migrations this version knows, every counter equal\n"+
			"to a recount) and restores it to the database named by --db, which must not exist yet.\n"+
			"Nothing is written there unless every check passes.")
	passFile := fs.String("passphrase-file", "", "file whose first line is the passphrase of an encrypted copy")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one backup file to restore")
	}
	target, err := sqldb.SQLitePath(m.dbURL)
	if err != nil {
		return frontline.Errorf(frontline.EINVALID, "restore writes an SQLite database; on PostgreSQL restore with pg_restore or point-in-time recovery")
	}
	pass, err := backup.ReadPassphrase(*passFile)
	if err != nil {
		return err
	}
	res, err := backup.Restore(ctx, pos[0], target, pass)
	if res != nil {
		for _, d := range res.Differences {
			fmt.Fprintln(m.Stdout, d)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "integrity ok; %d migrations", len(res.Check.Applied))
	if len(res.Migrated) > 0 {
		fmt.Fprintf(m.Stdout, " (+%d applied now)", len(res.Migrated))
	}
	fmt.Fprintln(m.Stdout, "; every counter equals a recount")
	for _, t := range []string{"places", "persons", "users", "test_rounds", "bindings", "screening_visits", "cases", "alerts", "workers", "audit_log"} {
		if n, ok := res.Check.Rows[t]; ok {
			fmt.Fprintf(m.Stdout, "  %-18s %d\n", t, n)
		}
	}
	fmt.Fprintf(m.Stdout, "restored to %s\n", target)
	return nil
}

// backupFlags are serve's scheduled backups.
type backupFlags struct {
	dir, passFile *string
	every         *time.Duration
	keep          *int
}

func addBackupFlags(fs *flag.FlagSet) backupFlags {
	return backupFlags{
		dir: fs.String("backup-dir", "", "directory to take a backup into every --backup-every (SQLite only); off when empty"),
		every: fs.Duration("backup-every", time.Hour, "how often to take a backup into --backup-dir; /readyz fails when the newest\n"+
			"good one is older than twice this"),
		keep:     fs.Int("backup-keep", 48, "how many backups to keep in --backup-dir; older ones are removed"),
		passFile: fs.String("backup-passphrase-file", "", "file whose first line is the passphrase that encrypts the scheduled backups"),
	}
}

// startBackups starts the schedule of serve --backup-dir, or returns nil
// when there is none.
func startBackups(ctx context.Context, m *Main, bf backupFlags) (*backup.Schedule, error) {
	if *bf.dir == "" {
		return nil, nil
	}
	if m.DB.Engine != sqldb.SQLite {
		return nil, frontline.Errorf(frontline.EINVALID, "--backup-dir: %s", sqldb.PostgresBackupAdvice)
	}
	if *bf.every < time.Minute {
		return nil, usagef("--backup-every must be at least 1m")
	}
	pass, err := backup.ReadPassphrase(*bf.passFile)
	if err != nil {
		return nil, err
	}
	s := &backup.Schedule{DB: m.DB, Dir: *bf.dir, Every: *bf.every, Keep: *bf.keep, Passphrase: pass, Logger: m.Logger}
	if err := s.Start(); err != nil {
		return nil, fmt.Errorf("--backup-dir: %w", err)
	}
	go s.Run(ctx)
	return s, nil
}

// backupReady wraps a readiness check: not ready while the newest good
// backup is older than twice the interval.
func backupReady(ready func(context.Context) error, s *backup.Schedule) func(context.Context) error {
	if s == nil {
		return ready
	}
	started := time.Now()
	return func(ctx context.Context) error {
		if err := ready(ctx); err != nil {
			return err
		}
		if s.Stale(started) {
			if age := s.Age(); age >= 0 {
				return fmt.Errorf("the last good backup is %s old (more than twice --backup-every %s)",
					age.Round(time.Second), s.Every)
			}
			return fmt.Errorf("no backup taken in twice --backup-every (%s)", s.Every)
		}
		return nil
	}
}

// backupCollector puts the age of the last good backup on /metrics.
type backupCollector struct {
	s        *backup.Schedule
	age      *prometheus.Desc
	interval *prometheus.Desc
}

func newBackupCollector(s *backup.Schedule) *backupCollector {
	return &backupCollector{s: s,
		age: prometheus.NewDesc("frontline_backup_last_good_age_seconds",
			"Seconds since the last good backup was taken; -1 while there is none.", nil, nil),
		interval: prometheus.NewDesc("frontline_backup_interval_seconds",
			"The interval of scheduled backups (--backup-every).", nil, nil),
	}
}

func (c *backupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.age
	ch <- c.interval
}

func (c *backupCollector) Collect(ch chan<- prometheus.Metric) {
	age := c.s.Age()
	v := -1.0
	if age >= 0 {
		v = age.Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, v)
	ch <- prometheus.MustNewConstMetric(c.interval, prometheus.GaugeValue, c.s.Every.Seconds())
}
