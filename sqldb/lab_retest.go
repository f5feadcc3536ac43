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

const retestColumns = `rt.id, rt.round_id, rt.person_id, p.name, p.flags, rt.household_id, m.path, st.code, rt.status,
	COALESCE(t.code, ''), rt.result, rt.created_at, rt.sampled_at, rt.sampled_by, rt.done_at, sc.path`

const retestFrom = ` FROM retest_tasks rt JOIN round_members m ON m.round_id = rt.round_id AND m.person_id = rt.person_id
	JOIN persons p ON p.id = rt.person_id JOIN tubes st ON st.id = rt.source_tube_id LEFT JOIN tubes t ON t.id = rt.tube_id
	JOIN test_rounds r ON r.id = rt.round_id JOIN places sc ON sc.id = r.scope_id`

// FindRetests lists re-test tasks by household, each with the person's
// vulnerability flags and the household's address below the round's
// scope, and the total before paging.
func (s *LabService) FindRetests(ctx context.Context, f frontline.RetestFilter) ([]*frontline.RetestTask, int, error) {
	tx, err := s.db.readTx(ctx, retestReader(ctx))
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "rt.id = ?"), append(args, *f.ID)
	}
	if f.RoundID != nil {
		where, args = append(where, "rt.round_id = ?"), append(args, *f.RoundID)
	}
	if f.Status != nil {
		where, args = append(where, "rt.status = ?"), append(args, string(*f.Status))
	}
	if f.Under != nil {
		top, err := tx.findPlaceByID(ctx, *f.Under)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "m.path >= ? AND m.path < ?"), append(args, lo, hi)
	}
	where, args = andScope(ctx, "m.path", where, args)
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+retestFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+retestColumns+retestFrom+cond+` ORDER BY m.path, rt.person_id, rt.id`+
		limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*frontline.RetestTask, 0)
	var paths, scopes []string
	for rows.Next() {
		var t frontline.RetestTask
		var flags, path, scope string
		if err := rows.Scan(&t.ID, &t.RoundID, &t.PersonID, &t.PersonName, &flags, &t.HouseholdID, &path, &t.SourceTube,
			&t.Status, &t.TubeCode, &t.Result, &t.CreatedAt, nullTimeDest{&t.SampledAt}, &t.SampledBy,
			nullTimeDest{&t.DoneAt}, &scope); err != nil {
			return nil, 0, err
		}
		t.Flags, t.CreatedAt = splitFlags(flags), t.CreatedAt.UTC()
		out, paths, scopes = append(out, &t), append(paths, path), append(scopes, scope)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	names, err := tx.pathNames(ctx, paths)
	if err != nil {
		return nil, 0, err
	}
	for i, t := range out {
		t.Address = addressBelow(names, scopes[i], paths[i])
	}
	return out, total, nil
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
