package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Rounds and the people who may not come down. A sealed zone samples at
// the door (its rule's HomeSampling), and a person whose restrictions
// refuse being called down (home isolation, a case) is sampled at home
// too. Both leave the call-up queues the same way a bedridden resident
// does: they stay pending, with the home sampling reason and a task for
// the home sampling team, so the round is not done without them, and the
// plan (planBuildings) counts only who may come down.

// Excuse notes recorded on the members moved to the home team, so the
// round's pages say why.
const (
	homeNoteZone        = "sealed zone: sampled at the door"
	homeNoteRestriction = "restricted: sampled at home"
)

// openRoundsOver returns the open rounds whose scope overlaps the node at
// path (holds it, or lies under it), with their scope paths.
func (tx *Tx) openRoundsOver(ctx context.Context, path string) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, s.path FROM test_rounds r JOIN places s ON s.id = r.scope_id WHERE r.status = ?`,
		string(frontline.RoundOpen))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var scope string
		if err := rows.Scan(&id, &scope); err != nil {
			return nil, err
		}
		if strings.HasPrefix(path, scope) || strings.HasPrefix(scope, path) {
			out[id] = scope
		}
	}
	return out, rows.Err()
}

// homeSampleZone turns the members of the open rounds living under a node
// just sealed into home sampling tasks, and withdraws the call-ups of the
// buildings the zone covers whole (their slots go from the plan): nobody
// in them is called down any more.
func (tx *Tx) homeSampleZone(ctx context.Context, place *frontline.Place, z *frontline.Zone) error {
	rounds, err := tx.openRoundsOver(ctx, place.Path)
	if err != nil {
		return err
	}
	buildings, err := tx.buildingsUnder(ctx, place)
	if err != nil {
		return err
	}
	for _, id := range sortedKeys(rounds) {
		n, err := tx.moveHome(ctx, id, place.Path, nil, homeNoteZone)
		if err != nil {
			return err
		}
		cancelled, err := tx.cancelCallUps(ctx, id, buildings)
		if err != nil {
			return err
		}
		if len(buildings) > 0 {
			ids := sortedKeys(buildings)
			for chunk := range slices.Chunk(ids, maxInList) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM sampling_slots WHERE round_id = ? AND building_id IN `+inList(len(chunk)),
					append([]any{id}, int64Args(chunk)...)...); err != nil {
					return err
				}
			}
		}
		if n > 0 || cancelled > 0 {
			if err := tx.audit(ctx, "home_sampling", "round", id, place.Path, nil, map[string]any{
				"zone_id": z.ID, "place_id": place.ID, "members": n, "call_ups_cancelled": cancelled}); err != nil {
				return err
			}
		}
	}
	return nil
}

// buildingsUnder returns the buildings a node covers whole: the node
// itself when it is a building, the buildings under it when it is wider,
// none when it is a unit or a household.
func (tx *Tx) buildingsUnder(ctx context.Context, place *frontline.Place) (map[int64]bool, error) {
	out := map[int64]bool{}
	switch {
	case place.Kind == frontline.KindBuilding:
		out[place.ID] = true
		return out, nil
	case place.Kind.Rank() > frontline.KindBuilding.Rank():
		return out, nil
	}
	lo, hi := subtreeRange(place.Path)
	rows, err := tx.QueryContext(ctx, `SELECT id FROM places WHERE path >= ? AND path < ? AND kind = ?`, lo, hi, string(frontline.KindBuilding))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// moveHome gives the home sampling team the members of a round under the
// node at path who are still to come down (pending, not already left to
// the team, not sampled), or only those of persons when it is not nil,
// and returns how many. Their status stays pending, so the counters do
// not change. The member rows are locked first, in person order, as the
// binding writer locks them: a person bound at a station meanwhile is
// either bound first (and not moved) or bound after, which withdraws the
// task as for anyone left to the home team who came down after all.
func (tx *Tx) moveHome(ctx context.Context, roundID int64, path string, persons map[int64]bool, note string) (int, error) {
	lo, hi := subtreeRange(path)
	rows, err := tx.QueryContext(ctx, `SELECT m.person_id, m.household_id, m.path FROM round_members m
		WHERE m.round_id = ? AND m.path >= ? AND m.path < ? AND m.status = ? AND m.excuse <> ?
		AND `+tx.db.unsampled("m")+`
		ORDER BY m.person_id`+tx.db.forUpdateOf("m"),
		roundID, lo, hi, string(frontline.MemberPending), string(frontline.ExcuseHomeSampling))
	if err != nil {
		return 0, err
	}
	var moved []*memberRow
	for rows.Next() {
		m := &memberRow{}
		if err := rows.Scan(&m.personID, &m.householdID, &m.path); err != nil {
			rows.Close()
			return 0, err
		}
		if persons == nil || persons[m.personID] {
			moved = append(moved, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return len(moved), tx.membersHome(ctx, roundID, moved, note)
}

// membersHome leaves the round's members moved, locked by the caller, to
// the home sampling team: excused with note, each with a home task.
func (tx *Tx) membersHome(ctx context.Context, roundID int64, moved []*memberRow, note string) error {
	actor := frontline.ActorFrom(ctx).String()
	for chunk := range slices.Chunk(moved, maxInList) {
		ids := make([]int64, len(chunk))
		for i, m := range chunk {
			ids[i] = m.personID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE round_members SET excuse = ?, excuse_note = ?, excused_by = ?, excused_at = ?
			WHERE round_id = ? AND person_id IN `+inList(len(ids)), append([]any{string(frontline.ExcuseHomeSampling), note, actor, tx.now, roundID},
			int64Args(ids)...)...); err != nil {
			return err
		}
	}
	insert := multiRow{prefix: `INSERT INTO retest_tasks (round_id, person_id, household_id, kind, status, created_at) `,
		types: []string{"BIGINT", "BIGINT", "BIGINT", "TEXT", "TEXT", "TIMESTAMPTZ"}}
	at := tx.timeArg()
	return insert.exec(ctx, tx, len(moved), func(i int, args []any) []any {
		m := moved[i]
		return append(args, roundID, m.personID, m.householdID, string(frontline.KindHome), string(frontline.RetestOpen), at)
	})
}

// homeCases leaves to the home sampling team the open rounds' members
// whom the cases just opened restrict — each case's person and their
// contacts — as homeKept does.
func (tx *Tx) homeCases(ctx context.Context, caseIDs []int64) error {
	var persons []int64
	add := func(sc interface{ Scan(...any) error }) error {
		var id int64
		err := sc.Scan(&id)
		persons = append(persons, id)
		return err
	}
	if err := tx.eachRow(ctx, `SELECT person_id FROM cases WHERE id IN %s`, caseIDs, add); err != nil {
		return err
	}
	if err := tx.eachRow(ctx, `SELECT person_id FROM case_contacts WHERE case_id IN %s`, caseIDs, add); err != nil {
		return err
	}
	return tx.homeKept(ctx, persons, "cases", caseIDs)
}

// homeKept leaves to the home sampling team the members of the open
// rounds among persons whom a restriction now refuses being called down,
// and withdraws the SMS call-ups of their households once nobody there is
// still called down. Saving a plan does so for the restrictions known
// then (homeRestricted); a case reported or a measure taken once the
// call-ups are out does it here, in its own transaction, so the
// household is not called down to a station that will refuse it. It asks
// restrictionsOf, the one call, under the default policy as deliveries
// do. The member rows are locked in round and person order, as the
// binding writer locks them. causeKey and cause name what restricted them
// in the audit row.
func (tx *Tx) homeKept(ctx context.Context, persons []int64, causeKey string, cause any) error {
	rs, err := tx.restrictionsOf(ctx, persons)
	if err != nil {
		return err
	}
	policy := frontline.DefaultRestrictionPolicy()
	var refused []int64
	for id, r := range rs {
		if r.Decide(frontline.ActCallDown, policy).Effect == frontline.EffectRefuse {
			refused = append(refused, id)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	slices.Sort(refused)
	byRound := map[int64][]*memberRow{}
	var rounds []int64
	for chunk := range slices.Chunk(refused, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT m.round_id, m.person_id, m.household_id, m.path FROM round_members m
			JOIN test_rounds r ON r.id = m.round_id
			WHERE r.status = ? AND m.status = ? AND m.excuse <> ? AND `+tx.db.unsampled("m")+` AND m.person_id IN `+inList(len(chunk))+`
			ORDER BY m.round_id, m.person_id`+tx.db.forUpdateOf("m"),
			append([]any{string(frontline.RoundOpen), string(frontline.MemberPending), string(frontline.ExcuseHomeSampling)}, int64Args(chunk)...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var round int64
			m := &memberRow{}
			if err := rows.Scan(&round, &m.personID, &m.householdID, &m.path); err != nil {
				rows.Close()
				return err
			}
			if byRound[round] == nil {
				rounds = append(rounds, round)
			}
			byRound[round] = append(byRound[round], m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	slices.Sort(rounds)
	for _, round := range rounds {
		moved := byRound[round]
		if err := tx.membersHome(ctx, round, moved, homeNoteRestriction); err != nil {
			return err
		}
		cancelled, err := tx.cancelHouseholdCallUps(ctx, round, moved)
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, "home_sampling", "round", round, moved[0].path, nil, map[string]any{
			causeKey: cause, "members": len(moved), "call_ups_cancelled": cancelled}); err != nil {
			return err
		}
	}
	return nil
}

// cancelHouseholdCallUps withdraws the round's pending SMS call-ups to
// the numbers of the households of moved in which nobody is still called
// down (pending, not excused), and returns how many.
func (tx *Tx) cancelHouseholdCallUps(ctx context.Context, roundID int64, moved []*memberRow) (int64, error) {
	var households []int64
	for _, m := range moved {
		households = append(households, m.householdID)
	}
	households = sortedUnique(households)
	var quiet []int64
	for _, hh := range households {
		var called int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM round_members WHERE round_id = ? AND household_id = ? AND status = ? AND excuse = ''`,
			roundID, hh, string(frontline.MemberPending)).Scan(&called); err != nil {
			return 0, err
		}
		if called == 0 {
			quiet = append(quiet, hh)
		}
	}
	phones, err := tx.householdPhones(ctx, quiet)
	if err != nil {
		return 0, err
	}
	var numbers []any
	for _, hh := range quiet {
		for _, p := range phones[hh] {
			numbers = append(numbers, p)
		}
	}
	var n int64
	for chunk := range slices.Chunk(numbers, maxInList) {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ? WHERE round_id = ? AND topic = ? AND channel = ? AND status = ?
			AND recipient IN `+inList(len(chunk)), append([]any{string(frontline.NoticeCancelled), roundID, frontline.TopicCallUp,
			frontline.SMSChannel, string(frontline.NoticePending)}, chunk...)...)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// homeRestricted moves the members of a round whose restrictions refuse
// being called down to the home sampling team: done when a plan is saved,
// since that is when call-ups are decided.
func (tx *Tx) homeRestricted(ctx context.Context, r *frontline.Round, policy frontline.RestrictionPolicy) (int, error) {
	restricted, err := tx.restrictedUnder(ctx, r.Scope.Path)
	if err != nil {
		return 0, err
	}
	persons := map[int64]bool{}
	for id, rs := range restricted {
		if rs.Decide(frontline.ActCallDown, policy).Effect == frontline.EffectRefuse {
			persons[id] = true
		}
	}
	if len(persons) == 0 {
		return 0, nil
	}
	return tx.moveHome(ctx, r.ID, r.Scope.Path, persons, homeNoteRestriction)
}

// homeZonesOf returns the paths of the active zones over or under a
// round's scope whose rule samples at the door.
func (tx *Tx) homeZonesOf(ctx context.Context, r *frontline.Round) ([]string, error) {
	zones, err := tx.activeAround(ctx, r.Scope.Path)
	if err != nil {
		return nil, err
	}
	rules, err := tx.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, z := range zones {
		if rule := rules[z.Level]; rule != nil && rule.HomeSampling {
			out = append(out, z.Place.Path)
		}
	}
	return out, nil
}

// homeSealed moves the members of a round living in a zone that samples
// at the door to the home sampling team: for a zone drawn before the round
// opened, done when the round's plan is saved.
func (tx *Tx) homeSealed(ctx context.Context, r *frontline.Round) (int, error) {
	paths, err := tx.homeZonesOf(ctx, r)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range paths {
		// A zone above the scope covers the round's whole scope.
		if strings.HasPrefix(r.Scope.Path, p) {
			p = r.Scope.Path
		}
		k, err := tx.moveHome(ctx, r.ID, p, nil, homeNoteZone)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}
