package main

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
)

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("demo", "[--residents N] [--seed S]",
		"Builds the deterministic demo city (天水市 · 秦州区, 7 subdistricts) into the database.\n"+
			"The same --residents and --seed always give the same city; up to 3,000,000 residents.")
	residents := fs.Int("residents", demo.DefaultResidents, "number of residents")
	seed := fs.Int64("seed", 1, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *residents < demo.MinResidents || *residents > demo.MaxResidents {
		return usagef("--residents must be between %d and %d", demo.MinResidents, demo.MaxResidents)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	start := time.Now()
	sum, err := buildDemo(cliContext(ctx), m, *residents, *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "demo city built in %s: %d residents in %d households, %d vulnerable\n",
		time.Since(start).Round(time.Millisecond), sum.Residents, sum.Households, sum.Vulnerable)
	return nil
}

func buildDemo(ctx context.Context, m *Main, residents int, seed int64) (*demo.Summary, error) {
	return demo.Build(ctx, demo.Config{Residents: residents, Seed: seed, Logger: m.Logger},
		sqldb.NewPlaceService(m.DB), sqldb.NewImportService(m.DB))
}
