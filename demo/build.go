package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// builder writes a planned city through the services.
type builder struct {
	cfg      Config
	places   frontline.PlaceService
	importer frontline.ImportService
	gen      *generator
	sum      *Summary
}

// create adds one administrative node and counts it.
func (b *builder) create(ctx context.Context, parent int64, kind frontline.PlaceKind, name, code string) (Ref, error) {
	p := &frontline.Place{ParentID: parent, Kind: kind, Name: name, Code: code}
	if err := b.places.CreatePlace(ctx, p); err != nil {
		return Ref{}, fmt.Errorf("demo: create %s %s: %w", kind, name, err)
	}
	b.sum.Places[kind]++
	return Ref{ID: p.ID, Name: p.Name, Code: p.Code}, nil
}

// createAdmin creates the city, the district, the subdistricts and the
// communities; the levels below come with the imports.
func (b *builder) createAdmin(ctx context.Context, subs []*subdistrictPlan) error {
	var err error
	if b.sum.City, err = b.create(ctx, 0, frontline.KindCity, CityName, CityCode); err != nil {
		return err
	}
	if b.sum.District, err = b.create(ctx, b.sum.City.ID, frontline.KindDistrict, DistrictName, DistrictCode); err != nil {
		return err
	}
	for _, s := range subs {
		ref, err := b.create(ctx, b.sum.District.ID, frontline.KindSubdistrict, s.name, s.code)
		if err != nil {
			return err
		}
		b.sum.Subdistricts = append(b.sum.Subdistricts, ref)
		for _, c := range s.communities {
			cref, err := b.create(ctx, ref.ID, frontline.KindCommunity, c.name, c.code)
			if err != nil {
				return err
			}
			c.id = cref.ID
			switch c.name {
			case "罗玉新村社区":
				b.sum.Luoyuxincun = cref
			case "自治巷社区":
				b.sum.Zizhixiang = cref
			}
		}
	}
	return nil
}

// importAll generates and imports one community at a time, in plan order
// (the ID allocator's state depends on that order).
func (b *builder) importAll(ctx context.Context, subs []*subdistrictPlan) error {
	start := time.Now()
	nextReport := b.cfg.Residents / 10
	for _, s := range subs {
		for _, c := range s.communities {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("demo: stopped after %d residents: %w", b.sum.Residents, err)
			}
			if err := b.importCommunity(ctx, c); err != nil {
				return err
			}
			if b.sum.Residents >= nextReport && b.cfg.Residents >= 100_000 {
				b.progress(start)
				nextReport += b.cfg.Residents / 10
			}
		}
	}
	b.cfg.Logger.Info("demo city built", "city", CityName, "residents", b.sum.Residents,
		"households", b.sum.Households, "vulnerable", b.sum.Vulnerable, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

func (b *builder) progress(start time.Time) {
	elapsed := time.Since(start)
	b.cfg.Logger.Info("demo city progress",
		"residents", b.sum.Residents, "of", b.cfg.Residents,
		"percent", 100*b.sum.Residents/b.cfg.Residents,
		"per_second", int(float64(b.sum.Residents)/elapsed.Seconds()),
		"elapsed", elapsed.Round(time.Second))
}

// importCommunity generates a community's rows and imports them under it.
func (b *builder) importCommunity(ctx context.Context, c *communityPlan) error {
	rows, n := b.gen.rows(c)
	f := &frontline.ResidentFile{Name: "demo:" + c.name, Rows: rows, Columns: map[string]string{}}
	t := time.Now()
	res, err := b.importer.ImportResidents(ctx, f, frontline.ImportOptions{Under: c.id})
	if err != nil || res == nil || res.Imported != len(rows) {
		return rejected(c, len(rows), res, err)
	}
	b.cfg.Logger.Debug("demo community imported", "community", c.name, "residents", n.residents,
		"households", n.households, "elapsed", time.Since(t).Round(time.Millisecond))
	b.sum.Places[frontline.KindCompound] += n.compounds
	b.sum.Places[frontline.KindBuilding] += n.buildings
	b.sum.Places[frontline.KindUnit] += n.units
	b.sum.Places[frontline.KindHousehold] += n.households
	b.sum.Households += n.households
	b.sum.Residents += n.residents
	b.sum.Vulnerable += n.vulnerable
	return nil
}

// rejected explains a failed import. Rows the importer refuses mean the
// generator wrote something invalid, so the message shows the first
// problems for whoever fixes it.
func rejected(c *communityPlan, rows int, res *frontline.ImportResult, err error) error {
	if res == nil || len(res.Errors) == 0 {
		if err == nil && res == nil {
			err = fmt.Errorf("the importer returned no result")
		} else if err == nil {
			err = fmt.Errorf("imported %d of %d rows", res.Imported, rows)
		}
		return fmt.Errorf("demo: import %s: %w", c.name, err)
	}
	var lines []string
	for _, e := range res.Errors[:min(5, len(res.Errors))] {
		lines = append(lines, e.Error())
	}
	return &frontline.Error{Code: frontline.EINTERNAL, Err: err,
		Message: fmt.Sprintf("the importer rejected %d generated rows of %s (a demo generator bug): %s",
			len(res.Errors), c.name, strings.Join(lines, "; "))}
}

// findNamed looks up the compounds of the report, which the imports
// created.
func (b *builder) findNamed(ctx context.Context) error {
	for _, n := range []struct {
		path string
		ref  *Ref
	}{{PathZaoyuan, &b.sum.Zaoyuan}, {PathZhongyixiang, &b.sum.Zhongyixiang}} {
		p, err := b.places.FindPlaceByPath(ctx, n.path)
		if err != nil {
			return fmt.Errorf("demo: find %s: %w", n.path, err)
		}
		*n.ref = Ref{ID: p.ID, Name: p.Name, Code: p.Code}
	}
	return nil
}
