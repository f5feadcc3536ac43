package sqldb

import (
	"context"
	"strings"

	"github.com/frontline-org/frontline"
)

// retestReader returns the permission the caller lists re-tests with:
// command staff follow them up, the home sampling team goes out on them.
func retestReader(ctx context.Context) frontline.Permission {
	if p := frontline.PrincipalFrom(ctx); p.Can(frontline.PermSampling) && !p.Can(frontline.PermReadReports) {
		return frontline.PermSampling
	}
	return frontline.PermReadReports
}

const retestColumns = `rt.id, rt.round_id, rt.kind, rt.person_id, p.name, p.id_number, p.flags, rt.household_id, m.path,
	COALESCE(st.code, ''), rt.status, COALESCE(t.code, ''), rt.result, rt.created_at, rt.sampled_at, rt.sampled_by, rt.done_at, sc.path`

const retestFrom = ` FROM retest_tasks rt JOIN round_members m ON m.round_id = rt.round_id AND m.person_id = rt.person_id
	JOIN persons p ON p.id = rt.person_id LEFT JOIN tubes st ON st.id = rt.source_tube_id LEFT JOIN tubes t ON t.id = rt.tube_id
	JOIN test_rounds r ON r.id = rt.round_id JOIN places sc ON sc.id = r.scope_id`

// homeSampledElsewhere leaves out the open home tasks of persons sampled
// at a site after all (their family brought them down): nothing is left
// for the team to do. Undoing that binding lists the task again.
const homeSampledElsewhere = `NOT (rt.kind = 'home' AND rt.status = 'open' AND EXISTS (SELECT 1 FROM bindings b
	WHERE b.round_id = rt.round_id AND b.person_id = rt.person_id AND b.undone_at IS NULL))`

// FindRetests lists re-test tasks by household, each with the person's
// vulnerability flags and the household's address below the round's
// scope, and the total before paging.
func (s *LabService) FindRetests(ctx context.Context, f frontline.RetestFilter) ([]*frontline.RetestTask, int, error) {
	tx, err := s.db.readTx(ctx, retestReader(ctx))
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	cond, args, err := tx.retestWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+retestFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := tx.queryRetests(ctx, cond+` ORDER BY m.path, rt.person_id, rt.id`+limitClause(f.Offset, f.Limit), args)
	return out, total, err
}

// retestWhere turns a filter into a WHERE clause over retestFrom, limited
// to the caller's scope.
func (tx *Tx) retestWhere(ctx context.Context, f frontline.RetestFilter) (string, []any, error) {
	where, args := []string{homeSampledElsewhere}, []any{}
	if f.ID != nil {
		where, args = append(where, "rt.id = ?"), append(args, *f.ID)
	}
	if f.RoundID != nil {
		where, args = append(where, "rt.round_id = ?"), append(args, *f.RoundID)
	}
	switch {
	case f.Active:
		where, args = append(where, "rt.status IN (?, ?)"), append(args, string(frontline.RetestOpen), string(frontline.RetestSampled))
	case f.Status != nil:
		where, args = append(where, "rt.status = ?"), append(args, string(*f.Status))
	}
	if f.Under != nil {
		top, err := tx.findPlaceByID(ctx, *f.Under)
		if err != nil {
			return "", nil, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "m.path >= ? AND m.path < ?"), append(args, lo, hi)
	}
	where, args = andScope(ctx, "m.path", where, args)
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// queryRetests reads the tasks a WHERE clause (with its order and limit)
// selects, with their addresses.
func (tx *Tx) queryRetests(ctx context.Context, cond string, args []any) ([]*frontline.RetestTask, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+retestColumns+retestFrom+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.RetestTask, 0)
	var paths, scopes []string
	for rows.Next() {
		var t frontline.RetestTask
		var flags, path, scope string
		if err := rows.Scan(&t.ID, &t.RoundID, &t.Kind, &t.PersonID, &t.PersonName, &t.IDNumber, &flags, &t.HouseholdID, &path,
			&t.SourceTube, &t.Status, &t.TubeCode, &t.Result, &t.CreatedAt, nullTimeDest{&t.SampledAt}, &t.SampledBy,
			nullTimeDest{&t.DoneAt}, &scope); err != nil {
			return nil, err
		}
		t.Flags, t.CreatedAt, t.IDNumber = splitFlags(flags), t.CreatedAt.UTC(), frontline.MaskIDNumber(t.IDNumber)
		out, paths, scopes = append(out, &t), append(paths, path), append(scopes, scope)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := tx.pathNames(ctx, paths)
	if err != nil {
		return nil, err
	}
	for i, t := range out {
		t.Address = addressBelow(names, scopes[i], paths[i])
	}
	return out, nil
}

// maxRetestHomes bounds a page of households, so that their tasks are
// read with one IN list.
const maxRetestHomes = 200

// FindRetestHomes lists the tasks of a filter by household, in address
// order and paged by household (at most maxRetestHomes), each household
// with its residents who carry a vulnerability flag; the total counts
// households.
func (s *LabService) FindRetestHomes(ctx context.Context, f frontline.RetestFilter) ([]*frontline.RetestHome, int, error) {
	if f.Limit <= 0 || f.Limit > maxRetestHomes {
		f.Limit = maxRetestHomes
	}
	tx, err := s.db.readTx(ctx, retestReader(ctx))
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	cond, args, err := tx.retestWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT rt.household_id)`+retestFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT rt.household_id, MIN(m.path)`+retestFrom+cond+
		` GROUP BY rt.household_id ORDER BY MIN(m.path), rt.household_id`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	homes := make([]*frontline.RetestHome, 0)
	byID := map[int64]*frontline.RetestHome{}
	var ids []int64
	for rows.Next() {
		h := &frontline.RetestHome{}
		var path string
		if err := rows.Scan(&h.HouseholdID, &path); err != nil {
			rows.Close()
			return nil, 0, err
		}
		homes, byID[h.HouseholdID], ids = append(homes, h), h, append(ids, h.HouseholdID)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return homes, total, err
	}
	tasks, err := tx.queryRetests(ctx, cond+` AND rt.household_id IN `+inList(len(ids))+` ORDER BY m.path, rt.person_id, rt.id`,
		append(args, int64Args(ids)...))
	if err != nil {
		return nil, 0, err
	}
	for _, t := range tasks {
		h := byID[t.HouseholdID]
		h.Tasks = append(h.Tasks, t)
		if h.Address == "" {
			h.Address = t.Address
		}
	}
	return homes, total, tx.vulnerableResidents(ctx, byID)
}

// vulnerableResidents adds to each household its residents with a
// vulnerability flag, those living there now.
func (tx *Tx) vulnerableResidents(ctx context.Context, byID map[int64]*frontline.RetestHome) error {
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	return tx.eachRow(ctx, `SELECT p.household_id, p.id, p.name, p.id_number, p.flags FROM persons p
		WHERE p.flags <> '' AND p.status <> '`+string(frontline.StatusMovedOut)+`' AND p.household_id IN %s
		ORDER BY p.household_id, p.id`, sortedUnique(ids), func(sc interface{ Scan(...any) error }) error {
		var hh int64
		var r frontline.HomeResident
		var flags string
		if err := sc.Scan(&hh, &r.PersonID, &r.Name, &r.IDNumber, &flags); err != nil {
			return err
		}
		r.IDNumber, r.Flags = frontline.MaskIDNumber(r.IDNumber), splitFlags(flags)
		byID[hh].Vulnerable = append(byID[hh].Vulnerable, r)
		return nil
	})
}

// pathNames returns the name of every node on the given paths.
func (tx *Tx) pathNames(ctx context.Context, paths []string) (map[int64]string, error) {
	var ids []int64
	for _, p := range paths {
		ids = append(ids, frontline.PathIDs(p)...)
	}
	names := map[int64]string{}
	err := tx.eachRow(ctx, `SELECT id, name FROM places WHERE id IN %s`, sortedUnique(ids),
		func(sc interface{ Scan(...any) error }) error {
			var id int64
			var name string
			if err := sc.Scan(&id, &name); err != nil {
				return err
			}
			names[id] = name
			return nil
		})
	return names, err
}

// addressBelow joins the names of the nodes of path below the node at
// scope: "枣园小区 3号楼 2单元 301".
func addressBelow(names map[int64]string, scope, path string) string {
	ids := frontline.PathIDs(path)
	skip := len(frontline.PathIDs(scope))
	var parts []string
	for i, id := range ids {
		if i >= skip {
			parts = append(parts, names[id])
		}
	}
	return strings.Join(parts, " ")
}
