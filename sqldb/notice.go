package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.NoticeOptOutService = (*NoticeOptOutService)(nil)

// NoticeOptOutService records the numbers that want no more notices.
type NoticeOptOutService struct{ db *DB }

// NewNoticeOptOutService returns a NoticeOptOutService on db.
func NewNoticeOptOutService(db *DB) *NoticeOptOutService { return &NoticeOptOutService{db: db} }

// residentWith finds a resident of the caller's scope with the mobile
// number phone, returning the number normalized and the household's path
// (for the audit log): ENOTFOUND when nobody in scope has it, so a caller
// learns nothing of numbers outside their area.
func (tx *Tx) residentWith(ctx context.Context, phone string) (string, string, error) {
	p, ok := frontline.MobilePhone(phone)
	if !ok {
		return "", "", frontline.FieldError("phone", "%s is not a mobile number; only mobile numbers receive notices", frontline.MaskPhone(phone))
	}
	where, args := []string{"p.phone = ?"}, []any{p}
	where, args = andScope(ctx, "h.path", where, args)
	var path string
	err := tx.QueryRowContext(ctx, `SELECT h.path FROM persons p JOIN places h ON h.id = p.household_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id LIMIT 1`, args...).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", &frontline.Error{Code: frontline.ENOTFOUND, Field: "phone", Message: "no resident of your area has this number"}
	}
	return p, path, err
}

// OptOut implements frontline.NoticeOptOutService.
func (s *NoticeOptOutService) OptOut(ctx context.Context, phone, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	if err := frontline.CheckText("reason", reason); err != nil {
		return 0, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	p, path, err := tx.residentWith(ctx, phone)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO notice_optouts (phone, reason, created_at, created_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (phone) DO NOTHING`, p, reason, tx.now, frontline.ActorFrom(ctx).String())
	if err != nil {
		return 0, err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return 0, tx.Commit() // already opted out: the notices were withdrawn then
	}
	res, err = tx.ExecContext(ctx, `UPDATE outbox SET status = ? WHERE recipient = ? AND channel = ? AND status = ?`,
		string(frontline.NoticeCancelled), p, frontline.SMSChannel, string(frontline.NoticePending))
	if err != nil {
		return 0, err
	}
	withdrawn, _ := res.RowsAffected()
	if err := tx.audit(ctx, "notice_opt_out", "phone", 0, path, nil,
		map[string]any{"phone": frontline.MaskPhone(p), "reason": reason, "withdrawn": withdrawn}); err != nil {
		return 0, err
	}
	return int(withdrawn), tx.Commit()
}

// OptIn implements frontline.NoticeOptOutService.
func (s *NoticeOptOutService) OptIn(ctx context.Context, phone string) error {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, path, err := tx.residentWith(ctx, phone)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM notice_optouts WHERE phone = ?`, p)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return &frontline.Error{Code: frontline.ENOTFOUND, Field: "phone", Message: "this number has not opted out"}
	}
	if err := tx.audit(ctx, "notice_opt_in", "phone", 0, path, map[string]any{"phone": frontline.MaskPhone(p)}, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// OptedOut implements frontline.NoticeOptOutService.
func (s *NoticeOptOutService) OptedOut(ctx context.Context, phone string) (bool, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	p, _, err := tx.residentWith(ctx, phone)
	if err != nil {
		return false, err
	}
	out, err := tx.optedOut(ctx, []string{p})
	return out[p], err
}

// optedOut returns which of phones opted out.
func (tx *Tx) optedOut(ctx context.Context, phones []string) (map[string]bool, error) {
	out := map[string]bool{}
	for chunk := range slices.Chunk(phones, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT phone FROM notice_optouts WHERE phone IN `+inList(len(chunk)), stringArgs(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, err
			}
			out[p] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// smsOn reports whether this server delivers SMS: notices to residents are
// written only then, since without a gateway they could only end dead.
func (tx *Tx) smsOn() bool { return slices.Contains(tx.db.Channels, frontline.SMSChannel) }

// householdPhones returns the mobile numbers on file of each household's
// residents (not those moved out), each once per household, without the
// numbers that opted out.
func (tx *Tx) householdPhones(ctx context.Context, households []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	var all []string
	for chunk := range slices.Chunk(households, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT household_id, phone FROM persons WHERE phone <> '' AND status <> ?
			AND household_id IN `+inList(len(chunk))+` ORDER BY household_id, id`,
			append([]any{string(frontline.StatusMovedOut)}, int64Args(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var hh int64
			var phone string
			if err := rows.Scan(&hh, &phone); err != nil {
				rows.Close()
				return nil, err
			}
			if p, ok := frontline.MobilePhone(phone); ok && !slices.Contains(out[hh], p) {
				out[hh] = append(out[hh], p)
				all = append(all, p)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	stop, err := tx.optedOut(ctx, all)
	if err != nil {
		return nil, err
	}
	for hh, phones := range out {
		out[hh] = slices.DeleteFunc(phones, func(p string) bool { return stop[p] })
	}
	return out, nil
}

// toHouseholds makes one SMS notice of n for each number on file in each
// household, in household order.
func (tx *Tx) toHouseholds(ctx context.Context, households []int64, n frontline.Notice) ([]*frontline.Notice, error) {
	phones, err := tx.householdPhones(ctx, households)
	if err != nil {
		return nil, err
	}
	var out []*frontline.Notice
	for _, hh := range households {
		for _, p := range phones[hh] {
			c := n
			c.Channel, c.Recipient = frontline.SMSChannel, p
			out = append(out, &c)
		}
	}
	return out, nil
}

// personTarget is a person a notice is about.
type personTarget struct {
	id, household int64
	name, phone   string
}

// toPersons makes notices about persons: each goes to the person's own
// mobile number, or, for a person without one (a child, an elderly
// resident), to the numbers on file of their household. A number that
// opted out gets nothing, and a person whose own number opted out is not
// reached through the others either. write makes the notice of one
// person (write); toPersons sets its channel and recipient.
func (tx *Tx) toPersons(ctx context.Context, persons []int64, write func(p personTarget) frontline.Notice) ([]*frontline.Notice, error) {
	var targets []personTarget
	var households []int64
	for chunk := range slices.Chunk(persons, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT id, household_id, name, phone FROM persons WHERE id IN `+inList(len(chunk))+` ORDER BY id`,
			int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t personTarget
			if err := rows.Scan(&t.id, &t.household, &t.name, &t.phone); err != nil {
				rows.Close()
				return nil, err
			}
			targets = append(targets, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var phones []string
	for i, t := range targets {
		p, ok := frontline.MobilePhone(t.phone)
		if !ok {
			// Reached through the household: only then are its
			// numbers read.
			p, households = "", append(households, t.household)
		}
		targets[i].phone = p
		phones = append(phones, p)
	}
	stop, err := tx.optedOut(ctx, phones)
	if err != nil {
		return nil, err
	}
	slices.Sort(households)
	byHousehold, err := tx.householdPhones(ctx, slices.Compact(households))
	if err != nil {
		return nil, err
	}
	var out []*frontline.Notice
	for _, t := range targets {
		to := byHousehold[t.household]
		switch {
		case t.phone != "" && stop[t.phone]:
			continue
		case t.phone != "":
			to = []string{t.phone}
		}
		for _, p := range to {
			n := write(t)
			n.Channel, n.Recipient = frontline.SMSChannel, p
			out = append(out, &n)
		}
	}
	return out, nil
}
