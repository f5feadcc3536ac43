package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.DivisionService = (*PlaceService)(nil)

// divisionStep is what an import does with one row: create the place,
// or change (rename, give a code to) or keep an existing one.
type divisionStep struct {
	row    *frontline.DivisionRow
	place  *frontline.Place // the existing place; nil to create one
	parent *divisionStep    // the row of the parent, when the file has it
	// parentID is the existing parent's id when the file does not have
	// it (0 for a city).
	parentID int64
	rename   bool
	code     bool
}

// divisionPlan resolves the rows of a file against the tree.
type divisionPlan struct {
	tx       *Tx
	f        *frontline.DivisionFile
	res      *frontline.DivisionResult
	byCode   map[string]*frontline.Place // administrative places in use, by code
	steps    map[string]*divisionStep    // the file's rows, by code
	siblings map[string]int              // parent/kind/name → row, for names twice in the file
	order    []*divisionStep
}

// ImportDivisions loads a division list into the tree, all or nothing:
// every row is resolved first (its parent from the file or the tree by
// code, the place itself by code, else by kind and name under its
// parent), every problem reported with its row and column, and only a
// file without problems is written, parents before children, each change
// audited. Only the system (the command line) may import.
func (s *PlaceService) ImportDivisions(ctx context.Context, f *frontline.DivisionFile, dryRun bool) (*frontline.DivisionResult, error) {
	if frontline.PrincipalFrom(ctx) != nil {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "the division list is imported from the command line (frontline places import)")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res := &frontline.DivisionResult{Rows: len(f.Rows), DryRun: dryRun}
	res.Errors = append(res.Errors, f.Errors...)
	p := &divisionPlan{tx: tx, f: f, res: res, steps: map[string]*divisionStep{}, siblings: map[string]int{}}
	if err := p.loadCodes(ctx); err != nil {
		return nil, err
	}
	rows := make([]*frontline.DivisionRow, 0, len(f.Rows))
	for i := range f.Rows {
		r := &f.Rows[i]
		switch {
		case len(r.Errors) > 0:
			res.Errors = append(res.Errors, r.Errors...)
		case r.Kind == "":
			res.Provinces++
		default:
			rows = append(rows, r)
		}
	}
	// A parent's code sorts before its children's: 620502000000 <
	// 620502001000 < 620502001001.
	slices.SortStableFunc(rows, func(a, b *frontline.DivisionRow) int { return strings.Compare(a.Code, b.Code) })
	for _, r := range rows {
		if err := p.resolve(ctx, r); err != nil {
			return nil, err
		}
	}
	if len(res.Errors) > 0 {
		slices.SortStableFunc(res.Errors, func(a, b frontline.RowError) int { return a.Row - b.Row })
		return res, frontline.Errorf(frontline.EINVALID, "%s: %d problems; nothing was imported", f.Name, len(res.Errors))
	}
	if dryRun {
		return res, nil
	}
	for _, st := range p.order {
		if err := p.write(ctx, st); err != nil {
			return nil, fmt.Errorf("row %d: %w", st.row.Row, err)
		}
	}
	return res, tx.Commit()
}

// loadCodes reads the administrative places in use that have a code.
func (p *divisionPlan) loadCodes(ctx context.Context) error {
	p.byCode = map[string]*frontline.Place{}
	rows, err := p.tx.QueryContext(ctx, `SELECT `+placeColumnsR+` FROM places
		WHERE code <> '' AND retired_at IS NULL AND kind IN (?, ?, ?, ?)`,
		string(frontline.KindCity), string(frontline.KindDistrict), string(frontline.KindSubdistrict), string(frontline.KindCommunity))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		pl, err := scanPlaceR(rows)
		if err != nil {
			return err
		}
		p.byCode[pl.Code] = pl
	}
	return rows.Err()
}

func (p *divisionPlan) fail(r *frontline.DivisionRow, col, format string, args ...any) {
	p.res.Errors = append(p.res.Errors, frontline.RowError{Row: r.Row, Column: p.f.Columns[col], Message: fmt.Sprintf(format, args...)})
}

// resolve plans one row whose parent's row, if any, was resolved before.
func (p *divisionPlan) resolve(ctx context.Context, r *frontline.DivisionRow) error {
	if prev, ok := p.steps[r.Code]; ok {
		p.fail(r, "code", "the code %s is on row %d already", r.Code, prev.row.Row)
		return nil
	}
	probe := &frontline.Place{Kind: r.Kind, Name: r.Name}
	if err := probe.Validate(); err != nil {
		p.fail(r, "name", "%s", frontline.ErrorMessage(err))
		return nil
	}
	st := &divisionStep{row: r}
	if r.Kind != frontline.KindCity {
		pc := frontline.ParentDivisionCode(r.Kind, r.Code)
		if ps, ok := p.steps[pc]; ok {
			st.parent = ps
		} else if pl, ok := p.byCode[pc]; ok {
			st.parentID = pl.ID
		} else {
			up := frontline.PlaceKinds[r.Kind.Rank()-1]
			p.fail(r, "code", "the %s above it, %s, is neither in the file nor in the database", up, pc)
			return nil
		}
	}
	key := fmt.Sprintf("%s/%d/%s/%s", pc(st), st.parentID, r.Kind, probe.Name)
	if prev, ok := p.siblings[key]; ok {
		p.fail(r, "name", "%s is on row %d already, under the same place", probe.Name, prev)
		return nil
	}
	p.siblings[key] = r.Row
	r.Name = probe.Name
	if err := p.match(ctx, st); err != nil {
		return err
	}
	p.steps[r.Code] = st
	p.order = append(p.order, st)
	return nil
}

// pc names the parent row of a step, for the sibling key.
func pc(st *divisionStep) string {
	if st.parent != nil {
		return st.parent.row.Code
	}
	return ""
}

// match finds the place a row is about: by its code, else by kind and
// name under its existing parent; and counts what the import does to it.
func (p *divisionPlan) match(ctx context.Context, st *divisionStep) error {
	r := st.row
	// The parent's id, or -1 when the file creates the parent.
	parentID := st.parentID
	if st.parent != nil {
		parentID = -1
		if st.parent.place != nil {
			parentID = st.parent.place.ID
		}
	}
	pl := p.byCode[r.Code]
	switch {
	case pl != nil && pl.Kind != r.Kind:
		p.fail(r, "code", "%s is the code of %s in the database, a %s, not a %s", r.Code, pl.Name, pl.Kind, r.Kind)
		return nil
	case pl != nil && pl.ParentID != parentID:
		p.fail(r, "code", "%s is %s in the database, under another place than the file puts it; move it first", r.Code, pl.Name)
		return nil
	case pl == nil && parentID >= 0:
		found, err := p.tx.childByName(ctx, parentID, r.Name, r.Kind)
		if err != nil {
			return err
		}
		if found != nil && found.Kind == r.Kind {
			if found.Code != "" {
				p.fail(r, "name", "%s is in the database with the code %s, not %s", found.Name, found.Code, r.Code)
				return nil
			}
			pl = found
		}
	}
	st.place = pl
	switch {
	case pl == nil:
		p.res.Created++
	case pl.Code == "":
		st.code, st.rename = true, pl.Name != r.Name
		p.res.Coded++
	case pl.Name != r.Name:
		st.rename = true
		p.res.Renamed++
	default:
		p.res.Unchanged++
	}
	return nil
}

// write carries out one planned step.
func (p *divisionPlan) write(ctx context.Context, st *divisionStep) error {
	r := st.row
	if st.place == nil {
		parentID := st.parentID
		if st.parent != nil {
			parentID = st.parent.place.ID
		}
		st.place = &frontline.Place{ParentID: parentID, Kind: r.Kind, Name: r.Name, Code: r.Code}
		return p.tx.createPlace(ctx, st.place)
	}
	if !st.rename && !st.code {
		return nil
	}
	upd := frontline.PlaceUpdate{Name: &r.Name, Code: &r.Code}
	pl, err := p.tx.updatePlace(ctx, st.place.ID, upd)
	if err == nil {
		st.place = pl
	}
	return err
}
