package sqldb

import (
	"cmp"
	"context"
	"slices"

	"github.com/frontline-org/frontline"
)

// UpdatePerson edits a person. Marking them moved out is an update of
// their status; the counts of their household's ancestors follow.
func (s *PersonService) UpdatePerson(ctx context.Context, id int64, upd frontline.PersonUpdate) (*frontline.Person, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPersonByID(ctx, id)
	if err != nil {
		return nil, err
	}
	old := *p
	upd.Apply(p)
	// A changed ID number re-derives sex and birth date unless given.
	if upd.IDNumber != nil && upd.Sex == nil && upd.BirthDate == nil && p.IDType == frontline.IDMainland {
		p.Sex, p.BirthDate = "", ""
	}
	if err := p.Validate(tx.now); err != nil {
		return nil, err
	}
	if p.IDNumber != old.IDNumber || p.IDType != old.IDType {
		if err := tx.checkIDNumberFree(ctx, p); err != nil {
			return nil, err
		}
	}
	before, after := changedFields(auditFields(&old), auditFields(p))
	if len(after) == 0 && p.IDNumber == old.IDNumber && p.Phone == old.Phone {
		return p, nil
	}
	p.UpdatedAt, p.UpdatedBy = tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `
		UPDATE persons SET name = ?, sex = ?, birth_date = ?, id_type = ?, id_number = ?, id_tail = ?, phone = ?,
			relation = ?, flags = ?, status = ?, updated_at = ?, updated_by = ?
		WHERE id = ?`,
		p.Name, string(p.Sex), p.BirthDate, string(p.IDType), p.IDNumber, idTail(p.IDNumber), p.Phone,
		string(p.Relation), joinFlags(p.Flags), string(p.Status), p.UpdatedAt, p.UpdatedBy, p.ID); err != nil {
		return nil, err
	}
	if err := tx.addCounts(ctx, p.Household.Path, personCounts(p).sub(personCounts(&old)), false); err != nil {
		return nil, err
	}
	action := "update"
	if p.Status == frontline.StatusMovedOut && old.Status != frontline.StatusMovedOut {
		action = "move_out"
	}
	if err := tx.audit(ctx, action, "person", p.ID, p.Household.Path, before, after); err != nil {
		return nil, err
	}
	if err := tx.contactIfGuarded(ctx, p, p.Household); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// MovePerson moves a person to another household; the counts move with
// them. For a principal both households must be inside their scope.
func (s *PersonService) MovePerson(ctx context.Context, id, householdID int64) (*frontline.Person, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPersonByID(ctx, id)
	if err != nil {
		return nil, err
	}
	to, err := tx.liveHousehold(ctx, householdID)
	if err != nil {
		return nil, err
	}
	if to.ID == p.HouseholdID {
		return p, nil
	}
	from := p.Household
	c := personCounts(p)
	if err := tx.addCounts(ctx, from.Path, c.neg(), false); err != nil {
		return nil, err
	}
	if err := tx.addCounts(ctx, to.Path, c, false); err != nil {
		return nil, err
	}
	p.HouseholdID, p.Household = to.ID, to
	p.UpdatedAt, p.UpdatedBy = tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE persons SET household_id = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
		to.ID, p.UpdatedAt, p.UpdatedBy, p.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "move", "person", p.ID, to.Path,
		map[string]any{"household_id": from.ID, "path": from.Path},
		map[string]any{"household_id": to.ID, "path": to.Path}); err != nil {
		return nil, err
	}
	if err := tx.contactIfGuarded(ctx, p, to); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// RevealPerson returns a person for showing their full ID number and phone,
// and records the reveal in the audit log in the same transaction: a
// reveal that cannot be recorded does not happen.
func (s *PersonService) RevealPerson(ctx context.Context, id int64) (*frontline.Person, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermRevealPerson)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPersonByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "reveal", "person", p.ID, p.Household.Path, nil,
		map[string]any{"fields": "id_number,phone"}); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// PersonHistory returns the recorded changes of a person, newest first.
func (s *PersonService) PersonHistory(ctx context.Context, id int64) ([]*frontline.Change, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findPersonByID(ctx, id); err != nil {
		return nil, err
	}
	out, err := tx.changes(ctx, "person", id)
	if err != nil {
		return nil, err
	}
	// A survivor's history holds the history of each person merged into
	// them (and of those merged into those).
	merged, err := tx.mergedInto(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, m := range merged {
		more, err := tx.changes(ctx, "person", m)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	slices.SortStableFunc(out, func(a, b *frontline.Change) int { return cmp.Compare(b.ID, a.ID) })
	return out, nil
}

// mergedInto returns the persons merged into id, directly or through
// others.
func (tx *Tx) mergedInto(ctx context.Context, id int64) ([]int64, error) {
	var out []int64
	for next := []int64{id}; len(next) > 0; {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM persons WHERE merged_into IN `+inList(len(next)), int64Args(next)...)
		if err != nil {
			return nil, err
		}
		next = next[:0:0]
		for rows.Next() {
			var m int64
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return nil, err
			}
			next = append(next, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out = append(out, next...)
	}
	return out, nil
}

// WalkPersons streams the matching persons in household order.
func (s *PersonService) WalkPersons(ctx context.Context, f frontline.PersonFilter, fn func(*frontline.Person) error) error {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	f.Offset, f.Limit = 0, 0
	cond, args, _, err := tx.personWhere(ctx, f)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+`, `+placeColumnsOf("h")+personFrom+cond+` ORDER BY h.path, p.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPersonWithHousehold(rows)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}
