package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// CaseSettings are what opening a case and running its transfers take
// from outside the store: when follow-ups fall due, and how long each
// transfer step may take.
type CaseSettings struct {
	FollowUps frontline.FollowUpSettings
	Transfers frontline.TransferSettings
}

// DefaultCaseSettings are the defaults of both.
func DefaultCaseSettings() CaseSettings {
	return CaseSettings{FollowUps: frontline.DefaultFollowUpSettings, Transfers: frontline.DefaultTransferSettings}
}

// newCase is what opens a case: who, and where the positive came from.
type newCase struct {
	person      int64
	source      frontline.CaseSource
	round       int64
	tube        string // the confirming tube
	tubeID      int64
	externalRef string
	reporter    string
	confirmedAt time.Time
	note        string
}

// openCase opens a case for a confirmed positive in the caller's
// transaction, which also makes the positive's consequences: the contacts
// with their measures and follow-ups, a transfer for the case and for
// each contact whose measure is centralised isolation, the alert to the
// community and the subdistrict, and (for a case from outside the lab)
// the positive as zone evidence at the household. A person with an open
// case is not opened again: the open case is returned with opened false.
func (tx *Tx) openCase(ctx context.Context, nc newCase, s CaseSettings) (*frontline.Case, bool, error) {
	if c, err := tx.openCaseOf(ctx, nc.person); err == nil {
		return c, false, nil
	} else if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return nil, false, err
	}
	var household int64
	var path, name string
	err := tx.QueryRowContext(ctx, `SELECT p.household_id, h.path, p.name FROM persons p JOIN places h ON h.id = p.household_id
		WHERE p.id = ?`, nc.person).Scan(&household, &path, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, frontline.Errorf(frontline.ENOTFOUND, "person %d not found", nc.person)
	} else if err != nil {
		return nil, false, err
	}
	rules, err := tx.currentMeasureRules(ctx)
	if err != nil {
		return nil, false, err
	}
	actor := frontline.ActorFrom(ctx).String()
	c := &frontline.Case{PersonID: nc.person, HouseholdID: household, Source: nc.source, RoundID: nc.round, TubeCode: nc.tube,
		ExternalRef: nc.externalRef, Reporter: nc.reporter, ConfirmedAt: nc.confirmedAt.UTC(), ConfirmedBy: actor,
		Status: frontline.CaseOpen, Note: nc.note, RuleVersion: rules.Version, CreatedAt: tx.now, CreatedBy: actor}
	if nc.tubeID > 0 {
		if c.PoolCode, err = tx.poolOf(ctx, nc.person, nc.tubeID); err != nil {
			return nil, false, err
		}
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO cases (person_id, household_id, path, source, round_id, tube_code, pool_code,
		external_ref, reporter, confirmed_at, confirmed_by, status, note, rule_version, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.PersonID, c.HouseholdID, path, string(c.Source), nullID(c.RoundID), c.TubeCode, c.PoolCode, c.ExternalRef, c.Reporter,
		c.ConfirmedAt, c.ConfirmedBy, string(c.Status), c.Note, c.RuleVersion, tx.now, actor).Scan(&c.ID); err != nil {
		return nil, false, tx.db.translate(err)
	}
	contacts, err := tx.traceContacts(ctx, c, path, nc.tubeID)
	if err != nil {
		return nil, false, err
	}
	if err := tx.measureContacts(ctx, c, contacts, rules, s); err != nil {
		return nil, false, err
	}
	if _, err := tx.requestTransfer(ctx, c, c.PersonID, household, path, 0, s.Transfers.CaseFacility, s.Transfers); frontline.ErrorCode(err) == frontline.ECONFLICT {
		// A contact on the way to isolation turns positive: a transfer
		// still waiting for its vehicle goes to the hospital instead, as
		// the case's own; one already on the road is left to the desk.
		if _, err := tx.ExecContext(ctx, `UPDATE transfers SET case_id = ?, measure_id = NULL, facility = ? WHERE person_id = ? AND status = ?`,
			c.ID, s.Transfers.CaseFacility, c.PersonID, string(frontline.TransferRequested)); err != nil {
			return nil, false, err
		}
	} else if err != nil {
		return nil, false, err
	}
	if nc.source != frontline.SourceLab {
		// The lab's positives are evidence already (lab_evidence.go).
		e := &frontline.ZoneEvidence{Kind: frontline.EvidencePositive, At: c.ConfirmedAt,
			Link: frontline.EvidenceLink{Kind: frontline.LinkCase, Ref: c.Ref()}}
		if err := tx.addEvidence(ctx, &frontline.Place{ID: household, Kind: frontline.KindHousehold, Path: path}, e); err != nil {
			return nil, false, err
		}
	}
	detail := maskName(name)
	switch {
	case c.TubeCode != "":
		detail += " · " + c.TubeCode
	case c.ExternalRef != "":
		detail += " · " + c.Reporter + " " + c.ExternalRef
	}
	if err := tx.raiseAlert(ctx, &frontline.Alert{Kind: frontline.AlertCase, PlaceID: household, Subject: "case", SubjectID: c.ID,
		Key: caseKey(c.ID), Detail: detail, Action: casePath(c.ID), Since: c.ConfirmedAt}); err != nil {
		return nil, false, err
	}
	if err := tx.audit(ctx, "open", "case", c.ID, path, nil, map[string]any{"person_id": c.PersonID, "source": c.Source,
		"tube": c.TubeCode, "pool": c.PoolCode, "external_ref": c.ExternalRef, "contacts": len(contacts), "rule_version": c.RuleVersion}); err != nil {
		return nil, false, err
	}
	return c, true, nil
}

func caseKey(id int64) string  { return "case:" + strconv.FormatInt(id, 10) }
func casePath(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// openCaseOf returns the person's open (or transferred) case.
func (tx *Tx) openCaseOf(ctx context.Context, person int64) (*frontline.Case, error) {
	cs, err := tx.queryCases(ctx, `c.person_id = ? AND c.status IN ('open', 'transferred') ORDER BY c.id LIMIT 1`, person)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "person %d has no open case", person)
	}
	return cs[0], nil
}

// poolOf returns the code of the positive pool a person's re-test tube
// followed, "" when the tube was not a re-test of a pool.
func (tx *Tx) poolOf(ctx context.Context, person, tubeID int64) (string, error) {
	var code string
	err := tx.QueryRowContext(ctx, `SELECT t.code FROM retest_tasks rt JOIN tubes t ON t.id = rt.source_tube_id
		WHERE rt.tube_id = ? AND rt.person_id = ? AND rt.kind = ?`, tubeID, person, string(frontline.KindRetest)).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return code, err
}

// contactRow is a person linked to a case.
type contactRow struct {
	person, household int64
	path              string
	kind              frontline.ContactKind
	measure           int64
}

// traceContacts finds the persons linked to a case, each by the closest
// link: the household's other residents, the others of the positive pool,
// the residents of the same unit and of the same building.
func (tx *Tx) traceContacts(ctx context.Context, c *frontline.Case, path string, tubeID int64) ([]*contactRow, error) {
	byPerson := map[int64]*contactRow{}
	var order []int64
	add := func(person, household int64, p string, kind frontline.ContactKind) {
		if person == c.PersonID {
			return
		}
		if cur := byPerson[person]; cur != nil {
			if kind.Closer(cur.kind) {
				cur.kind = kind
			}
			return
		}
		byPerson[person] = &contactRow{person: person, household: household, path: p, kind: kind}
		order = append(order, person)
	}
	names, err := tx.placeNamesOf(ctx, []string{path})
	if err != nil {
		return nil, err
	}
	// The unit and the building around the household, when it has them.
	var unitPath, buildingPath string
	ancestors := frontline.AncestorPaths(path)
	for i, id := range frontline.PathIDs(path) {
		if p := names[id]; p != nil {
			switch p.Kind {
			case frontline.KindUnit:
				unitPath = ancestors[i]
			case frontline.KindBuilding:
				buildingPath = ancestors[i]
			}
		}
	}
	for _, scope := range []struct {
		path string
		kind frontline.ContactKind
	}{{path, frontline.ContactHousehold}, {unitPath, frontline.ContactUnit}, {buildingPath, frontline.ContactBuilding}} {
		if scope.path == "" {
			continue
		}
		lo, hi := subtreeRange(scope.path)
		if err := tx.eachPerson(ctx, `SELECT p.id, p.household_id, h.path FROM persons p JOIN places h ON h.id = p.household_id
			WHERE h.path >= ? AND h.path < ? AND p.status <> ? ORDER BY h.path, p.id`, scope.kind, add,
			lo, hi, string(frontline.StatusMovedOut)); err != nil {
			return nil, err
		}
	}
	if c.PoolCode != "" {
		if err := tx.eachPerson(ctx, `SELECT p.id, p.household_id, h.path FROM bindings b JOIN tubes t ON t.id = b.tube_id
			JOIN persons p ON p.id = b.person_id JOIN places h ON h.id = p.household_id
			WHERE t.code = ? AND b.undone_at IS NULL ORDER BY p.id`, frontline.ContactPool, add, c.PoolCode); err != nil {
			return nil, err
		}
	}
	out := make([]*contactRow, len(order))
	for i, id := range order {
		out[i] = byPerson[id]
	}
	return out, nil
}

// eachPerson runs a query of (person, household, household path) rows
// and hands each to add as a contact of kind.
func (tx *Tx) eachPerson(ctx context.Context, query string, kind frontline.ContactKind,
	add func(person, household int64, path string, kind frontline.ContactKind), args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var person, household int64
		var path string
		if err := rows.Scan(&person, &household, &path); err != nil {
			return err
		}
		add(person, household, path, kind)
	}
	return rows.Err()
}

// measureStrictness orders measure types for contacts: a contact already
// under a measure as strict as the one the rules give keeps it.
func measureStrictness(t frontline.MeasureType) int {
	switch t {
	case frontline.MeasureCentral:
		return 3
	case frontline.MeasureIsolation:
		return 2
	case frontline.MeasureMonitoring:
		return 1
	}
	return 0
}

// measureContacts gives each contact the measure the contact rules give
// their kind, with its follow-ups, unless they are already under a
// measure as strict; records the contacts; and asks for a transfer of
// each one whose measure is centralised isolation.
func (tx *Tx) measureContacts(ctx context.Context, c *frontline.Case, contacts []*contactRow, rules *frontline.MeasureRules, s CaseSettings) error {
	ids := make([]int64, len(contacts))
	for i, ct := range contacts {
		ids[i] = ct.person
	}
	current, err := tx.activeMeasuresOf(ctx, ids)
	if err != nil {
		return err
	}
	start := s.FollowUps.LocalDay(c.ConfirmedAt)
	for _, ct := range contacts {
		spec := rules.ContactMeasure(ct.kind)
		if spec.Type != frontline.MeasureNone {
			if m := current[ct.person]; m != nil && measureStrictness(m.Type) >= measureStrictness(spec.Type) {
				ct.measure = m.ID
			} else {
				m := &frontline.Measure{CaseID: c.ID, PersonID: ct.person, HouseholdID: ct.household, Type: spec.Type,
					StartDate: start, EndDate: frontline.AddDays(start, spec.Days-1), TestDays: spec.TestDays,
					ReportsPerDay: spec.ReportsPerDay, RuleVersion: rules.Version, Status: frontline.MeasureActive, CreatedAt: tx.now}
				if err := tx.insertCaseMeasure(ctx, m, ct.path, s.FollowUps); err != nil {
					return err
				}
				ct.measure = m.ID
				if m.Type == frontline.MeasureCentral {
					if _, err := tx.requestTransfer(ctx, c, ct.person, ct.household, ct.path, m.ID, s.Transfers.ContactFacility, s.Transfers); err != nil &&
						frontline.ErrorCode(err) != frontline.ECONFLICT {
						return err
					}
				}
			}
		}
	}
	insert := multiRow{prefix: `INSERT INTO case_contacts (case_id, person_id, household_id, path, kind, measure_id) `,
		types: []string{"BIGINT", "BIGINT", "BIGINT", "TEXT", "TEXT", "BIGINT"}}
	return insert.exec(ctx, tx, len(contacts), func(i int, args []any) []any {
		ct := contacts[i]
		return append(args, c.ID, ct.person, ct.household, ct.path, string(ct.kind), nullID(ct.measure))
	})
}

// activeMeasuresOf returns the strictest active measure of each person.
func (tx *Tx) activeMeasuresOf(ctx context.Context, persons []int64) (map[int64]*frontline.Measure, error) {
	out := map[int64]*frontline.Measure{}
	for start := 0; start < len(persons); start += maxInList {
		chunk := persons[start:min(start+maxInList, len(persons))]
		ms, err := tx.measures(ctx, `status = ? AND person_id IN `+inList(len(chunk)),
			append([]any{string(frontline.MeasureActive)}, int64Args(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if cur := out[m.PersonID]; cur == nil || measureStrictness(m.Type) > measureStrictness(cur.Type) {
				out[m.PersonID] = m
			}
		}
	}
	return out, nil
}

// insertCaseMeasure stores the measure of a case's contact and its
// follow-up items, planned as a screening measure's are.
func (tx *Tx) insertCaseMeasure(ctx context.Context, m *frontline.Measure, path string, fs frontline.FollowUpSettings) error {
	if err := tx.QueryRowContext(ctx, `INSERT INTO screening_measures (case_id, visit_id, person_id, household_id, path,
		type, level, start_date, end_date, test_days, reports_per_day, rule_version, status, created_at)
		VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.CaseID, m.PersonID, m.HouseholdID, path, string(m.Type), string(m.Level), m.StartDate, m.EndDate,
		joinDays(m.TestDays), m.ReportsPerDay, m.RuleVersion, string(m.Status), tx.now).Scan(&m.ID); err != nil {
		return tx.db.translate(err)
	}
	items := frontline.PlanFollowUps(m, fs, tx.now)
	cols := []string{"measure_id", "campaign_id", "person_id", "household_id", "path", "kind", "day", "due_at"}
	return tx.bulkInsert(ctx, "screening_followups", cols, len(items), func(i int, args []any) []any {
		it := items[i]
		return append(args, m.ID, 0, m.PersonID, m.HouseholdID, path, string(it.Kind), it.Day, it.DueAt)
	})
}
