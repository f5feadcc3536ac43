package sqldb

import (
	"context"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// visitRecorder records the persons of one screened visit: new persons into
// the registry, each traveller's classification, measure and follow-up
// items, and what the household now adds to the counters.
type visitRecorder struct {
	tx       *Tx
	c        campaign
	m        *frontline.CampaignMember
	v        *frontline.Visit
	settings frontline.FollowUpSettings
	today    string
	maps     map[string]frontline.RiskMap // by arrival day
	rules    *frontline.MeasureRules
}

// persons records every person of the visit and returns the household's
// new contribution; prevNew is the persons the campaign found there
// before, who stay found.
func (r *visitRecorder) persons(ctx context.Context, prevNew int) (coverDelta, error) {
	t := coverDelta{newPersons: prevNew}
	registered, err := r.tx.householdNames(ctx, r.m.HouseholdID)
	if err != nil {
		return t, err
	}
	if r.rules, err = r.tx.currentMeasureRules(ctx); err != nil {
		return t, err
	}
	// The last final visit decides: measures of an earlier one stop.
	if _, err := r.tx.ExecContext(ctx, `UPDATE screening_measures SET status = ?, ended_at = ?
		WHERE campaign_id = ? AND household_id = ? AND status = ?`, string(frontline.MeasureSuperseded), r.tx.now,
		r.c.ID, r.m.HouseholdID, string(frontline.MeasureActive)); err != nil {
		return t, err
	}
	for i := range r.v.Persons {
		vp := &r.v.Persons[i]
		isNew := vp.New != nil
		if isNew {
			if err := r.createFound(ctx, vp); err != nil {
				return t, frontline.AtItem(err, i+1)
			}
			t.newPersons++
		} else if name, ok := registered[vp.PersonID]; ok {
			vp.Name = name
		} else {
			return t, frontline.AtItem(frontline.FieldError("persons", "person %d is not registered in this household", vp.PersonID), i+1)
		}
		t.persons++
		if err := r.classify(ctx, vp, &t); err != nil {
			return t, frontline.AtItem(err, i+1)
		}
		if err := r.insertPerson(ctx, vp, isNew); err != nil {
			return t, err
		}
	}
	return t, nil
}

// classify decides a traveller's measure and creates it with its items.
func (r *visitRecorder) classify(ctx context.Context, vp *frontline.VisitPerson, t *coverDelta) error {
	vp.Level, vp.Measure = frontline.RiskNone, frontline.MeasureNone
	if vp.Travel == nil {
		return nil
	}
	day := vp.Travel.ArrivedOn
	risk, ok := r.maps[day]
	if !ok {
		var err error
		if risk, err = r.tx.riskMapAt(ctx, day, r.tx.now); err != nil {
			return err
		}
		r.maps[day] = risk
	}
	d := frontline.Classify(vp.Travel, risk, r.rules, r.today)
	vp.Level, vp.Measure = d.Level, d.Measure.Type
	if day >= r.c.Question.ArrivedSince {
		switch d.Level {
		case frontline.RiskHigh:
			t.high++
		case frontline.RiskMedium:
			t.medium++
		case frontline.RiskLow:
			t.low++
		}
	}
	switch d.Measure.Type {
	case frontline.MeasureNone:
		return nil
	case frontline.MeasureIsolation:
		t.isolation++
	case frontline.MeasureMonitoring:
		t.monitor++
	}
	return r.createMeasure(ctx, vp, d)
}

func (r *visitRecorder) createMeasure(ctx context.Context, vp *frontline.VisitPerson, d frontline.Decision) error {
	tx := r.tx
	m := &frontline.Measure{CampaignID: r.c.ID, VisitID: r.v.ID, PersonID: vp.PersonID, HouseholdID: r.m.HouseholdID,
		Type: d.Measure.Type, Level: d.Level, StartDate: d.Start, EndDate: d.End, TestDays: d.Measure.TestDays,
		ReportsPerDay: d.Measure.ReportsPerDay, RuleVersion: d.RuleVersion, Status: frontline.MeasureActive, CreatedAt: tx.now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO screening_measures (campaign_id, visit_id, person_id, household_id, path,
		type, level, start_date, end_date, test_days, reports_per_day, rule_version, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.CampaignID, m.VisitID, m.PersonID, m.HouseholdID, r.m.Path, string(m.Type), string(m.Level), m.StartDate,
		m.EndDate, joinDays(m.TestDays), m.ReportsPerDay, m.RuleVersion, string(m.Status), tx.now).Scan(&m.ID); err != nil {
		return tx.db.translate(err)
	}
	vp.MeasureID = m.ID
	items := frontline.PlanFollowUps(m, r.settings, tx.now)
	cols := []string{"measure_id", "campaign_id", "person_id", "household_id", "path", "kind", "day", "due_at"}
	return tx.bulkInsert(ctx, "screening_followups", cols, len(items), func(i int, args []any) []any {
		it := items[i]
		return append(args, m.ID, m.CampaignID, m.PersonID, m.HouseholdID, r.m.Path, string(it.Kind), it.Day, it.DueAt)
	})
}

// createFound adds a person found at the door to the registry, in the
// household, and records that this campaign found them.
func (r *visitRecorder) createFound(ctx context.Context, vp *frontline.VisitPerson) error {
	tx, p := r.tx, vp.New
	p.ID, p.HouseholdID = 0, r.m.HouseholdID
	if err := tx.checkIDNumberFree(ctx, p); err != nil {
		return err
	}
	actor := frontline.ActorFrom(ctx).String()
	p.CreatedAt, p.UpdatedAt, p.CreatedBy, p.UpdatedBy = tx.now, tx.now, actor, actor
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO persons (household_id, name, sex, birth_date, id_type, id_number, id_tail, phone,
			relation, flags, status, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		personValues(p, tx.timeArg())...).Scan(&p.ID); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.addCounts(ctx, r.m.Path, personCounts(p), false); err != nil {
		return err
	}
	after := auditFields(p)
	after["found_by_campaign"] = r.c.ID
	if err := tx.audit(ctx, "create", "person", p.ID, r.m.Path, nil, after); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO screening_found_persons (campaign_id, person_id, household_id, visit_id,
		found_at, found_by) VALUES (?, ?, ?, ?, ?, ?)`, r.c.ID, p.ID, r.m.HouseholdID, r.v.ID, tx.now, actor); err != nil {
		return err
	}
	if len(p.Flags) > 0 {
		h, err := tx.household(ctx, r.m.HouseholdID)
		if err != nil {
			return err
		}
		if err := tx.contactIfGuarded(ctx, p, h); err != nil {
			return err
		}
	}
	vp.PersonID, vp.Name = p.ID, p.Name
	return nil
}

func (r *visitRecorder) insertPerson(ctx context.Context, vp *frontline.VisitPerson, isNew bool) error {
	var t frontline.Travel
	if vp.Travel != nil {
		t = *vp.Travel
	}
	returnee := vp.Level.Rank() > 0 && t.ArrivedOn >= r.c.Question.ArrivedSince
	_, err := r.tx.ExecContext(ctx, `INSERT INTO screening_visit_persons (visit_id, person_id, present, is_new, area_code,
		area_name, arrived_on, means, detail, health, temperature, level, returnee, measure, measure_id, rule_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.v.ID, vp.PersonID, vp.Present, isNew, t.AreaCode, t.AreaName, t.ArrivedOn, t.Means, t.Detail, string(vp.Health),
		vp.Temperature, string(vp.Level), returnee, string(vp.Measure), vp.MeasureID, r.rules.Version)
	return err
}

// householdNames returns the persons registered in a household by id.
func (tx *Tx) householdNames(ctx context.Context, householdID int64) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM persons WHERE household_id = ?`, householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

func joinDays(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func splitDays(s string) []int {
	if s == "" {
		return nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}
