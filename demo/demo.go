// Package demo builds a deterministic demo city modelled on the report
// Frontline was written from: 天水市 › 秦州区, seven subdistricts, and among
// their communities 罗玉新村社区 with 枣园小区 (大城街道) and 自治巷社区 with
// 忠义巷小区 (中城街道), filled with fake but valid residents. `frontline
// serve --demo` uses it at a few thousand residents; benchmarks use it at
// millions.
//
// The same Config always gives the same tree and the same people: every
// random draw comes from a seeded PCG source, and nothing depends on map
// order or on the clock.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/frontline-org/frontline"
)

// Config says what city to build. Zero fields take their defaults.
type Config struct {
	// Residents is the number of persons to create, 3,000 by default. It is
	// met exactly. At least 100, at most 50,000,000.
	Residents int
	// Seed chooses the city; 1 by default.
	Seed int64
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger
	// Now is the reference date ages are counted from, 2026-01-01 by
	// default, so that the output does not change with the day it is built.
	Now time.Time
}

// Limits of Config.Residents: below 100 some compounds would stay empty;
// above 50 million the 3-digit community numbers of a subdistrict run out.
const (
	MinResidents     = 100
	MaxResidents     = 50_000_000
	DefaultResidents = 3000
)

// withDefaults fills in zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Residents == 0 {
		c.Residents = DefaultResidents
	}
	if c.Residents < MinResidents || c.Residents > MaxResidents {
		return c, frontline.FieldError("residents", "the demo city needs %d to %d residents, not %d", MinResidents, MaxResidents, c.Residents)
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now.IsZero() {
		c.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	c.Now = civilDay(c.Now)
	return c, nil
}

// Ref names one place of the demo city.
type Ref struct {
	ID   int64
	Name string
	Code string
}

// Summary says what Build created. Its counts equal the subtree counts of
// the city node once Build returns.
type Summary struct {
	// Places counts the nodes created, by kind (households included).
	Places     map[frontline.PlaceKind]int
	Households int
	Residents  int
	Vulnerable int // residents with at least one vulnerability flag

	City         Ref
	District     Ref
	Subdistricts []Ref // the seven, in code order
	// The places of the report, where its workflows happen.
	Luoyuxincun  Ref // 罗玉新村社区: screening, checkpoints, the 04:30 test round
	Zaoyuan      Ref // 枣园小区, whose gate held the sampling site
	Zizhixiang   Ref // 自治巷社区: supplies and medicine for a sealed compound
	Zhongyixiang Ref // 忠义巷小区, the sealed compound
}

// generator holds what outlives one community: the seed and the
// allocators that keep ID numbers and phones unique across the city.
type generator struct {
	seed   int64
	people *people
}

func newGenerator(cfg Config) *generator {
	return &generator{seed: cfg.Seed, people: &people{
		now:    cfg.Now,
		ids:    newIDAllocator(cfg.Now),
		phones: newPhoneAllocator(cfg.Seed),
	}}
}

// Build creates the demo city through places (the administrative levels)
// and importer (everything from compounds down, one community per import,
// so memory stays bounded by the largest community). It fails with
// ECONFLICT when a city named 天水市 already exists, and with EINTERNAL if
// the importer rejects a generated row, which would be a generator bug.
//
// When ctx carries no actor the records are made by "demo".
func Build(ctx context.Context, cfg Config, places frontline.PlaceService, importer frontline.ImportService) (*Summary, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	if err := checkAbsent(ctx, places); err != nil {
		return nil, err
	}
	b := &builder{cfg: cfg, places: places, importer: importer, gen: newGenerator(cfg),
		sum: &Summary{Places: map[frontline.PlaceKind]int{}}}
	subs := planCity(cfg.Residents, cfg.Seed)
	if err := b.createAdmin(ctx, subs); err != nil {
		return nil, err
	}
	if err := b.importAll(ctx, subs); err != nil {
		return nil, err
	}
	if err := b.findNamed(ctx); err != nil {
		return nil, err
	}
	return b.sum, nil
}

// checkAbsent refuses to build a second demo city over a first: the ID
// numbers would collide and the named paths would be ambiguous.
func checkAbsent(ctx context.Context, places frontline.PlaceService) error {
	kind, name := frontline.KindCity, CityName
	_, total, err := places.FindPlaces(ctx, frontline.PlaceFilter{Roots: true, Kind: &kind, Name: &name, Limit: 1})
	if err != nil {
		return fmt.Errorf("demo: look for an existing city: %w", err)
	}
	if total > 0 {
		return frontline.Errorf(frontline.ECONFLICT, "the demo city %s already exists", CityName)
	}
	return nil
}
