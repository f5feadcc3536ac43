package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
	"github.com/frontline-org/frontline/sqldb"
)

func runPurge(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("purge", "[--dry-run] [--under PATH_OR_ID]",
		"Removes the personal data whose retention has run out (frontline retention shows the rules and what\n"+
			"is due when): counts per community and day go into the anonymised statistics first, in the same\n"+
			"transaction, then names, ID numbers, phones and free text are emptied. Writes a certificate.")
	dry := fs.Bool("dry-run", false, "count what is due and change nothing")
	under := fs.String("under", "", "purge only under this place (path of names or id); everywhere when empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	underID, err := underPlace(ctx, m, *under)
	if err != nil {
		return err
	}
	run, err := sqldb.NewRetentionService(m.DB).Purge(cliContext(ctx), frontline.PurgeRequest{UnderID: underID, DryRun: *dry})
	if err != nil {
		return err
	}
	printRun(m.Stdout, run)
	return nil
}

// underPlace returns the id of the place --under names, 0 when empty
// (everywhere).
func underPlace(ctx context.Context, m *Main, under string) (int64, error) {
	if under == "" {
		return 0, nil
	}
	p, err := findPlace(ctx, m.DB, under)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// printRun prints a purge's certificate (or a dry run's counts).
func printRun(w io.Writer, run *frontline.PurgeRun) {
	switch {
	case run.DryRun:
		fmt.Fprintf(w, "dry run under rules version %d: nothing changed\n", run.RuleVersion)
	case run.ID == 0:
		fmt.Fprintf(w, "nothing is due under rules version %d; no certificate written\n", run.RuleVersion)
		return
	default:
		fmt.Fprintf(w, "purge certificate %d (%s) under rules version %d, by %s\n", run.ID, run.Reason, run.RuleVersion, run.By)
	}
	for _, k := range run.Kinds {
		if k.Records == 0 {
			fmt.Fprintf(w, "  %-10s %8d\n", k.Kind, 0)
			continue
		}
		fmt.Fprintf(w, "  %-10s %8d  ended %s … %s\n", k.Kind, k.Records, k.FirstDay, k.LastDay)
	}
	fmt.Fprintf(w, "  %-10s %8d\n", "total", run.Records())
}

func runRetention(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("retention", "[--set KIND=DAYS,...] [--note TEXT] [--under PATH_OR_ID]",
		"Prints the retention rules in force (days personal data is kept after its workflow ends, per kind of\n"+
			"record) and what falls due when. --set saves a new version of the rules.")
	set := fs.String("set", "", "new days for some kinds, e.g. rounds=14,cases=90; kinds: "+retentionKindList())
	note := fs.String("note", "", "why the rules change (kept with the version)")
	under := fs.String("under", "", "show what is due under this place (path of names or id); everywhere when empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	rs := sqldb.NewRetentionService(m.DB)
	if *set != "" {
		days := map[frontline.RetentionKind]int{}
		for _, kv := range strings.Split(*set, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			n, err := strconv.Atoi(v)
			if !ok || err != nil {
				return usagef("--set %q: write KIND=DAYS, e.g. rounds=14", kv)
			}
			days[frontline.RetentionKind(k)] = n
		}
		if err := rs.SaveRules(cliContext(ctx), &frontline.RetentionRules{Days: days, Note: *note}); err != nil {
			return err
		}
	}
	underID, err := underPlace(ctx, m, *under)
	if err != nil {
		return err
	}
	rules, err := rs.Rules(ctx)
	if err != nil {
		return err
	}
	due, err := rs.Due(ctx, underID)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "retention rules version %d", rules.Version)
	if rules.Version == 0 {
		fmt.Fprint(m.Stdout, " (the defaults)")
	} else {
		fmt.Fprintf(m.Stdout, " of %s by %s", rules.CreatedAt.In(m.DB.Location).Format("2006-01-02 15:04"), rules.CreatedBy)
	}
	fmt.Fprintf(m.Stdout, "\n%-10s %5s %8s %8s  %s\n", "kind", "days", "due now", "purged", "falls due later")
	for _, d := range due {
		var later []string
		for i, u := range d.Upcoming {
			if i == 5 {
				later = append(later, fmt.Sprintf("… %d more days", len(d.Upcoming)-5))
				break
			}
			later = append(later, fmt.Sprintf("%s: %d", u.Day, u.Records))
		}
		fmt.Fprintf(m.Stdout, "%-10s %5d %8d %8d  %s\n", d.Kind, d.Days, d.Now, d.Purged, strings.Join(later, ", "))
	}
	return nil
}

func retentionKindList() string {
	var out []string
	for _, k := range frontline.RetentionKinds {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}

// purgeJobInterval is how often serve purges what is due by default.
const purgeJobInterval = 24 * time.Hour

// purgeFirstDelay is how long after start serve purges for the first time.
const purgeFirstDelay = 10 * time.Minute

// runPurges purges what is due every interval until ctx ends, as the
// system. On several servers each may run it: a record is purged once
// (purged_at), though two runs at once would each write a certificate.
func runPurges(ctx context.Context, rs frontline.RetentionService, interval time.Duration, logger *slog.Logger) {
	// The first run waits a while: a purge lists every resident's records,
	// which on a city of millions is a minute of reading that should not
	// land on the start-up (nor on a benchmark's first seconds).
	select {
	case <-ctx.Done():
		return
	case <-time.After(min(interval, purgeFirstDelay)):
	}
	every(ctx, interval, func(ctx context.Context) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system:purge"})
		run, err := rs.Purge(ctx, frontline.PurgeRequest{})
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("purge", "err", err)
			}
			return
		}
		if n := run.Records(); n > 0 {
			logger.Info("personal data purged", "certificate", run.ID, "records", n)
		}
	})
}

func runStandDown(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("stand-down", "--under PATH_OR_ID [--output FILE]",
		"Ends the emergency for a place at once: refuses while anything is in progress there (open cases,\n"+
			"transfers, tubes awaiting results, campaigns not finished …) and lists it; otherwise closes the open\n"+
			"rounds and campaigns, ends the measures, lifts the zones, resolves the alerts, purges every personal\n"+
			"record under the place regardless of retention, and writes the anonymised statistics as XLSX.\n"+
			"The place tree and the statistics stay.")
	under := fs.String("under", "", "the place that stands down (path of names or id)")
	output := fs.String("output", "", "the XLSX of the anonymised statistics (default stand-down-<place>-<day>.xlsx)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *under == "" {
		return usagef("say which place stands down with --under")
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	node, err := findPlace(ctx, m.DB, *under)
	if err != nil {
		return err
	}
	rs := sqldb.NewRetentionService(m.DB)
	res, err := rs.StandDown(cliContext(ctx), node.ID)
	if err != nil {
		return err
	}
	for _, what := range []string{"rounds", "campaigns", "measures", "zones", "home_tasks", "alerts"} {
		fmt.Fprintf(m.Stdout, "closed %-10s %d\n", what, res.Closed[what])
	}
	printRun(m.Stdout, res.Run)
	stats, err := rs.PurgeStats(ctx, node.ID)
	if err != nil {
		return err
	}
	name := *output
	if name == "" {
		name = fmt.Sprintf("stand-down-%s-%s.xlsx", node.Name, time.Now().In(m.DB.Location).Format("2006-01-02"))
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("the statistics file: %w (the stand-down is done: run it again with another --output to write them)", err)
	}
	if err := report.PurgeStatistics(f, node.Name+" 匿名统计", stats); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s stood down; anonymised statistics (%d rows) written to %s\n", node.Name, len(stats), name)
	return nil
}
