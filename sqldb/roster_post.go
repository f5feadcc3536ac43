package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.RosterService = (*RosterService)(nil)

// RosterService stores posts, their shifts and who is on them, and checks
// every assignment against the roster rules.
type RosterService struct {
	db *DB
	// Location is the time zone days are written in (availability, duty
	// tables); China Standard Time unless the deployment sets its own.
	Location *time.Location
}

// NewRosterService returns a RosterService on db reading days in China
// Standard Time.
func NewRosterService(db *DB) *RosterService {
	return &RosterService{db: db, Location: time.FixedZone("CST", 8*60*60)}
}

var postSelect = `SELECT o.id, o.place_id, o.kind, o.name, o.location, COALESCE(o.checkpoint_id, 0), o.meets_residents,
	COALESCE(o.leader_id, 0), COALESCE(l.name, ''), COALESCE(l.phone, ''), o.retired, o.created_at, o.created_by, o.updated_at, ` + placeColumnsP + `
	FROM posts o JOIN places p ON p.id = o.place_id LEFT JOIN workers l ON l.id = o.leader_id`

func scanPost(sc interface{ Scan(...any) error }) (*frontline.Post, error) {
	var o frontline.Post
	var p frontline.Place
	if err := sc.Scan(&o.ID, &o.PlaceID, &o.Kind, &o.Name, &o.Location, &o.CheckpointID, &o.MeetsResidents, &o.LeaderID,
		&o.LeaderName, &o.LeaderPhone, &o.Retired, &o.CreatedAt, &o.CreatedBy, &o.UpdatedAt,
		&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path, &p.Households, &p.Residents, &p.Vulnerable,
		&p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt, o.Place = o.CreatedAt.UTC(), o.UpdatedAt.UTC(), &p
	return &o, nil
}

func (tx *Tx) queryPosts(ctx context.Context, where string, args ...any) ([]*frontline.Post, error) {
	rows, err := tx.QueryContext(ctx, postSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Post{}
	for rows.Next() {
		o, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// findPost returns a post in the caller's scope.
func (tx *Tx) findPost(ctx context.Context, id int64) (*frontline.Post, error) {
	ps, err := tx.queryPosts(ctx, `o.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 || !visible(ctx, ps[0].Place.Path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "post %d not found", id)
	}
	return ps[0], nil
}

func postFields(o *frontline.Post) map[string]any {
	return map[string]any{"place_id": o.PlaceID, "kind": o.Kind, "name": o.Name, "location": o.Location,
		"checkpoint_id": o.CheckpointID, "meets_residents": o.MeetsResidents, "leader_id": o.LeaderID, "retired": o.Retired}
}

// CreatePost adds a post serving a node in the caller's scope.
func (s *RosterService) CreatePost(ctx context.Context, o *frontline.Post) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if o.CheckpointID != 0 {
		return frontline.FieldError("checkpoint_id", "a checkpoint gets its post when it is created")
	}
	if err := tx.createPost(ctx, o); err != nil {
		return err
	}
	return tx.Commit()
}

// createPost adds a post; CheckpointService calls it for each new
// checkpoint, in its own transaction.
func (tx *Tx) createPost(ctx context.Context, o *frontline.Post) error {
	if err := o.Validate(); err != nil {
		return err
	}
	place, err := tx.findPlaceByID(ctx, o.PlaceID)
	if err != nil {
		return err
	}
	if place.Retired() {
		return retired(place)
	}
	if o.LeaderID != 0 {
		if _, err := tx.findWorker(ctx, o.LeaderID); err != nil {
			return &frontline.Error{Code: frontline.ENOTFOUND, Field: "leader_id", Message: frontline.ErrorMessage(err)}
		}
	}
	by := frontline.ActorFrom(ctx).String()
	o.Place, o.CreatedAt, o.UpdatedAt, o.CreatedBy = place, tx.now, tx.now, by
	if err := tx.QueryRowContext(ctx, `INSERT INTO posts (place_id, kind, name, location, checkpoint_id, meets_residents,
		leader_id, retired, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		place.ID, string(o.Kind), o.Name, o.Location, nullID(o.CheckpointID), o.MeetsResidents, nullID(o.LeaderID), o.Retired,
		tx.now, by, tx.now).Scan(&o.ID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: place.Name + " already has a post named " + o.Name, Err: err}
		}
		return err
	}
	return tx.audit(ctx, "create", "post", o.ID, place.Path, nil, postFields(o))
}

// checkpointPost returns the post of a checkpoint.
func (tx *Tx) checkpointPost(ctx context.Context, checkpointID int64) (*frontline.Post, error) {
	ps, err := tx.queryPosts(ctx, `o.checkpoint_id = ?`, checkpointID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "checkpoint %d has no post", checkpointID)
	}
	return ps[0], nil
}

// syncCheckpointPost keeps a checkpoint's post named and placed as the
// checkpoint, and retired while it is closed.
func (tx *Tx) syncCheckpointPost(ctx context.Context, c *frontline.Checkpoint) error {
	_, err := tx.ExecContext(ctx, `UPDATE posts SET name = ?, location = ?, retired = ?, updated_at = ? WHERE checkpoint_id = ?`,
		c.Name, c.Location, c.Status == frontline.CheckpointClosed, tx.now, c.ID)
	return tx.db.translate(err)
}

// FindPostByID returns one post.
func (s *RosterService) FindPostByID(ctx context.Context, id int64) (*frontline.Post, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findPost(ctx, id)
}

// FindPosts returns matching posts by node, then naturally by name.
func (s *RosterService) FindPosts(ctx context.Context, f frontline.PostFilter) ([]*frontline.Post, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args, err := tx.postWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts o JOIN places p ON p.id = o.place_id WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	ps, err := tx.queryPosts(ctx, cond+` ORDER BY p.path, o.name`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	sortPosts(ps)
	return ps, total, nil
}

func (tx *Tx) postWhere(ctx context.Context, f frontline.PostFilter) ([]string, []any, error) {
	where, args, err := tx.andUnder(ctx, f.Under, "p.path", []string{"1 = 1"}, []any{})
	if err != nil {
		return nil, nil, err
	}
	if v := f.ID; v != nil {
		where, args = append(where, "o.id = ?"), append(args, *v)
	}
	if v := f.Kind; v != nil {
		where, args = append(where, "o.kind = ?"), append(args, string(*v))
	}
	if v := f.CheckpointID; v != nil {
		where, args = append(where, "o.checkpoint_id = ?"), append(args, *v)
	}
	if !f.WithRetired {
		where = append(where, "NOT o.retired")
	}
	where, args = andScope(ctx, "p.path", where, args)
	return where, args, nil
}

// sortPosts orders posts by node, then naturally by name ("2号卡点"
// before "10号卡点").
func sortPosts(ps []*frontline.Post) {
	slices.SortStableFunc(ps, func(a, b *frontline.Post) int {
		if c := strings.Compare(a.Place.Path, b.Place.Path); c != 0 {
			return c
		}
		return NaturalCompare(a.Name, b.Name)
	})
}

// UpdatePost changes a post. A checkpoint's post takes its name and
// location from the checkpoint.
func (s *RosterService) UpdatePost(ctx context.Context, id int64, upd frontline.PostUpdate) (*frontline.Post, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	o, err := tx.findPost(ctx, id)
	if err != nil {
		return nil, err
	}
	before := postFields(o)
	if o.CheckpointID != 0 && (upd.Name != nil || upd.Location != nil || upd.Retired != nil) {
		return nil, frontline.FieldError("name", "a checkpoint's post is named, placed and closed with the checkpoint")
	}
	if upd.Name != nil {
		o.Name = *upd.Name
	}
	if upd.Location != nil {
		o.Location = *upd.Location
	}
	if upd.MeetsResidents != nil {
		o.MeetsResidents = *upd.MeetsResidents
	}
	if upd.Retired != nil {
		o.Retired = *upd.Retired
	}
	if upd.LeaderID != nil {
		o.LeaderID, o.LeaderName, o.LeaderPhone = *upd.LeaderID, "", ""
		if o.LeaderID != 0 {
			w, err := tx.findWorker(ctx, o.LeaderID)
			if err != nil {
				return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "leader_id", Message: frontline.ErrorMessage(err)}
			}
			o.LeaderName, o.LeaderPhone = w.Name, w.Phone
		}
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET name = ?, location = ?, meets_residents = ?, leader_id = ?, retired = ?,
		updated_at = ? WHERE id = ?`, o.Name, o.Location, o.MeetsResidents, nullID(o.LeaderID), o.Retired, tx.now, o.ID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: o.Place.Name + " already has a post named " + o.Name, Err: err}
		}
		return nil, err
	}
	b, a := changedFields(before, postFields(o))
	if len(a) > 0 {
		if err := tx.audit(ctx, "update", "post", o.ID, o.Place.Path, b, a); err != nil {
			return nil, err
		}
	}
	return o, tx.Commit()
}
