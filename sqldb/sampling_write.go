package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// write stores what decide changed: late members, bindings, tubes,
// counters and flow, in that order (the lock order of every transaction
// that touches them). No member row changes: a person is sampled by
// having a live binding.
func (b *batch) write(ctx context.Context) error {
	if err := b.reserveBindings(ctx); err != nil {
		return err
	}
	// Nothing below reads an answer: on PostgreSQL it is one round trip.
	b.tx.beginPipeline()
	for _, step := range []func(context.Context) error{
		b.insertLate, b.insertBindings, b.updateTubes,
		func(ctx context.Context) error { return b.counts.write(ctx, b.tx) },
		func(ctx context.Context) error { return writeFlow(ctx, b.tx, b.flow) },
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return b.tx.flushPipeline(ctx)
}

var lateInsert = multiRow{prefix: `INSERT INTO round_members (round_id, person_id, household_id, path, status, added_by, added_at) `,
	types: []string{"BIGINT", "BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT", "TIMESTAMPTZ"}}

// hotRows are the multi-row statements of the binding writer, prepared
// once when it starts.
func hotRows() []multiRow {
	return []multiRow{tubeInsert, lateInsert, bindingInsert, requestInsert, tubeUpdate, countsUpsert, flowUpsert}
}

// insertLate adds the members who moved in after their round opened.
func (b *batch) insertLate(ctx context.Context) error {
	var late []*batchMember
	added := map[int64]int{}
	for _, m := range b.members {
		if m.added {
			late = append(late, m)
			added[m.roundID]++
		}
	}
	if len(late) == 0 {
		return nil
	}
	slices.SortFunc(late, func(x, y *batchMember) int { return cmpInt64(x.personID, y.personID) })
	by := map[*batchMember]string{}
	for _, nb := range b.binds {
		by[nb.member] = nb.job.actor
	}
	at := b.tx.timeArg()
	err := lateInsert.exec(ctx, b.tx, len(late), func(i int, args []any) []any {
		m := late[i]
		actor := by[m]
		if actor == "" {
			actor = "sampling" // came to a table but was not bound
		}
		return append(args, m.roundID, m.personID, m.householdID, m.path, string(frontline.MemberPending), actor, at)
	})
	if err != nil {
		return err
	}
	for _, roundID := range sortedKeys(added) {
		if err := b.tx.execPiped(ctx, `UPDATE test_rounds SET expected = expected + ? WHERE id = ?`, added[roundID], roundID); err != nil {
			return err
		}
	}
	return nil
}

var bindingInsert = multiRow{
	prefix: `INSERT INTO bindings (id, round_id, tube_id, person_id, station_id, bound_at, bound_by) `,
	types:  []string{"BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "TIMESTAMPTZ", "TEXT"}}

var requestInsert = multiRow{prefix: `INSERT INTO sampling_requests (request_id, round_id, tube_id, items, at) `,
	types: []string{"TEXT", "BIGINT", "BIGINT", "TEXT", "TIMESTAMPTZ"}}

// reserveBindings reserves the new bindings' ids, which spares reading
// back a RETURNING row per binding and gives each answer item its
// binding's id before the writes.
func (b *batch) reserveBindings(ctx context.Context) error {
	ids, err := b.tx.nextIDs(ctx, "bindings", len(b.binds))
	if err != nil {
		return err
	}
	for i, nb := range b.binds {
		nb.id = ids[i]
		nb.job.answer.Items[nb.item].BindingID = nb.id
	}
	return nil
}

// insertBindings writes the new bindings with their reserved ids and
// records each request that bound someone.
func (b *batch) insertBindings(ctx context.Context) error {
	at := b.tx.timeArg()
	err := bindingInsert.exec(ctx, b.tx, len(b.binds), func(i int, args []any) []any {
		nb := b.binds[i]
		return append(args, nb.id, nb.member.roundID, nb.tube.ID, nb.member.personID, nullID(nb.job.req.StationID), at, nb.job.actor)
	})
	if err != nil {
		return err
	}
	// One row per request that bound someone: what a retry answers with.
	var bound []*bindJob
	for _, j := range b.jobs {
		if j.answer.Bound() > 0 {
			bound = append(bound, j)
		}
	}
	return requestInsert.exec(ctx, b.tx, len(bound), func(i int, args []any) []any {
		j := bound[i]
		return append(args, j.req.RequestID, j.req.RoundID, b.tubes[j.req.TubeCode].ID, formatItems(j.answer.Items), at)
	})
}

var tubeUpdate = multiRow{
	types: []string{"BIGINT", "TEXT", "INTEGER", "INTEGER", "TEXT", "BIGINT", "TIMESTAMPTZ"},
	prefix: `UPDATE tubes AS t SET mode = v.column2, capacity = v.column3, count = v.column4, state = v.column5,
		household_id = v.column6, sealed_at = v.column7 FROM (`,
	suffix: `) AS v WHERE t.id = v.column1`}

// updateTubes stores the tubes that took persons or were sealed.
func (b *batch) updateTubes(ctx context.Context) error {
	var dirty []*tubeRow
	for _, t := range b.tubes {
		if t.dirty {
			dirty = append(dirty, t)
		}
	}
	slices.SortFunc(dirty, func(x, y *tubeRow) int { return cmpInt64(x.ID, y.ID) })
	return tubeUpdate.exec(ctx, b.tx, len(dirty), func(i int, args []any) []any {
		t := dirty[i]
		return append(args, t.ID, string(t.Mode), t.Capacity, t.Count, string(t.State), nullID(t.HouseholdID), b.tx.timeValue(t.SealedAt))
	})
}

var flowUpsert = multiRow{types: []string{"BIGINT", "TEXT", "BIGINT", "BIGINT", "INTEGER"},
	prefix: `INSERT INTO sampling_flow (round_id, scope, key_id, bucket, n) `,
	suffix: ` ON CONFLICT (round_id, scope, key_id, bucket) DO UPDATE SET n = sampling_flow.n + excluded.n`}

// writeFlow adds the flow counts in key order (the lock order).
func writeFlow(ctx context.Context, tx *Tx, flow map[flowKey]int) error {
	keys := make([]flowKey, 0, len(flow))
	for k, n := range flow {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b flowKey) int {
		if c := cmpInt64(a.round, b.round); c != 0 {
			return c
		}
		if c := strings.Compare(a.scope, b.scope); c != 0 {
			return c
		}
		if c := cmpInt64(a.key, b.key); c != 0 {
			return c
		}
		return cmpInt64(a.bucket, b.bucket)
	})
	return flowUpsert.exec(ctx, tx, len(keys), func(i int, args []any) []any {
		k := keys[i]
		return append(args, k.round, k.scope, k.key, k.bucket, flow[k])
	})
}

// priors tells each person refused as already sampled where, when and in
// which tube they were.
func (b *batch) priors(ctx context.Context) error {
	byRound := map[int64][]int64{}
	for _, ref := range b.prior {
		it := ref.job.answer.Items[ref.item]
		byRound[ref.job.req.RoundID] = append(byRound[ref.job.req.RoundID], it.PersonID)
	}
	found := map[countKey]*frontline.PriorSample{}
	for roundID, ids := range byRound {
		ids = sortedUnique(ids)
		rows, err := b.tx.queryIn(ctx, `SELECT b.person_id, b.bound_at, t.code, COALESCE(st.name, ''), COALESCE(si.name, '')
			FROM bindings b JOIN tubes t ON t.id = b.tube_id
			LEFT JOIN sampling_stations st ON st.id = b.station_id LEFT JOIN sampling_sites si ON si.id = st.site_id
			WHERE b.round_id = ? AND b.undone_at IS NULL AND b.person_id IN %s`, []any{roundID}, int64Args(ids))
		if err != nil {
			return err
		}
		for rows.Next() {
			var pid int64
			p := &frontline.PriorSample{}
			if err := rows.Scan(&pid, &p.At, &p.TubeCode, &p.Station, &p.Site); err != nil {
				rows.Close()
				return err
			}
			p.At = p.At.UTC()
			found[countKey{roundID, pid}] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, ref := range b.prior {
		it := &ref.job.answer.Items[ref.item]
		if p := found[countKey{ref.job.req.RoundID, it.PersonID}]; p != nil {
			it.Prior = p
			it.Error.Message = fmt.Sprintf("person %d is already sampled in this round, in tube %s", it.PersonID, p.TubeCode)
		}
	}
	return nil
}
