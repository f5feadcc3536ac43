package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// A purgeKind finds the records of one kind of personal data and empties
// them. Records are emptied, not deleted, wherever a count is kept from
// them (round members, visits, measures, cases, persons): the rows stay, so
// every counter, report and chart of the past still adds up, but nothing
// in them names a person any more. Rows that exist only to hold personal
// data (notices sent, self-report links) are deleted.
type purgeKind struct {
	kind frontline.RetentionKind
	// queries select the kind's records under the path range (group, id,
	// path, ended AS ended; parameters: now, the end of what has not
	// ended, for a stand-down; the path range; all): every record when
	// all is set (a stand-down), else those whose workflow has ended.
	queries []string
	// list replaces queries for a kind its SQL alone cannot list.
	list func(ctx context.Context, tx *Tx, lo, hi string, all bool, now time.Time, rules *frontline.RetentionRules) ([]dueRecord, error)
	// purge empties (or deletes) the records of one group.
	purge func(ctx context.Context, tx *Tx, group int64, ids []int64, now time.Time) error
	// audits are the audit log's entries about the records, whose values
	// (a name, a phone masked, a note) a purge empties too.
	audits []auditScrub
}

// auditScrub names audit entries about purged records: of an entity, with
// the records' ids (ids empty), or with the ids a query over them returns
// ("… WHERE x IN %s").
type auditScrub struct {
	entity string
	ids    string
}

// scrubAudit empties the values of the audit entries about a batch.
func (tx *Tx) scrubAudit(ctx context.Context, a auditScrub, ids []int64) error {
	in, args := inList(len(ids)), int64Args(ids)
	if a.ids != "" {
		in = "(" + fmt.Sprintf(a.ids, in) + ")"
	}
	_, err := tx.ExecContext(ctx, `UPDATE audit_log SET before = '', after = ''
		WHERE entity = ? AND entity_id IN `+in+` AND (before <> '' OR after <> '')`, append([]any{a.entity}, args...)...)
	return err
}

// dueRecord is one record: group and id are its key (group is the round of
// a round member, 0 or a table's tag otherwise), path where it lies.
type dueRecord struct {
	group, id int64
	path      string
	ended     time.Time
	// day is the day the statistics count the record on, when it is not
	// the day of ended (a person's: their last workflow's end).
	day time.Time
}

// statDay is the time whose day the statistics count the record on.
func (r dueRecord) statDay() time.Time {
	if !r.day.IsZero() {
		return r.day
	}
	return r.ended
}

// records lists the kind's records under the path range.
func (k purgeKind) records(ctx context.Context, tx *Tx, lo, hi string, all bool, now time.Time, rules *frontline.RetentionRules) ([]dueRecord, error) {
	if k.list != nil {
		return k.list(ctx, tx, lo, hi, all, now, rules)
	}
	var out []dueRecord
	for _, q := range k.queries {
		recs, err := tx.dueRecords(ctx, q, now, lo, hi, boolInt(all))
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// endCounts counts the kind's ended records under the path range by the
// time their workflow ended, in the database where it can: a closed
// round of a million members is one row, not a million.
func (k purgeKind) endCounts(ctx context.Context, tx *Tx, lo, hi string, now time.Time, rules *frontline.RetentionRules) (map[time.Time]int, error) {
	out := map[time.Time]int{}
	if k.list != nil {
		recs, err := k.list(ctx, tx, lo, hi, false, now, rules)
		for _, r := range recs {
			out[r.ended]++
		}
		return out, err
	}
	for _, q := range k.queries {
		rows, err := tx.QueryContext(ctx, `SELECT x.ended, COUNT(*) FROM (`+q+`) x GROUP BY x.ended`, now, lo, hi, 0)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var at time.Time
			var n int
			if err := rows.Scan(looseTime{&at}, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[at] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// purgeKinds are the kinds in the order a purge runs them: the residents
// last, since a person's entry goes only when their records have.
var purgeKinds = []purgeKind{
	{frontline.RetainRounds, []string{roundsQuery}, nil, purgeRounds, nil},
	{frontline.RetainScreening, []string{`SELECT 0, v.id, h.path, COALESCE(c.closed_at, ?) AS ended
		FROM screening_visits v JOIN screening_campaigns c ON c.id = v.campaign_id JOIN places h ON h.id = v.household_id
		WHERE v.purged_at IS NULL AND h.path >= ? AND h.path < ? AND (? = 1 OR c.status = 'closed')`}, nil,
		purgeStatements(
			`UPDATE screening_visits SET note = '', purged_at = ? WHERE id IN %s`,
			`UPDATE screening_visit_persons SET means = '', detail = '', health = '' WHERE visit_id IN %s`),
		nil},
	{frontline.RetainMeasures, []string{`SELECT 0, m.id, m.path, COALESCE(m.ended_at, ?) AS ended
		FROM screening_measures m
		WHERE m.purged_at IS NULL AND m.path >= ? AND m.path < ? AND (? = 1 OR (m.status <> 'active' AND m.ended_at IS NOT NULL))`}, nil,
		purgeStatements(
			`UPDATE screening_measures SET purged_at = ? WHERE id IN %s`,
			`UPDATE screening_followups SET symptoms = '', note = '' WHERE measure_id IN %s`,
			`DELETE FROM screening_report_links WHERE measure_id IN %s`),
		[]auditScrub{{"screening_measure", ""}, {"screening_followup", `SELECT id FROM screening_followups WHERE measure_id IN %s`}}},
	{frontline.RetainPassages, []string{`SELECT 0, p.id, pl.path, COALESCE(p.at, ?) AS ended
		FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id JOIN places pl ON pl.id = c.place_id
		WHERE p.purged_at IS NULL AND pl.path >= ? AND pl.path < ? AND (? = 1 OR 1 = 1)`}, nil,
		purgeStatements(`UPDATE passages SET name = '', phone = '', reason = '', notes = '[]', purged_at = ? WHERE id IN %s`),
		[]auditScrub{{"passage", ""}}},
	{frontline.RetainCases, []string{`SELECT 0, c.id, c.path, COALESCE(c.closed_at, ?) AS ended
		FROM cases c WHERE c.purged_at IS NULL AND c.path >= ? AND c.path < ? AND (? = 1 OR c.status = 'closed')`}, nil,
		purgeStatements(
			`UPDATE cases SET note = '', close_reason = '', external_ref = '', reporter = '', purged_at = ? WHERE id IN %s`,
			`UPDATE transfers SET note = '', vehicle = '', crew = '' WHERE case_id IN %s`),
		[]auditScrub{{"case", ""}, {"transfer", `SELECT id FROM transfers WHERE case_id IN %s`}}},
	{frontline.RetainOrders, []string{`SELECT 0, o.id, o.path, COALESCE(o.updated_at, ?) AS ended
		FROM supply_orders o WHERE o.purged_at IS NULL AND o.path >= ? AND o.path < ?
		AND (? = 1 OR o.status IN ('delivered', 'returned', 'cancelled'))`}, nil,
		purgeStatements(
			`UPDATE supply_groups SET leader = '' WHERE id IN (SELECT group_id FROM supply_orders WHERE id IN %s)`,
			`UPDATE supply_orders SET note = '', complaint_answer = '' WHERE id IN %s`,
			`UPDATE delivery_complaints SET text = '', handled_note = '', handled_by = '' WHERE order_id IN %s`),
		[]auditScrub{{"supply_order", ""}, {"supply_group", `SELECT group_id FROM supply_orders WHERE id IN %s`},
			{"delivery_complaint", `SELECT id FROM delivery_complaints WHERE order_id IN %s`}}},
	{frontline.RetainDeliveries, []string{`SELECT 0, r.id, r.path, COALESCE(r.closed_at, ?) AS ended
		FROM delivery_runs r WHERE r.purged_at IS NULL AND r.path >= ? AND r.path < ? AND (? = 1 OR r.status = 'closed')`}, nil,
		purgeStatements(`UPDATE delivery_parcels SET note = '', by_actor = '', worker_id = NULL WHERE run_id IN %s`,
			`UPDATE delivery_runs SET created_by = '', closed_by = '' WHERE id IN %s`),
		[]auditScrub{{"delivery_run", ""}, {"delivery_parcel", `SELECT id FROM delivery_parcels WHERE run_id IN %s`}}},
	{frontline.RetainHelp, []string{`SELECT 0, h.id, h.path, COALESCE(h.resolved_at, ?) AS ended
		FROM help_requests h WHERE h.purged_at IS NULL AND h.path >= ? AND h.path < ? AND (? = 1 OR h.status = 'resolved')`}, nil,
		purgeStatements(
			`UPDATE help_requests SET need = '', phone = '', outcome = '', purged_at = ? WHERE id IN %s`,
			`UPDATE help_trips SET plate = '', hospital = '', note = '' WHERE request_id IN %s`),
		[]auditScrub{{"help_request", ""}, {"help_trip", `SELECT id FROM help_trips WHERE request_id IN %s`}}},
	{frontline.RetainMedicine, []string{`SELECT 0, m.id, m.path, COALESCE(m.updated_at, ?) AS ended
		FROM medicine_requests m WHERE m.purged_at IS NULL AND m.path >= ? AND m.path < ?
		AND (? = 1 OR m.status IN ('delivered', 'refused', 'cancelled'))`}, nil,
		// The medicine itself says what the person suffers from: it goes
		// with the photo, the words and the worker's name; the counts stay.
		purgeStatements(`UPDATE medicine_requests SET medicine = '', strength = '', for_whom = '', note = '', photo = NULL,
			photo_type = '', consult_note = '', given = '', refuse_reason = '', worker_name = '', person_id = NULL WHERE id IN %s`),
		[]auditScrub{{"medicine_request", ""}}},
	{frontline.RetainNotices, noticesQueries, nil, purgeNotices, nil}, // alerts' entries: purgeNotices
	{frontline.RetainWorkers, []string{`SELECT 0, w.id, pl.path, COALESCE(w.updated_at, ?) AS ended
		FROM workers w JOIN places pl ON pl.id = w.place_id
		WHERE w.purged_at IS NULL AND pl.path >= ? AND pl.path < ? AND (? = 1 OR w.retired)`}, nil,
		purgeWorkers, []auditScrub{{"worker", ""}}},
	{frontline.RetainVulnerable, []string{`SELECT 0, c.id, c.path, COALESCE(c.checked_at, ?) AS ended
		FROM vulnerable_checks c WHERE c.purged_at IS NULL AND c.path >= ? AND c.path < ? AND (? = 1 OR 1 = 1)`}, nil,
		purgeStatements(
			`UPDATE vulnerable_checks SET note = '', purged_at = ? WHERE id IN %s`,
			`UPDATE vulnerable_needs SET detail = '' WHERE check_id IN %s`),
		[]auditScrub{{"vulnerable_check", ""}}},
	{frontline.RetainResidents, nil, listResidents, purgeResidents, []auditScrub{{"person", ""}}},
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (tx *Tx) dueRecords(ctx context.Context, query string, args ...any) ([]dueRecord, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dueRecord
	for rows.Next() {
		var r dueRecord
		if err := rows.Scan(&r.group, &r.id, &r.path, looseTime{&r.ended}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// purgeStatements runs statements of the form "… WHERE x IN %s"; the
// first argument of a statement is now when it has one more placeholder
// than the list.
func purgeStatements(stmts ...string) func(ctx context.Context, tx *Tx, group int64, ids []int64, now time.Time) error {
	return func(ctx context.Context, tx *Tx, group int64, ids []int64, now time.Time) error {
		in := inList(len(ids))
		for _, s := range stmts {
			q := fmt.Sprintf(s, in)
			args := make([]any, 0, len(ids)+1)
			if strings.Count(q, "?") > len(ids) {
				args = append(args, now)
			}
			for _, id := range ids {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	}
}

// roundsQuery lists round members; the group is the round.
const roundsQuery = `SELECT rm.round_id, rm.person_id, rm.path, COALESCE(r.closed_at, ?) AS ended
	FROM round_members rm JOIN test_rounds r ON r.id = rm.round_id
	WHERE rm.purged_at IS NULL AND rm.path >= ? AND rm.path < ? AND (? = 1 OR r.status = 'closed')`

// purgeRounds empties a round's members: the excusal's note is the only
// free text; who was sampled stays as a count (the person's own entry is
// the residents' kind).
func purgeRounds(ctx context.Context, tx *Tx, round int64, persons []int64, now time.Time) error {
	args := []any{now, round}
	for _, id := range persons {
		args = append(args, id)
	}
	_, err := tx.ExecContext(ctx, `UPDATE round_members SET excuse_note = '', purged_at = ?
		WHERE round_id = ? AND person_id IN `+inList(len(persons)), args...)
	return err
}

// Notices: resolved alerts (group 0) keep their row with the detail
// emptied; notices sent (group 1) exist only to carry their text and go.
var noticesQueries = []string{
	`SELECT 0, a.id, a.path, COALESCE(a.resolved_at, ?) AS ended
		FROM alerts a WHERE a.purged_at IS NULL AND a.path >= ? AND a.path < ? AND (? = 1 OR a.resolved_at IS NOT NULL)`,
	`SELECT 1, o.id, pl.path, COALESCE(o.delivered_at, ?) AS ended
		FROM outbox o JOIN places pl ON pl.id = o.place_id
		WHERE pl.path >= ? AND pl.path < ? AND (? = 1 OR o.delivered_at IS NOT NULL)`,
}

func purgeNotices(ctx context.Context, tx *Tx, group int64, ids []int64, now time.Time) error {
	if group == 1 {
		return purgeStatements(`DELETE FROM outbox WHERE id IN %s`)(ctx, tx, group, ids, now)
	}
	if err := purgeStatements(`UPDATE alerts SET detail = '', ack_note = '', purged_at = ? WHERE id IN %s`)(ctx, tx, group, ids, now); err != nil {
		return err
	}
	return tx.scrubAudit(ctx, auditScrub{"alert", ""}, ids)
}

// purgeWorkers empties a worker's name and phone. The name is NOT NULL
// and unique per place and unit among those without a phone, so it
// becomes a placeholder with the row's id.
func purgeWorkers(ctx context.Context, tx *Tx, group int64, ids []int64, now time.Time) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE workers SET name = ?, phone = '', note = '', skills = '', purged_at = ? WHERE id = ?`,
			fmt.Sprintf("#%d", id), now, id); err != nil {
			return err
		}
	}
	return nil
}

// listResidents lists persons. In a retention purge a person is listed
// once every round, visit, measure and case of theirs has ended; their
// "end" is set so that they fall due when the last of those records is
// past its own rule and the residents' days have passed since the last
// workflow ended. A person with no such record is the community's
// registry and goes only at a stand-down.
func listResidents(ctx context.Context, tx *Tx, lo, hi string, all bool, now time.Time, rules *frontline.RetentionRules) ([]dueRecord, error) {
	if all {
		return tx.dueRecords(ctx, `SELECT 0, p.id, h.path, ? FROM persons p JOIN places h ON h.id = p.household_id
			WHERE p.purged_at IS NULL AND h.path >= ? AND h.path < ?`, now, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.id, h.path, e.kind, MAX(e.ended), SUM(e.open)
		FROM persons p JOIN places h ON h.id = p.household_id
		JOIN (
			SELECT rm.person_id AS pid, 'rounds' AS kind, r.closed_at AS ended, CASE WHEN r.status = 'closed' THEN 0 ELSE 1 END AS open
				FROM round_members rm JOIN test_rounds r ON r.id = rm.round_id
			UNION ALL SELECT vp.person_id, 'screening', c.closed_at, CASE WHEN c.status = 'closed' THEN 0 ELSE 1 END
				FROM screening_visit_persons vp JOIN screening_visits v ON v.id = vp.visit_id
				JOIN screening_campaigns c ON c.id = v.campaign_id
			UNION ALL SELECT m.person_id, 'measures', m.ended_at, CASE WHEN m.status = 'active' THEN 1 ELSE 0 END FROM screening_measures m
			UNION ALL SELECT cs.person_id, 'cases', cs.closed_at, CASE WHEN cs.status = 'closed' THEN 0 ELSE 1 END FROM cases cs
		) e ON e.pid = p.id
		WHERE p.purged_at IS NULL AND h.path >= ? AND h.path < ?
		GROUP BY p.id, h.path, e.kind
		ORDER BY p.id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dueRecord
	open := false
	res := rules.Days[frontline.RetainResidents]
	flush := func() {
		if n := len(out); n > 0 && open {
			out = out[:n-1]
		}
	}
	for rows.Next() {
		var id int64
		var path, kind string
		var ended time.Time
		var opens int
		if err := rows.Scan(&id, &path, &kind, looseTime{&ended}, &opens); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].id != id {
			flush()
			out = append(out, dueRecord{id: id, path: path})
			open = false
		}
		r := &out[len(out)-1]
		if opens > 0 || ended.IsZero() {
			open = true
			continue
		}
		// Due when ended+days(kind) and ended+days(residents) have both
		// passed: as an end counted with the residents' days, the later of
		// ended and ended+days(kind)-days(residents).
		eff := ended
		if k := ended.AddDate(0, 0, rules.Days[frontline.RetentionKind(kind)]-res); k.After(eff) {
			eff = k
		}
		if eff.After(r.ended) {
			r.ended = eff
		}
		if ended.After(r.day) {
			r.day = ended
		}
	}
	flush()
	return out, rows.Err()
}

// purgeResidents empties a person's registry entry: name, ID number (a
// placeholder keeps the unique index), phone, birth date (the audit log's
// entries about them are emptied with the kind's audits).
func purgeResidents(ctx context.Context, tx *Tx, group int64, ids []int64, now time.Time) error {
	// An opt-out from notices names a phone; once nobody left on file has
	// that phone, no notice can go to it and the opt-out goes too.
	in := inList(len(ids))
	args := append(int64Args(ids), int64Args(ids)...)
	if _, err := tx.ExecContext(ctx, `DELETE FROM notice_optouts
		WHERE phone IN (SELECT phone FROM persons WHERE id IN `+in+` AND phone <> '')
		AND phone NOT IN (SELECT phone FROM persons WHERE id NOT IN `+in+` AND purged_at IS NULL AND phone <> '')`, args...); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET name = '', id_number = ?, id_tail = '', phone = '', birth_date = '',
			purged_at = ? WHERE id = ?`, fmt.Sprintf("purged-%d", id), now, id); err != nil {
			return err
		}
	}
	return nil
}

// looseTime scans a timestamp that may come as text: SQLite returns the
// result of COALESCE or MAX over a TIMESTAMP column as the stored text,
// without the column's type. NULL scans as the zero time.
type looseTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d looseTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.t = time.Time{}
		return nil
	case time.Time:
		*d.t = x.UTC()
		return nil
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("a time of type %T", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999 -0700 MST", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			*d.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", s)
}

// claimTables are the tables whose purged_at marks a kind's records.
var claimTables = map[frontline.RetentionKind]string{
	frontline.RetainScreening: "screening_visits", frontline.RetainMeasures: "screening_measures",
	frontline.RetainPassages: "passages", frontline.RetainCases: "cases", frontline.RetainWorkers: "workers",
	frontline.RetainResidents: "persons", frontline.RetainOrders: "supply_orders",
	frontline.RetainDeliveries: "delivery_runs", frontline.RetainMedicine: "medicine_requests",
	frontline.RetainHelp:       "help_requests",
	frontline.RetainVulnerable: "vulnerable_checks",
}

// claim marks a batch's records purged and returns the ids it marked:
// those no other purge marked first. Two purges at once (two servers'
// jobs, or a purge started while a killed one's last commit lands) count
// and empty each record once: on PostgreSQL the second waits for the
// first's row locks and then finds purged_at set.
func (tx *Tx) claim(ctx context.Context, kind frontline.RetentionKind, group int64, ids []int64, now time.Time) ([]int64, error) {
	in, args := inList(len(ids)), int64Args(ids)
	var q string
	switch {
	case kind == frontline.RetainRounds:
		q, args = `UPDATE round_members SET purged_at = ? WHERE round_id = ? AND person_id IN `+in+` AND purged_at IS NULL RETURNING person_id`,
			append([]any{now, group}, args...)
	case kind == frontline.RetainNotices && group == 1:
		q = `DELETE FROM outbox WHERE id IN ` + in + ` RETURNING id`
	case kind == frontline.RetainNotices:
		q, args = `UPDATE alerts SET purged_at = ? WHERE id IN `+in+` AND purged_at IS NULL RETURNING id`, append([]any{now}, args...)
	default:
		table, ok := claimTables[kind]
		if !ok {
			return nil, fmt.Errorf("no table marks %s", kind)
		}
		q, args = `UPDATE `+table+` SET purged_at = ? WHERE id IN `+in+` AND purged_at IS NULL RETURNING id`, append([]any{now}, args...)
	}
	return tx.ids(ctx, q, args...)
}
