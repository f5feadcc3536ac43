package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.ResponsibilityService = (*ResponsibilityService)(nil)

// chinaTime is the zone "today" is read in where a service has no
// location of its own: China Standard Time, where Frontline is used.
var chinaTime = time.FixedZone("CST", 8*60*60)

// ResponsibilityService gives households their responsible workers
// (包户到人) and answers who they are.
//
// A responsibility is stored on a node, so a grid worker given a compound
// is one row, not a thousand; a household's is the deepest on its path,
// read the way effective zone levels are: the ids on the paths, one IN
// list, resolved in memory.
type ResponsibilityService struct {
	db *DB
	// Location is the time zone "today" is in, for who is off.
	Location *time.Location
}

// NewResponsibilityService returns a ResponsibilityService on db.
func NewResponsibilityService(db *DB) *ResponsibilityService {
	return &ResponsibilityService{db: db, Location: time.FixedZone("CST", 8*60*60)}
}

// responsibleKinds are the nodes a worker may be given: a community and
// what lies under it.
var responsibleKinds = []frontline.PlaceKind{frontline.KindCommunity, frontline.KindCompound, frontline.KindBuilding,
	frontline.KindUnit, frontline.KindHousehold}

// SetResponsible gives a node to a worker, with an optional cover.
func (s *ResponsibilityService) SetResponsible(ctx context.Context, placeID, workerID, coverID int64) (*frontline.Responsibility, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	if place.Retired() {
		return nil, retired(place)
	}
	if !slices.Contains(responsibleKinds, place.Kind) {
		return nil, frontline.FieldError("place_id", "a worker is responsible for a community, compound, building, unit or household, not a %s", place.Kind)
	}
	w, err := tx.findWorker(ctx, workerID)
	if err != nil {
		return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "worker_id", Message: frontline.ErrorMessage(err)}
	}
	if w.Retired {
		return nil, frontline.FieldError("worker_id", "%s no longer works", w.Name)
	}
	r := &frontline.Responsibility{PlaceID: place.ID, Place: place, WorkerID: w.ID, WorkerName: w.Name, SetAt: tx.now,
		SetBy: frontline.ActorFrom(ctx).String()}
	if coverID != 0 {
		if coverID == w.ID {
			return nil, frontline.FieldError("cover_id", "a worker cannot cover for themselves")
		}
		c, err := tx.findWorker(ctx, coverID)
		if err != nil {
			return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "cover_id", Message: frontline.ErrorMessage(err)}
		}
		r.CoverID, r.CoverName = c.ID, c.Name
	}
	before, err := tx.responsibilityFields(ctx, place.ID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO responsibilities (place_id, worker_id, cover_id, set_at, set_by)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (place_id) DO UPDATE SET worker_id = excluded.worker_id, cover_id = excluded.cover_id,
		set_at = excluded.set_at, set_by = excluded.set_by`, place.ID, w.ID, nullID(r.CoverID), tx.now, r.SetBy); err != nil {
		return nil, tx.db.translate(err)
	}
	if err := tx.audit(ctx, "set", "responsibility", place.ID, place.Path, before,
		map[string]any{"worker_id": w.ID, "worker": w.Name, "cover_id": r.CoverID}); err != nil {
		return nil, err
	}
	return r, tx.Commit()
}

// responsibilityFields returns what a node's responsibility is, nil for
// none, for the audit log.
func (tx *Tx) responsibilityFields(ctx context.Context, placeID int64) (map[string]any, error) {
	var worker, cover int64
	err := tx.QueryRowContext(ctx, `SELECT worker_id, COALESCE(cover_id, 0) FROM responsibilities WHERE place_id = ?`, placeID).Scan(&worker, &cover)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return map[string]any{"worker_id": worker, "cover_id": cover}, err
}

// ClearResponsible takes a node's responsibility away.
func (s *ResponsibilityService) ClearResponsible(ctx context.Context, placeID int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return err
	}
	before, err := tx.responsibilityFields(ctx, place.ID)
	if err != nil || before == nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM responsibilities WHERE place_id = ?`, place.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "clear", "responsibility", place.ID, place.Path, before, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// FindResponsibilities returns the responsibilities at or under a node,
// and those of the nodes above it in the caller's scope, in path order.
func (s *ResponsibilityService) FindResponsibilities(ctx context.Context, under int64) ([]*frontline.Responsibility, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, under)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(node.Path)
	ids := frontline.PathIDs(node.Path)
	where, args := andScope(ctx, "p.path", []string{"(p.path >= ? AND p.path < ? OR p.id IN " + inList(len(ids)) + ")"},
		append([]any{lo, hi}, int64Args(ids)...))
	rows, err := tx.QueryContext(ctx, `SELECT r.place_id, r.worker_id, w.name, COALESCE(r.cover_id, 0), COALESCE(c.name, ''),
		r.set_at, r.set_by, `+placeColumnsP+` FROM responsibilities r JOIN places p ON p.id = r.place_id
		JOIN workers w ON w.id = r.worker_id LEFT JOIN workers c ON c.id = r.cover_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY p.path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Responsibility{}
	for rows.Next() {
		var r frontline.Responsibility
		var p frontline.Place
		if err := rows.Scan(&r.PlaceID, &r.WorkerID, &r.WorkerName, &r.CoverID, &r.CoverName, &r.SetAt, &r.SetBy,
			&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path, &p.Households, &p.Residents, &p.Vulnerable,
			&p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, err
		}
		r.SetAt, r.Place = r.SetAt.UTC(), &p
		out = append(out, &r)
	}
	return out, rows.Err()
}

// ResponsibleWorkers returns each node's responsible worker and who acts
// for them today.
func (s *ResponsibilityService) ResponsibleWorkers(ctx context.Context, householdIDs []int64) (map[int64]*frontline.ResponsibleWorker, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	paths, err := tx.placePaths(ctx, householdIDs)
	if err != nil {
		return nil, err
	}
	return tx.responsibleFor(ctx, paths, localDay(tx.now, s.Location))
}

// respRow is one stored responsibility.
type respRow struct{ worker, cover int64 }

// responsibleFor answers ResponsibleWorkers for nodes given by path, on
// day: the deepest responsibility on each path; when its worker is off,
// its cover, else the next responsibility up the path with someone
// available. Workers are named whatever the caller's scope: a cadre of the
// subdistrict's pool responsible for a building is shown to its grid
// worker.
func (tx *Tx) responsibleFor(ctx context.Context, paths map[int64]string, day string) (map[int64]*frontline.ResponsibleWorker, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, path := range paths {
		for _, id := range frontline.PathIDs(path) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	resp := map[int64]respRow{}
	workerIDs := map[int64]bool{}
	if err := tx.eachRow(ctx, `SELECT place_id, worker_id, COALESCE(cover_id, 0) FROM responsibilities WHERE place_id IN %s`, ids,
		func(rows interface{ Scan(...any) error }) error {
			var id int64
			var r respRow
			if err := rows.Scan(&id, &r.worker, &r.cover); err != nil {
				return err
			}
			resp[id], workerIDs[r.worker] = r, true
			if r.cover != 0 {
				workerIDs[r.cover] = true
			}
			return nil
		}); err != nil {
		return nil, err
	}
	workers := map[int64]*frontline.Worker{}
	for chunk := range slices.Chunk(slices.Sorted(maps.Keys(workerIDs)), maxInList) {
		ws, err := tx.queryWorkers(ctx, `w.id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			workers[w.ID] = w
		}
	}
	out := make(map[int64]*frontline.ResponsibleWorker, len(paths))
	for id, path := range paths {
		out[id] = resolveResponsible(id, frontline.PathIDs(path), resp, workers, day)
	}
	return out, nil
}

// resolveResponsible walks a node's path from the node up.
func resolveResponsible(id int64, path []int64, resp map[int64]respRow, workers map[int64]*frontline.Worker, day string) *frontline.ResponsibleWorker {
	rw := &frontline.ResponsibleWorker{HouseholdID: id}
	available := func(wid int64) *frontline.Worker {
		if w := workers[wid]; w != nil && w.AvailableOn(day) {
			return w
		}
		return nil
	}
	for i := len(path) - 1; i >= 0; i-- {
		r, ok := resp[path[i]]
		if !ok || workers[r.worker] == nil {
			continue
		}
		if rw.Worker == nil {
			rw.Worker, rw.ViaPlaceID = workerRef(workers[r.worker]), path[i]
			if available(r.worker) != nil {
				return rw
			}
			rw.Off = true
			if c := available(r.cover); c != nil {
				rw.Cover = workerRef(c)
				return rw
			}
			continue
		}
		// Someone up the path covers for the worker who is off.
		for _, wid := range []int64{r.worker, r.cover} {
			if c := available(wid); c != nil && c.ID != rw.Worker.ID {
				rw.Cover = workerRef(c)
				return rw
			}
		}
	}
	return rw
}

func workerRef(w *frontline.Worker) *frontline.WorkerRef {
	return &frontline.WorkerRef{ID: w.ID, Name: w.Name, Phone: w.Phone, Kind: w.Kind, Unit: w.Unit, UserID: w.UserID}
}

// Unassigned returns the households at or under a node without a
// responsible worker, in path order, up to limit, and how many there are.
func (s *ResponsibilityService) Unassigned(ctx context.Context, under int64, limit int) ([]*frontline.Place, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, under)
	if err != nil {
		return nil, 0, err
	}
	ids := frontline.PathIDs(node.Path)
	var above int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM responsibilities WHERE place_id IN `+inList(len(ids)),
		int64Args(ids)...).Scan(&above); err != nil {
		return nil, 0, err
	}
	out := []*frontline.Place{}
	if above > 0 {
		return out, 0, nil
	}
	lo, hi := subtreeRange(node.Path)
	var covered []string
	rows, err := tx.QueryContext(ctx, `SELECT p.path FROM responsibilities r JOIN places p ON p.id = r.place_id
		WHERE p.path >= ? AND p.path < ? ORDER BY p.path`, lo, hi)
	if err != nil {
		return nil, 0, err
	}
	for rows.Next() {
		var path string
		if err := rows.Scan(&path); err != nil {
			rows.Close()
			return nil, 0, err
		}
		// Sorted by path, a node under one kept already adds nothing:
		// what is kept has no path under another, as coveredBy needs.
		if n := len(covered); n == 0 || !strings.HasPrefix(path, covered[n-1]) {
			covered = append(covered, path)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	hrows, err := tx.QueryContext(ctx, `SELECT `+placeColumns+` FROM places WHERE kind = ? AND path >= ? AND path < ?
		AND retired_at IS NULL ORDER BY path`,
		string(frontline.KindHousehold), lo, hi)
	if err != nil {
		return nil, 0, err
	}
	defer hrows.Close()
	total := 0
	for hrows.Next() {
		h, err := scanPlace(hrows)
		if err != nil {
			return nil, 0, err
		}
		if coveredBy(covered, h.Path) {
			continue
		}
		total++
		if len(out) < limit {
			out = append(out, h)
		}
	}
	return out, total, hrows.Err()
}

// coveredBy reports whether path lies at or under one of the sorted
// paths, none of which lies under another: the one that could hold it is
// the last not after it.
func coveredBy(sorted []string, path string) bool {
	i, _ := slices.BinarySearch(sorted, path)
	if i < len(sorted) && sorted[i] == path {
		return true
	}
	return i > 0 && strings.HasPrefix(path, sorted[i-1])
}
