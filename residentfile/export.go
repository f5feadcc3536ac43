package residentfile

import (
	"context"
	"io"

	"github.com/frontline-org/frontline"
)

// ExportOptions say what Export writes.
type ExportOptions struct {
	// Scope limits the export to the residents under this node; nil is
	// everything the caller may see.
	Scope  *frontline.Place
	Filter frontline.PersonFilter // Under is set from Scope
	Format string                 // "csv" or "xlsx"
	// Full writes whole ID numbers, phones and birth dates; otherwise they
	// are masked. The caller records a full export in the audit log.
	Full bool
}

// Export writes the residents as a resident list that imports back (when
// Full), streaming them so a city's list never sits in memory. It returns
// how many residents it wrote.
func Export(ctx context.Context, places frontline.PlaceService, persons frontline.PersonService, opts ExportOptions, out io.Writer) (int, error) {
	names, err := placeNames(ctx, places, opts.Scope)
	if err != nil {
		return 0, err
	}
	filter := opts.Filter
	if opts.Scope != nil {
		filter.Under = &opts.Scope.ID
	}
	w, err := NewWriter(out, opts.Format, "居民花名册", ExportHeader())
	if err != nil {
		return 0, err
	}
	n := 0
	err = persons.WalkPersons(ctx, filter, func(p *frontline.Person) error {
		row := frontline.ResidentRow{Person: *p}
		for _, id := range frontline.PathIDs(p.Household.Path) {
			if pl := names[id]; pl != nil {
				setLevel(&row, pl)
			}
		}
		if !opts.Full {
			mask(&row.Person)
		}
		n++
		return w.Write(ExportRow(&row))
	})
	if err != nil {
		return n, err
	}
	return n, w.Close()
}

func setLevel(row *frontline.ResidentRow, pl *frontline.Place) {
	switch pl.Kind {
	case frontline.KindSubdistrict:
		row.Subdistrict = pl.Name
	case frontline.KindCommunity:
		row.Community = pl.Name
	case frontline.KindCompound:
		row.Compound = pl.Name
	case frontline.KindBuilding:
		row.Building = pl.Name
	case frontline.KindUnit:
		row.Unit = pl.Name
	case frontline.KindHousehold:
		row.Room = pl.Name
	}
}

// mask hides the ID number and phone, and keeps only the year of birth:
// the birth date is digits 7-14 of a mainland ID, and beside a masked
// number it would give the number back.
func mask(p *frontline.Person) {
	p.IDNumber = frontline.MaskIDNumber(p.IDNumber)
	p.Phone = frontline.MaskPhone(p.Phone)
	if len(p.BirthDate) >= 4 {
		p.BirthDate = p.BirthDate[:4]
	}
}

// placeNames loads the places under scope (everything when nil) and its
// ancestors, by id, so each person's address is found without a query.
func placeNames(ctx context.Context, places frontline.PlaceService, scope *frontline.Place) (map[int64]*frontline.Place, error) {
	// Retired places too: a person who moved out of one still has its address.
	filter := frontline.PlaceFilter{IncludeRetired: true}
	var above []*frontline.Place
	if scope != nil {
		filter.Under = &scope.ID
		var err error
		if above, err = places.Ancestors(ctx, scope.ID); err != nil {
			return nil, err
		}
		above = append(above, scope)
	}
	all, _, err := places.FindPlaces(ctx, filter)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]*frontline.Place, len(all)+len(above))
	for _, p := range append(all, above...) {
		names[p.ID] = p
	}
	return names, nil
}
