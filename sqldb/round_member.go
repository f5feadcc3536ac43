package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontline-org/frontline"
)

// memberRound begins a write transaction for a change of one member and
// returns the round, which must have opened.
func (s *RoundService) memberRound(ctx context.Context, roundID int64) (*Tx, *frontline.Round, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, nil, err
	}
	r, err := tx.findRound(ctx, roundID, false)
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	if r.Status == frontline.RoundDraft {
		tx.Rollback()
		return nil, nil, frontline.Errorf(frontline.ECONFLICT, "round %s has not opened yet", r.Name)
	}
	return tx, r, nil
}

// AddMember adds a person who moved in after the round opened, recording
// who added them and when; the expected counts grow with them.
func (s *RoundService) AddMember(ctx context.Context, roundID, personID int64) (*frontline.Member, error) {
	tx, r, err := s.memberRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPersonByID(ctx, personID)
	if err != nil {
		return nil, err
	}
	if !p.Counted() {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s has moved out", p.Name)
	}
	lo, hi := subtreeRange(r.Scope.Path)
	if p.Household.Path < lo || p.Household.Path >= hi {
		return nil, frontline.Errorf(frontline.EINVALID, "%s does not live under %s", p.Name, r.Scope.Name)
	}
	actor := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO round_members (round_id, person_id, household_id, path, status, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, p.ID, p.HouseholdID, p.Household.Path, string(frontline.MemberPending), actor, tx.now); err != nil {
		if frontline.ErrorCode(err) == frontline.ECONFLICT {
			return nil, frontline.Errorf(frontline.ECONFLICT, "%s is already in this round", p.Name)
		}
		return nil, err
	}
	rc := roundCounts{}
	rc.addPath(r.ID, r.Scope.Path, p.Household.Path, roundDelta{expected: 1})
	if err := rc.write(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE test_rounds SET expected = expected + 1 WHERE id = ?`, r.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "add_member", "round", r.ID, p.Household.Path, nil, map[string]any{"person_id": p.ID}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.FindMember(ctx, r.ID, p.ID)
}

// Excuse marks a person who will not come to the site: excused with a
// reason and the name of the user who decided. A sampled person cannot be
// excused; an excused one gets the new reason. A person who cannot come
// down (ExcuseHomeSampling) is not excused: they stay pending, with the
// reason recorded, and the home sampling team gets a task for them, so the
// round's coverage, and a zone's negative round, still wait for them.
func (s *RoundService) Excuse(ctx context.Context, roundID int64, e frontline.Excusal) (*frontline.Member, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	tx, r, err := s.memberRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m, err := tx.lockMember(ctx, r.ID, e.PersonID)
	if err != nil {
		return nil, err
	}
	if m.sampled {
		return nil, frontline.Errorf(frontline.ECONFLICT, "person %d is already sampled", e.PersonID)
	}
	home, wasHome := e.Reason == frontline.ExcuseHomeSampling, m.homeAssigned()
	status := frontline.MemberExcused
	if home {
		status = frontline.MemberPending
	}
	if _, err := tx.ExecContext(ctx, `UPDATE round_members SET status = ?, excuse = ?, excuse_note = ?, excused_by = ?, excused_at = ?
		WHERE round_id = ? AND person_id = ?`, string(status), string(e.Reason), e.Note,
		frontline.ActorFrom(ctx).String(), tx.now, r.ID, e.PersonID); err != nil {
		return nil, err
	}
	switch {
	case home && !wasHome:
		err = tx.openHomeTask(ctx, r.ID, m)
	case !home && wasHome:
		err = tx.cancelHomeTask(ctx, r.ID, m.personID)
	}
	if err != nil {
		return nil, err
	}
	rc := roundCounts{}
	rc.addPath(r.ID, r.Scope.Path, m.path, roundDelta{excused: excusedCount(status) - excusedCount(m.status)})
	if err := rc.write(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "excuse", "round_member", e.PersonID, m.path,
		map[string]any{"status": m.status, "excuse": m.excuse}, map[string]any{"status": status, "excuse": e.Reason, "note": e.Note, "round_id": r.ID}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.FindMember(ctx, r.ID, e.PersonID)
}

// excusedCount is what a stored status adds to the excused counter.
func excusedCount(s frontline.MemberStatus) int {
	if s == frontline.MemberExcused {
		return 1
	}
	return 0
}

// homeAssigned reports whether the member waits for the home sampling
// team: pending, with the home sampling reason.
func (m *memberRow) homeAssigned() bool {
	return m.status == frontline.MemberPending && m.excuse == string(frontline.ExcuseHomeSampling)
}

// Unexcuse makes an excused person pending again: they came back. For a
// person left to the home sampling team it withdraws the task the team
// has not done yet: they will come down after all.
func (s *RoundService) Unexcuse(ctx context.Context, roundID, personID int64) (*frontline.Member, error) {
	tx, r, err := s.memberRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m, err := tx.lockMember(ctx, r.ID, personID)
	if err != nil {
		return nil, err
	}
	if m.sampled || (m.status != frontline.MemberExcused && !m.homeAssigned()) {
		return nil, frontline.Errorf(frontline.ECONFLICT, "person %d is %s, not excused", personID, m.effective())
	}
	if _, err := tx.ExecContext(ctx, `UPDATE round_members SET status = ?, excuse = '', excuse_note = '', excused_by = '', excused_at = NULL
		WHERE round_id = ? AND person_id = ?`, string(frontline.MemberPending), r.ID, personID); err != nil {
		return nil, err
	}
	if m.homeAssigned() {
		if err := tx.cancelHomeTask(ctx, r.ID, personID); err != nil {
			return nil, err
		}
	}
	rc := roundCounts{}
	rc.addPath(r.ID, r.Scope.Path, m.path, roundDelta{excused: -excusedCount(m.status)})
	if err := rc.write(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "unexcuse", "round_member", personID, m.path,
		map[string]any{"status": m.status, "excuse": m.excuse}, map[string]any{"status": frontline.MemberPending, "round_id": r.ID}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.FindMember(ctx, r.ID, personID)
}

// FindMember returns one person's standing in a round, with the tube they
// are in.
func (s *RoundService) FindMember(ctx context.Context, roundID, personID int64) (*frontline.Member, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findMember(ctx, roundID, personID)
}

func (tx *Tx) findMember(ctx context.Context, roundID, personID int64) (*frontline.Member, error) {
	m := &frontline.Member{RoundID: roundID}
	var path string
	var code sql.NullString
	var sampled, excused, added sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT m.person_id, m.household_id, p.name, m.status, t.code, b.bound_at, m.result,
			m.follow_up, m.excuse, m.excuse_note, m.excused_by, m.excused_at, m.added_by, m.added_at, m.path
		FROM round_members m JOIN persons p ON p.id = m.person_id
		LEFT JOIN bindings b ON b.round_id = m.round_id AND b.person_id = m.person_id AND b.undone_at IS NULL
		LEFT JOIN tubes t ON t.id = b.tube_id
		WHERE m.round_id = ? AND m.person_id = ?`, roundID, personID).
		Scan(&m.PersonID, &m.HouseholdID, &m.Name, &m.Status, &code, &sampled, &m.Result, &m.FollowUp,
			&m.Excuse, &m.ExcuseNote, &m.ExcusedBy, &excused, &m.AddedBy, &added, &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "person %d is not in round %d", personID, roundID)
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	m.TubeCode, m.SampledAt, m.ExcusedAt, m.AddedAt = code.String, nullTime(sampled), nullTime(excused), nullTime(added)
	if code.Valid {
		m.Status = frontline.MemberSampled
	}
	return m, nil
}
