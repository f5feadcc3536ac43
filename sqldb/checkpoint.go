package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.CheckpointService = (*CheckpointService)(nil)

// CheckpointService stores checkpoints, their setup, materials, shifts and
// passages.
type CheckpointService struct {
	db *DB
	// Settings are the checks every checkpoint makes; DefaultEntrySettings
	// unless the deployment sets its own.
	Settings frontline.EntrySettings
	// Location is the time zone opening hours are written in; China
	// Standard Time unless the deployment sets its own, as web.Server's.
	Location *time.Location
}

// NewCheckpointService returns a CheckpointService on db with the default
// entry settings, reading opening hours in China Standard Time.
func NewCheckpointService(db *DB) *CheckpointService {
	return &CheckpointService{db: db, Settings: frontline.DefaultEntrySettings, Location: db.Location}
}

const checkpointSelect = `SELECT c.id, c.place_id, c.name, c.location, c.type, c.hours, c.status, c.created_at, c.created_by,
	c.updated_at, p.id, COALESCE(p.parent_id, 0), p.kind, p.name, p.code, p.path, p.households, p.residents, p.vulnerable,
	p.created_at, p.updated_at
	FROM checkpoints c JOIN places p ON p.id = c.place_id`

func scanCheckpoint(sc interface{ Scan(...any) error }) (*frontline.Checkpoint, error) {
	var c frontline.Checkpoint
	var p frontline.Place
	if err := sc.Scan(&c.ID, &c.PlaceID, &c.Name, &c.Location, &c.Type, &c.Hours, &c.Status, &c.CreatedAt, &c.CreatedBy,
		&c.UpdatedAt, &p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path, &p.Households, &p.Residents, &p.Vulnerable,
		&p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt, c.Place = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), &p
	return &c, nil
}

func (tx *Tx) queryCheckpoints(ctx context.Context, where string, args ...any) ([]*frontline.Checkpoint, error) {
	rows, err := tx.QueryContext(ctx, checkpointSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Checkpoint{}
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// findCheckpoint returns a checkpoint of a node inside the caller's scope.
func (tx *Tx) findCheckpoint(ctx context.Context, id int64) (*frontline.Checkpoint, error) {
	cs, err := tx.queryCheckpoints(ctx, `c.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 || !visible(ctx, cs[0].Place.Path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "checkpoint %d not found", id)
	}
	return cs[0], nil
}

func checkpointFields(c *frontline.Checkpoint) map[string]any {
	return map[string]any{"place_id": c.PlaceID, "name": c.Name, "location": c.Location, "type": c.Type,
		"hours": c.Hours, "status": c.Status}
}

// CreateCheckpoint adds a checkpoint being set up on the boundary of a
// node, with its checklist.
func (s *CheckpointService) CreateCheckpoint(ctx context.Context, c *frontline.Checkpoint) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c.Status = frontline.CheckpointSettingUp
	if err := c.Validate(); err != nil {
		return err
	}
	place, err := tx.findPlaceByID(ctx, c.PlaceID)
	if err != nil {
		return err
	}
	if place.Kind == frontline.KindUnit || place.Kind == frontline.KindHousehold {
		return frontline.FieldError("place_id", "a checkpoint guards a community, compound or building, not a %s", place.Kind)
	}
	items := c.Checklist
	if len(items) == 0 {
		if items, err = tx.checklistTemplate(ctx); err != nil {
			return err
		}
	}
	by := frontline.ActorFrom(ctx).String()
	c.Place, c.CreatedAt, c.UpdatedAt, c.CreatedBy = place, tx.now, tx.now, by
	if err := tx.QueryRowContext(ctx, `INSERT INTO checkpoints (place_id, name, location, type, hours, status, created_at,
		created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, place.ID, c.Name, c.Location, string(c.Type),
		c.Hours, string(c.Status), tx.now, by, tx.now).Scan(&c.ID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: place.Name + " already has a checkpoint named " + c.Name, Err: err}
		}
		return err
	}
	post := &frontline.Post{PlaceID: place.ID, Kind: frontline.PostCheckpoint, Name: c.Name, Location: c.Location,
		CheckpointID: c.ID, MeetsResidents: true}
	if err := tx.createPost(ctx, post); err != nil {
		return err
	}
	c.PostID = post.ID
	after := checkpointFields(c)
	after["items"] = len(items)
	if err := tx.audit(ctx, "create", "checkpoint", c.ID, place.Path, nil, after); err != nil {
		return err
	}
	c.Checklist = make([]*frontline.ChecklistItem, 0, len(items))
	for _, it := range items {
		it.CheckpointID, it.Position = c.ID, 0
		if err := tx.addItem(ctx, c, it); err != nil {
			return err
		}
		c.Checklist = append(c.Checklist, it)
	}
	return tx.Commit()
}

// FindCheckpointByID returns a checkpoint with its checklist (what is on
// hand of each material) and the shifts not yet over.
func (s *CheckpointService) FindCheckpointByID(ctx context.Context, id int64) (*frontline.Checkpoint, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, tx.fillSetup(ctx, c)
}

// fillSetup reads a checkpoint's checklist and the shifts of its post not
// yet over.
func (tx *Tx) fillSetup(ctx context.Context, c *frontline.Checkpoint) error {
	lists, err := tx.checklists(ctx, []int64{c.ID})
	if err != nil {
		return err
	}
	c.Checklist = lists[c.ID]
	post, err := tx.checkpointPost(ctx, c.ID)
	if err != nil {
		return err
	}
	c.PostID = post.ID
	c.Shifts, err = tx.loadShifts(ctx, `s.post_id = ? AND s.ends_at > ?`, post.ID, tx.timeArg())
	return err
}

// FindCheckpoints returns matching checkpoints by node path and name.
func (s *CheckpointService) FindCheckpoints(ctx context.Context, f frontline.CheckpointFilter) ([]*frontline.Checkpoint, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := f.ID; v != nil {
		where, args = append(where, "c.id = ?"), append(args, *v)
	}
	if v := f.PlaceID; v != nil {
		where, args = append(where, "c.place_id = ?"), append(args, *v)
	}
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "p.path >= ? AND p.path < ?"), append(args, lo, hi)
	}
	if v := f.Status; v != nil {
		where, args = append(where, "c.status = ?"), append(args, string(*v))
	}
	where, args = andScope(ctx, "p.path", where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM checkpoints c JOIN places p ON p.id = c.place_id WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	cs, err := tx.queryCheckpoints(ctx, cond+` ORDER BY p.path, c.name`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	sortCheckpoints(cs)
	return cs, total, nil
}

// sortCheckpoints orders checkpoints by node, then naturally by name
// ("2号卡点" before "10号卡点").
func sortCheckpoints(cs []*frontline.Checkpoint) {
	slices.SortStableFunc(cs, func(a, b *frontline.Checkpoint) int {
		if c := strings.Compare(a.Place.Path, b.Place.Path); c != 0 {
			return c
		}
		return NaturalCompare(a.Name, b.Name)
	})
}

// UpdateCheckpoint changes a checkpoint's name, location, type or hours.
func (s *CheckpointService) UpdateCheckpoint(ctx context.Context, id int64, upd frontline.CheckpointUpdate) (*frontline.Checkpoint, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	before := checkpointFields(c)
	if upd.Name != nil {
		c.Name = *upd.Name
	}
	if upd.Location != nil {
		c.Location = *upd.Location
	}
	if upd.Type != nil {
		c.Type = *upd.Type
	}
	if upd.Hours != nil {
		c.Hours = *upd.Hours
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE checkpoints SET name = ?, location = ?, type = ?, hours = ?, updated_at = ? WHERE id = ?`,
		c.Name, c.Location, string(c.Type), c.Hours, tx.now, c.ID); err != nil {
		return nil, err
	}
	b, a := changedFields(before, checkpointFields(c))
	if err := tx.audit(ctx, "update", "checkpoint", c.ID, c.Place.Path, b, a); err != nil {
		return nil, err
	}
	if err := tx.syncCheckpointPost(ctx, c); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// SetCheckpointStatus moves a checkpoint to a status. Opening needs every
// checklist item ready and a shift with a leader on duty now or later: a
// post without a tent, a stove or a named person in charge is not open,
// whatever anyone reports upward.
func (s *CheckpointService) SetCheckpointStatus(ctx context.Context, id int64, status frontline.CheckpointStatus) (*frontline.Checkpoint, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if frontline.CheckpointStatusLabels[status] == "" {
		return nil, frontline.FieldError("status", "unknown checkpoint status %q", status)
	}
	if err := tx.fillSetup(ctx, c); err != nil {
		return nil, err
	}
	if status == c.Status {
		return c, nil
	}
	if status == frontline.CheckpointOpen {
		if err := frontline.FindSetupGaps(c.Checklist, c.Shifts, tx.now).Error(); err != nil {
			return nil, err
		}
	}
	before := c.Status
	c.Status, c.UpdatedAt = status, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE checkpoints SET status = ?, updated_at = ? WHERE id = ?`, string(status), tx.now, c.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "status", "checkpoint", c.ID, c.Place.Path,
		map[string]any{"status": before}, map[string]any{"status": status}); err != nil {
		return nil, err
	}
	if err := tx.syncCheckpointPost(ctx, c); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}
