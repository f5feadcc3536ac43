package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.DuplicateService = (*DuplicateService)(nil)

// DuplicateService finds persons registered twice, merges them or marks
// them as different people. See frontline.DuplicateService.
type DuplicateService struct{ db *DB }

// NewDuplicateService returns a DuplicateService on db.
func NewDuplicateService(db *DB) *DuplicateService { return &DuplicateService{db: db} }

// personRef is a table column holding a person id. Rows belong to a group
// of their kind (a round, a screening campaign, a case) whose counters and
// checks count each person once: a merge moves the merged person's rows of
// every group the survivor has no row in, and leaves with the merged
// person, whole, the groups both are in (both were members of one round),
// so each group's records stay as they were counted.
//
// Every column that holds a person id must be listed here; a test reads
// the migrations and fails on one that is not, so a new workflow's table
// cannot be forgotten by merges.
type personRef struct {
	table, column string
	kind          string // "" when rows belong to no group and always move
	// group is the SQL of the row's group id, %[1]s standing for the
	// table's alias.
	group string
	// only, for a table with a partial unique index on the person alone,
	// is the index's condition: such a row moves unless the survivor has
	// one too.
	only string
}

var personRefs = []personRef{
	{table: "passages", column: "person_id"},
	{table: "screening_visit_persons", column: "person_id", kind: "campaign",
		group: "(SELECT v.campaign_id FROM screening_visits v WHERE v.id = %[1]s.visit_id)"},
	{table: "screening_found_persons", column: "person_id", kind: "campaign", group: "%[1]s.campaign_id"},
	{table: "screening_measures", column: "person_id", kind: "campaign", group: "%[1]s.campaign_id"},
	{table: "screening_followups", column: "person_id", kind: "campaign", group: "%[1]s.campaign_id"},
	{table: "round_members", column: "person_id", kind: "round", group: "%[1]s.round_id"},
	{table: "bindings", column: "person_id", kind: "round", group: "%[1]s.round_id"},
	{table: "retest_tasks", column: "person_id", kind: "round", group: "%[1]s.round_id"},
	{table: "cases", column: "person_id"},
	{table: "case_contacts", column: "person_id", kind: "case", group: "%[1]s.case_id"},
	{table: "transfers", column: "person_id", only: "status IN ('requested', 'assigned', 'picked_up')"},
	{table: "help_requests", column: "person_id"},
	{table: "help_trips", column: "person_id"},
	{table: "medicine_requests", column: "person_id"},
	// One contact a person (the key): the merged person's contact moves
	// unless the survivor has one.
	{table: "vulnerable_contacts", column: "person_id", only: "person_id IS NOT NULL"},
	{table: "vulnerable_checks", column: "person_id"},
	{table: "vulnerable_needs", column: "person_id"},
}

// SuspectedDuplicates lists the pairs of persons under a node who may be
// one person (frontline.SuspectedDuplicate), both in the caller's scope.
func (s *DuplicateService) SuspectedDuplicates(ctx context.Context, under int64, limit int) ([]frontline.DuplicatePair, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	top, err := tx.findPlaceByID(ctx, under)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := subtreeRange(top.Path)
	where := []string{"ha.path > ? AND ha.path < ? AND hb.path > ? AND hb.path < ?"}
	args := []any{lo, hi, lo, hi}
	where, args = andScope(ctx, "ha.path", where, args)
	where, args = andScope(ctx, "hb.path", where, args)
	from := ` FROM persons a JOIN persons b ON b.name = a.name AND b.birth_date = a.birth_date AND b.id > a.id
			AND b.household_id <> a.household_id
		JOIN places ha ON ha.id = a.household_id JOIN places hb ON hb.id = b.household_id
		WHERE a.birth_date <> '' AND a.merged_into IS NULL AND b.merged_into IS NULL
			AND (a.id_type = 'none' OR b.id_type = 'none' OR a.id_type <> b.id_type)
			AND NOT EXISTS (SELECT 1 FROM person_distinct d WHERE d.a_id = a.id AND d.b_id = b.id)
			AND ` + strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.id, b.id`+from+` ORDER BY a.name, a.id, b.id`+limitClause(0, limit), args...)
	if err != nil {
		return nil, 0, err
	}
	var ids [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	pairs := make([]frontline.DuplicatePair, 0, len(ids))
	for _, p := range ids {
		a, err := tx.findPersonByID(ctx, p[0])
		if err != nil {
			return nil, 0, err
		}
		b, err := tx.findPersonByID(ctx, p[1])
		if err != nil {
			return nil, 0, err
		}
		pairs = append(pairs, frontline.DuplicatePair{A: a, B: b})
	}
	return pairs, total, nil
}

// MergePersons merges one person into another in one transaction: the
// references move, the survivor takes what they lack, the merged person
// is moved out pointing at the survivor, and the counts follow.
func (s *DuplicateService) MergePersons(ctx context.Context, survivorID, mergedID int64) (*frontline.MergeResult, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if survivorID == mergedID {
		return nil, frontline.Errorf(frontline.EINVALID, "a person cannot be merged with themselves")
	}
	sv, err := tx.findPersonByID(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	m, err := tx.findPersonByID(ctx, mergedID)
	if err != nil {
		return nil, err
	}
	if err := mergeable(sv, m); err != nil {
		return nil, err
	}
	if err := tx.checkMergedInto(ctx, sv, m); err != nil {
		return nil, err
	}
	res := &frontline.MergeResult{MergedID: m.ID, Moved: map[string]int{}, Kept: map[string]int{}}
	// The groups are found before anything moves: a row moved in would
	// make its group look shared to the next table of the kind.
	shared := map[string][]int64{}
	for _, ref := range personRefs {
		if _, ok := shared[ref.kind]; ref.kind != "" && !ok {
			if shared[ref.kind], err = tx.sharedGroups(ctx, ref.kind, sv.ID); err != nil {
				return nil, err
			}
		}
	}
	for _, ref := range personRefs {
		moved, kept, err := tx.moveRefs(ctx, ref, m.ID, sv.ID, shared[ref.kind])
		if err != nil {
			return nil, err
		}
		if moved > 0 {
			res.Moved[ref.table] += moved
		}
		if kept > 0 {
			res.Kept[ref.table] += kept
		}
	}
	if err := tx.retireMerged(ctx, m, sv.ID); err != nil {
		return nil, err
	}
	old := *sv
	absorb(sv, m)
	if err := tx.savePerson(ctx, &old, sv); err != nil {
		return nil, err
	}
	before, after := auditFields(&old), auditFields(sv)
	after["merged_id"], after["merged_name"], after["moved"], after["kept"] = m.ID, m.Name, res.Moved, res.Kept
	if err := tx.audit(ctx, "merge", "person", sv.ID, sv.Household.Path, before, after); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "merged_into", "person", m.ID, m.Household.Path, auditFields(m),
		map[string]any{"merged_into": sv.ID, "status": frontline.StatusMovedOut}); err != nil {
		return nil, err
	}
	res.Survivor = sv
	return res, tx.Commit()
}

// mergeable refuses two persons whose documents say they are two people:
// documents of one type with different numbers. Documents of different
// types (a passport and a residence card) may be one person's.
func mergeable(sv, m *frontline.Person) error {
	if sv.IDType != frontline.IDNone && sv.IDType == m.IDType && sv.IDNumber != m.IDNumber {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "id_number",
			Message: "both persons hold a " + frontline.IDTypeLabels[sv.IDType] + " with different numbers: they are two people, or one number is wrong and must be corrected first"}
	}
	return nil
}

// checkMergedInto refuses a person already merged away.
func (tx *Tx) checkMergedInto(ctx context.Context, persons ...*frontline.Person) error {
	for _, p := range persons {
		var into *int64
		if err := tx.QueryRowContext(ctx, `SELECT merged_into FROM persons WHERE id = ?`, p.ID).Scan(&into); err != nil {
			return err
		}
		if into != nil {
			return frontline.Errorf(frontline.ECONFLICT, "%s (person %d) was already merged into person %d", p.Name, p.ID, *into)
		}
	}
	return nil
}

// sharedGroups returns the groups of a kind the survivor has rows in.
func (tx *Tx) sharedGroups(ctx context.Context, kind string, survivor int64) ([]int64, error) {
	var parts []string
	var args []any
	for _, r := range personRefs {
		if r.kind == kind {
			parts = append(parts, "SELECT "+fmt.Sprintf(r.group, "t")+" AS g FROM "+r.table+" t WHERE t."+r.column+" = ?")
			args = append(args, survivor)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT g FROM (`+strings.Join(parts, " UNION ALL ")+`) AS u WHERE g IS NOT NULL`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// moveRefs moves the rows of one reference from person from to person to,
// except those of the groups in shared; it returns how many moved and how
// many stayed.
func (tx *Tx) moveRefs(ctx context.Context, ref personRef, from, to int64, shared []int64) (moved, kept int, err error) {
	cond, args := "", []any{to, from}
	switch {
	case ref.kind != "" && len(shared) > 0:
		g := fmt.Sprintf(ref.group, ref.table)
		cond = " AND (" + g + " IS NULL OR " + g + " NOT IN " + inList(len(shared)) + ")"
		args = append(args, int64Args(shared)...)
	case ref.only != "":
		cond = " AND (NOT (" + ref.table + "." + ref.only + ") OR NOT EXISTS (SELECT 1 FROM " + ref.table + " x WHERE x." +
			ref.column + " = ? AND x." + ref.only + "))"
		args = append(args, to)
	}
	r, err := tx.ExecContext(ctx, `UPDATE `+ref.table+` SET `+ref.column+` = ? WHERE `+ref.column+` = ?`+cond, args...)
	if err != nil {
		return 0, 0, err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+ref.table+` WHERE `+ref.column+` = ?`, from).Scan(&kept); err != nil {
		return 0, 0, err
	}
	return int(n), kept, nil
}

// retireMerged moves the merged person out, frees their document number
// for the survivor and points them at the survivor.
func (tx *Tx) retireMerged(ctx context.Context, m *frontline.Person, into int64) error {
	after := *m
	after.Status = frontline.StatusMovedOut
	if err := tx.addCounts(ctx, m.Household.Path, personCounts(&after).sub(personCounts(m)), false); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE persons SET id_type = 'none', id_number = '', id_tail = '', status = ?, merged_into = ?,
		updated_at = ?, updated_by = ? WHERE id = ?`,
		string(frontline.StatusMovedOut), into, tx.now, frontline.ActorFrom(ctx).String(), m.ID)
	return err
}

// absorb gives the survivor what they lack and the merged person has.
func absorb(sv, m *frontline.Person) {
	if sv.IDType == frontline.IDNone && m.IDType != frontline.IDNone {
		sv.IDType, sv.IDNumber = m.IDType, m.IDNumber
	}
	if sv.Phone == "" {
		sv.Phone = m.Phone
	}
	if sv.Sex == "" {
		sv.Sex = m.Sex
	}
	if sv.BirthDate == "" {
		sv.BirthDate = m.BirthDate
	}
	for _, f := range m.Flags {
		if !slices.Contains(sv.Flags, f) {
			sv.Flags = append(sv.Flags, f)
		}
	}
	sv.Flags = frontline.SortFlags(sv.Flags)
}

// savePerson writes a person's fields after validating them, and moves
// the counts by the difference from old.
func (tx *Tx) savePerson(ctx context.Context, old, p *frontline.Person) error {
	if err := p.Validate(tx.now); err != nil {
		return err
	}
	if p.IDNumber != old.IDNumber || p.IDType != old.IDType {
		if err := tx.checkIDNumberFree(ctx, p); err != nil {
			return err
		}
	}
	p.UpdatedAt, p.UpdatedBy = tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `
		UPDATE persons SET name = ?, sex = ?, birth_date = ?, id_type = ?, id_number = ?, id_tail = ?, phone = ?,
			relation = ?, flags = ?, status = ?, updated_at = ?, updated_by = ?
		WHERE id = ?`,
		p.Name, string(p.Sex), p.BirthDate, string(p.IDType), p.IDNumber, idTail(p.IDNumber), p.Phone,
		string(p.Relation), joinFlags(p.Flags), string(p.Status), p.UpdatedAt, p.UpdatedBy, p.ID); err != nil {
		return tx.db.translate(err)
	}
	return tx.addCounts(ctx, p.Household.Path, personCounts(p).sub(personCounts(old)), false)
}

// MarkDistinct records that two persons are different people.
func (s *DuplicateService) MarkDistinct(ctx context.Context, aID, bID int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if aID == bID {
		return frontline.Errorf(frontline.EINVALID, "a person is not different from themselves")
	}
	a, err := tx.findPersonByID(ctx, min(aID, bID))
	if err != nil {
		return err
	}
	b, err := tx.findPersonByID(ctx, max(aID, bID))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO person_distinct (a_id, b_id, marked_at, marked_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (a_id, b_id) DO NOTHING`, a.ID, b.ID, tx.now, frontline.ActorFrom(ctx).String()); err != nil {
		return err
	}
	if err := tx.audit(ctx, "mark_distinct", "person", a.ID, a.Household.Path, nil,
		map[string]any{"other_id": b.ID, "other_name": b.Name}); err != nil {
		return err
	}
	return tx.Commit()
}
