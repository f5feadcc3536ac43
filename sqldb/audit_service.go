package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

var _ frontline.AuditService = (*AuditService)(nil)

// AuditService appends events to the audit log.
type AuditService struct{ db *DB }

// NewAuditService returns an AuditService on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// Record appends c, filling who and when from ctx and the clock.
func (s *AuditService) Record(ctx context.Context, c *frontline.Change) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	path := ""
	if c.Entity == "place" {
		if p, err := tx.findPlaceByID(ctx, c.EntityID); err == nil {
			path = p.Path
		}
	}
	if err := tx.audit(ctx, c.Action, c.Entity, c.EntityID, path, c.Before, c.After); err != nil {
		return err
	}
	a := frontline.ActorFrom(ctx)
	c.At, c.Actor, c.UserID, c.Addr = tx.now, a.String(), a.UserID, a.Addr
	return tx.Commit()
}
