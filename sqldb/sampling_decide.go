package sqldb

import (
	"context"
	"fmt"
	"slices"

	"github.com/frontline-org/frontline"
)

// idChunk bounds the ids of one IN list.
const idChunk = 1000

// loadMembers locks the members the batch binds (by person, or every
// member of a household for household tubes), in person order per round,
// in one pass: a pass by person and another by household would each be in
// order but not the two together, and two servers' writers binding a
// household and one of its members at once would each hold what the other
// waits for. Persons not in a round but living under its scope moved in
// after it opened: they are added, as a person who comes to the table is
// there.
func (b *batch) loadMembers(ctx context.Context) error {
	persons, homes := map[int64][]int64{}, map[int64][]int64{}
	for _, j := range b.jobs {
		if _, err := b.openRound(j); err != nil {
			continue
		}
		persons[j.req.RoundID] = append(persons[j.req.RoundID], j.req.PersonIDs...)
		if j.req.HouseholdID > 0 {
			homes[j.req.RoundID] = append(homes[j.req.RoundID], j.req.HouseholdID)
		}
	}
	for _, roundID := range sortedKeys(b.rounds) {
		ids := sortedUnique(persons[roundID])
		households := sortedUnique(homes[roundID])
		// A household's members are looked up without a lock and then
		// locked with the rest; one who joins the household meanwhile
		// is bound by the next request, as if they had come later.
		inHomes, err := b.householdMembers(ctx, roundID, households)
		if err != nil {
			return err
		}
		all := sortedUnique(append(slices.Clone(ids), inHomes...))
		// On PostgreSQL the members are locked and their bindings read
		// in one round trip: the server runs the read after the locks.
		b.tx.beginPipeline()
		if err := b.selectMembers(ctx, roundID, all, households); err != nil {
			return err
		}
		if err := b.loadSampled(ctx, roundID, all); err != nil {
			return err
		}
		if err := b.tx.flushPipeline(ctx); err != nil {
			return err
		}
		var missing []int64
		for _, id := range ids {
			if b.members[countKey{roundID, id}] == nil {
				missing = append(missing, id)
			}
		}
		if err := b.addLate(ctx, b.rounds[roundID], missing); err != nil {
			return err
		}
	}
	// A household tube holds the members still to sample: not those
	// sampled already, excused, or left to the home sampling team. Counted
	// once the live bindings are known, so the tube seals itself when the
	// last of them is in.
	for hk, persons := range b.homes {
		n := 0
		for _, id := range persons {
			if m := b.members[countKey{hk.round, id}]; m != nil && m.toSample() {
				n++
			}
		}
		b.sizes[hk] = n
	}
	return nil
}

// loadSampled marks the members among ids (sorted) who have a live
// binding in the round. It is its own statement, run after the member rows
// are locked, so that on PostgreSQL it sees a binding another server
// committed while this batch waited for the lock. Members who moved in
// since the round opened (added later by addLate) have none.
func (b *batch) loadSampled(ctx context.Context, roundID int64, ids []int64) error {
	if b.tx.db.Engine == SQLite {
		return nil // read with the members: no other writer exists
	}
	for start := 0; start < len(ids); start += idChunk {
		part := ids[start:min(start+idChunk, len(ids))]
		err := b.tx.eachIn(ctx, `SELECT person_id FROM bindings WHERE round_id = ? AND undone_at IS NULL
			AND person_id IN %s`, []any{roundID}, int64Args(part), func(row rowScanner) error {
			var id int64
			if err := row.Scan(&id); err != nil {
				return err
			}
			if m := b.members[countKey{roundID, id}]; m != nil {
				m.sampled = true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// householdMembers returns the person ids of the members of households.
func (b *batch) householdMembers(ctx context.Context, roundID int64, households []int64) ([]int64, error) {
	var ids []int64
	for start := 0; start < len(households); start += idChunk {
		part := households[start:min(start+idChunk, len(households))]
		rows, err := b.tx.queryIn(ctx, `SELECT person_id FROM round_members WHERE round_id = ? AND household_id IN %s`,
			[]any{roundID}, int64Args(part))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// selectMembers reads the members of ids (sorted), and lists those of
// households (sorted) in b.homes. On SQLite it reads whether each has a
// live binding in the same statement; on PostgreSQL it locks the rows, in
// person order (the chunks are in order too), and loadSampled reads the
// bindings after.
func (b *batch) selectMembers(ctx context.Context, roundID int64, ids, households []int64) error {
	q := `SELECT m.person_id, m.household_id, m.status, m.path, m.excuse, false FROM round_members m
		WHERE m.round_id = ? AND m.person_id IN %s ORDER BY m.person_id` + b.tx.db.forUpdateOf("m")
	if b.tx.db.Engine == SQLite {
		q = `SELECT m.person_id, m.household_id, m.status, m.path, m.excuse, b.id IS NOT NULL FROM round_members m
			LEFT JOIN bindings b ON b.round_id = m.round_id AND b.person_id = m.person_id AND b.undone_at IS NULL
			WHERE m.round_id = ? AND m.person_id IN %s`
	}
	for start := 0; start < len(ids); start += idChunk {
		part := ids[start:min(start+idChunk, len(ids))]
		err := b.tx.eachIn(ctx, q, []any{roundID}, int64Args(part), func(row rowScanner) error {
			m := &batchMember{roundID: roundID}
			if err := row.Scan(&m.personID, &m.householdID, &m.status, &m.path, &m.excuse, &m.sampled); err != nil {
				return err
			}
			k := countKey{roundID, m.personID}
			if b.members[k] == nil {
				b.members[k] = m
			}
			if _, found := slices.BinarySearch(households, m.householdID); found {
				hk := countKey{roundID, m.householdID}
				b.homes[hk] = append(b.homes[hk], m.personID)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// addLate makes members of registered persons who live under the round's
// scope but were not there when it opened.
func (b *batch) addLate(ctx context.Context, r *batchRound, ids []int64) error {
	if len(ids) == 0 || r == nil {
		return nil
	}
	lo, hi := subtreeRange(r.scope)
	rows, err := b.tx.queryIn(ctx, `SELECT p.id, p.household_id, h.path FROM persons p JOIN places h ON h.id = p.household_id
		WHERE p.status <> ? AND h.path >= ? AND h.path < ? AND p.id IN %s`,
		[]any{string(frontline.StatusMovedOut), lo, hi}, int64Args(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		m := &batchMember{roundID: r.id, added: true}
		m.status = frontline.MemberPending
		if err := rows.Scan(&m.personID, &m.householdID, &m.path); err != nil {
			return err
		}
		b.members[countKey{r.id, m.personID}] = m
		b.counts.addPath(r.id, r.scope, m.path, roundDelta{expected: 1})
	}
	return rows.Err()
}

// loadLevels asks the zones for the level of each household the batch
// binds, and counts the households whose rule is one tube per household.
func (b *batch) loadLevels(ctx context.Context) error {
	b.levels = map[int64]string{}
	if len(b.members) == 0 {
		return nil
	}
	if b.svc.opts.Levels == nil {
		return b.householdSizes(ctx)
	}
	homes := make(map[int64]string, len(b.members))
	for _, m := range b.members {
		homes[m.householdID] = m.path
	}
	levels, err := b.svc.opts.Levels(ctx, homes)
	if err != nil {
		return fmt.Errorf("zone levels: %w", err)
	}
	b.levels = levels
	return b.householdSizes(ctx)
}

// loadRestrictions asks for the restrictions of the persons the batch
// binds, once for the whole batch.
func (b *batch) loadRestrictions(ctx context.Context) error {
	if b.svc.opts.Restrictions == nil || len(b.members) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(b.members))
	for k := range b.members {
		ids = append(ids, k.place) // the person, in a member key
	}
	rs, err := b.svc.opts.Restrictions(ctx, sortedUnique(ids))
	if err != nil {
		return fmt.Errorf("restrictions: %w", err)
	}
	b.restricted = rs
	return nil
}

// householdSizes counts the members of households whose zone calls for a
// household tube, when they are bound person by person.
func (b *batch) householdSizes(ctx context.Context) error {
	need := map[int64][]int64{}
	for k, m := range b.members {
		r := b.rounds[k.round]
		hk := countKey{k.round, m.householdID}
		if r != nil && r.policy.Rule(b.levels[m.householdID]).Mode == frontline.PoolHousehold && b.sizes[hk] == 0 {
			need[k.round] = append(need[k.round], m.householdID)
		}
	}
	for roundID, homes := range need {
		homes = sortedUnique(homes)
		// The members still to sample, as loadMembers counts them.
		rows, err := b.tx.queryIn(ctx, `SELECT m.household_id, COUNT(*) FROM round_members m
			WHERE m.round_id = ? AND m.status = ? AND m.excuse <> ?
			AND `+b.tx.db.unsampled("m")+`
			AND m.household_id IN %s GROUP BY m.household_id`,
			[]any{roundID, string(frontline.MemberPending), string(frontline.ExcuseHomeSampling)}, int64Args(homes))
		if err != nil {
			return err
		}
		for rows.Next() {
			var hh int64
			var n int
			if err := rows.Scan(&hh, &n); err != nil {
				rows.Close()
				return err
			}
			b.sizes[countKey{roundID, hh}] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// present returns the members of a household a household scan binds: those
// still to sample, and those sampled already (refused with where, so the
// sampler sees it). Members excused (away, in hospital) or left to the home
// team are not at the table, and a scan of the household's code must not
// record them as sampled. Only members the request's caller may see are
// answered: a household outside a station's scope is one with nobody to
// sample, and its refusal names none of its members.
func (b *batch) present(j *bindJob, roundID, household int64) []int64 {
	var out []int64
	for _, id := range b.homes[countKey{roundID, household}] {
		if m := b.members[countKey{roundID, id}]; m != nil && (m.toSample() || m.sampled) && visible(j.ctx, m.path) {
			out = append(out, id)
		}
	}
	return out
}

// decide answers every request in arrival order against the rows read,
// changing them in memory; write then stores what changed.
func (b *batch) decide() {
	bucket := frontline.FlowBucketOf(b.tx.now).Unix()
	for _, j := range b.jobs {
		a := j.answer
		r, err := b.openRound(j)
		if err != nil {
			a.Error = frontline.NewItemError(err)
			continue
		}
		t := b.tubes[j.req.TubeCode]
		switch {
		case t == nil:
			a.Error = frontline.NewItemError(frontline.Errorf(frontline.EINTERNAL, "tube %s was not opened", j.req.TubeCode))
			continue
		case t.RoundID != r.id:
			a.Error = frontline.NewItemError(frontline.Refuse(frontline.RefusedOtherRound, "tube %s belongs to another round", t.Code))
			continue
		case t.Retest:
			a.Error = frontline.NewItemError(frontline.Refuse(frontline.RefusedRetestTube, "tube %s is a home re-test tube", t.Code))
			continue
		}
		persons := j.req.PersonIDs
		if j.req.HouseholdID > 0 {
			if persons = b.present(j, r.id, j.req.HouseholdID); len(persons) == 0 {
				a.Error = frontline.NewItemError(frontline.Refuse(frontline.RefusedNoHousehold, "household %d has nobody left to sample in this round", j.req.HouseholdID))
			}
		}
		for i, pid := range persons {
			a.Items = append(a.Items, b.bindOne(j, r, t, i, pid, bucket))
		}
		if j.req.Seal {
			wasOpen := t.State == frontline.TubeOpen
			if err := t.Seal(); err != nil {
				a.Error = frontline.NewItemError(err)
			} else if wasOpen {
				t.SealedAt, t.dirty = b.tx.now, true
			}
		}
		snapshot := t.Tube
		a.Tube = &snapshot
	}
}

// bindOne decides one person of request j: item i, into tube t.
func (b *batch) bindOne(j *bindJob, r *batchRound, t *tubeRow, i int, pid int64, bucket int64) frontline.BindItem {
	it := frontline.BindItem{PersonID: pid}
	m := b.members[countKey{r.id, pid}]
	switch {
	case m == nil || !visible(j.ctx, m.path):
		it.Error = frontline.NewItemError(frontline.Refuse(frontline.RefusedNotMember, "person %d is not registered under %s", pid, r.name))
		return it
	case m.sampled:
		it.Error = frontline.NewItemError(frontline.Refuse(frontline.RefusedAlreadySampled, "person %d is already sampled in this round", pid))
		b.prior = append(b.prior, &bindItemRef{job: j, item: i})
		return it
	}
	if rs := b.restricted[pid]; rs != nil {
		policy := b.svc.opts.Policy
		if policy == nil {
			policy = frontline.DefaultRestrictionPolicy()
		}
		switch d := rs.Decide(frontline.ActStation, policy); d.Effect {
		case frontline.EffectRefuse:
			it.Restriction = d.By.Kind
			it.Error = frontline.NewItemError(frontline.Refuse(frontline.RefusedRestricted,
				"person %d is under %s: sampled at home by the home sampling team, not at a station", pid, d.By.Kind))
			return it
		case frontline.EffectNote:
			it.Restriction = d.By.Kind
		}
	}
	wasOpen := t.State == frontline.TubeOpen
	rule := r.policy.Rule(b.levels[m.householdID])
	if err := t.Take(rule, m.householdID, b.sizes[countKey{r.id, m.householdID}]); err != nil {
		it.Error = frontline.NewItemError(err)
		return it
	}
	if wasOpen && t.State == frontline.TubeSealed {
		t.SealedAt = b.tx.now
	}
	t.dirty = true
	d := roundDelta{sampled: 1}
	if m.status == frontline.MemberExcused {
		d.excused = -1
	}
	m.sampled = true
	b.addHome(r, m.path, d)
	if j.req.StationID > 0 {
		b.flow[flowKey{r.id, "s", j.req.StationID, bucket}]++
	}
	b.binds = append(b.binds, &newBinding{job: j, item: i, tube: t, member: m})
	it.OK = true
	return it
}

// homeKey names one household's changes in a batch.
type homeKey struct {
	round int64
	path  string
}

// addHome adds a change under one household. Changes are summed per
// household first and spread over the household's ancestors once per
// batch (spreadHomes), not once per person.
func (b *batch) addHome(r *batchRound, path string, d roundDelta) {
	k := homeKey{r.id, path}
	if b.homeDeltas[k] == nil {
		b.homeDeltas[k] = &roundDelta{}
	}
	b.homeDeltas[k].add(d)
}

// spreadHomes adds each household's changes to the counters of its
// ancestors and its sampled persons to the flow of the bucket.
func (b *batch) spreadHomes() {
	bucket := frontline.FlowBucketOf(b.tx.now).Unix()
	for k, d := range b.homeDeltas {
		r := b.rounds[k.round]
		b.counts.addPath(k.round, r.scope, k.path, *d)
		if d.sampled != 0 {
			addFlow(b.flow, k.round, r.scope, k.path, 0, bucket, d.sampled)
		}
	}
}

func addFlow(flow map[flowKey]int, roundID int64, scope, path string, station, bucket int64, n int) {
	nodes := countedNodes(scope, path)
	for _, id := range nodes[:min(len(nodes), flowDepth+1)] {
		flow[flowKey{roundID, "p", id, bucket}] += n
	}
	if station > 0 {
		flow[flowKey{roundID, "s", station, bucket}] += n
	}
}

func sortedUnique(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
