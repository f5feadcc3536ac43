package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// batch is one writer transaction: the requests it answers and what it
// read and decided. Everything is read with one query per kind of row, in
// a fixed order (tubes, then members, then counters), whatever the batch's
// size: on PostgreSQL each statement is a round trip, and taking row locks
// in one order keeps two servers' writers from deadlocking.
type batch struct {
	svc     *SamplingService
	tx      *Tx
	jobs    []*bindJob            // to decide, in arrival order
	dups    map[*bindJob]*bindJob // a request sent twice in one batch → its first copy
	rounds  map[int64]*batchRound
	tubes   map[string]*tubeRow
	members map[countKey]*batchMember // (round, person)
	homes   map[countKey][]int64      // (round, household) → persons, for household tubes
	sizes   map[countKey]int          // (round, household) → persons in the round
	levels  map[int64]string          // household → zone level
	// restricted are the restrictions of the batch's persons.
	restricted map[int64]*frontline.Restrictions
	binds      []*newBinding
	counts     roundCounts
	// homeDeltas are the batch's counter changes per household, spread
	// over the ancestors once the batch is decided.
	homeDeltas map[homeKey]*roundDelta
	flow       map[flowKey]int
	prior      []*bindItemRef // refused as already sampled: find where
}

type batchRound struct {
	id     int64
	name   string
	status frontline.RoundStatus
	scope  string
	policy frontline.PoolPolicy
}

type tubeRow struct {
	frontline.Tube
	dirty bool
}

type batchMember struct {
	memberRow
	roundID int64
	added   bool // not in the round yet: moved in after it opened
}

type newBinding struct {
	job    *bindJob
	item   int
	tube   *tubeRow
	member *batchMember
	id     int64
}

// bindItemRef points at one item of an answer.
type bindItemRef struct {
	job  *bindJob
	item int
}

type flowKey struct {
	round  int64
	scope  string
	key    int64
	bucket int64
}

// flowDepth is how many levels below a round's scope keep a per-node
// flow of persons sampled per ten minutes; deeper nodes are small enough
// to count from their bindings.
const flowDepth = 3

// runBatch decides and writes a batch in one transaction and fills each
// job's answer. On error nothing is written and the answers are garbage.
func (s *SamplingService) runBatch(ctx context.Context, jobs []*bindJob) error {
	tx, err := s.db.BeginTx(bindingWriter(ctx)) // first through SQLite's write gate
	if err != nil {
		return err
	}
	defer tx.Rollback()
	b := &batch{svc: s, tx: tx, dups: map[*bindJob]*bindJob{}, rounds: map[int64]*batchRound{},
		tubes: map[string]*tubeRow{}, members: map[countKey]*batchMember{}, homes: map[countKey][]int64{},
		sizes: map[countKey]int{}, counts: roundCounts{}, homeDeltas: map[homeKey]*roundDelta{}, flow: map[flowKey]int{}}
	for _, j := range jobs {
		j.answer = &frontline.BindAnswer{RequestID: j.req.RequestID, Items: []frontline.BindItem{}}
	}
	// On PostgreSQL the replays and the rounds go in one round trip, the
	// tubes in another, the members and their bindings in a third, and
	// every write in one more (pipeline.go).
	replayed := map[*bindJob]bool{}
	steps := []func(context.Context) error{
		func(ctx context.Context) error {
			tx.beginPipeline()
			if err := b.replays(ctx, jobs, replayed); err != nil {
				return err
			}
			if err := b.loadRounds(ctx, jobs); err != nil {
				return err
			}
			return tx.flushPipeline(ctx)
		},
		func(context.Context) error { b.pickJobs(jobs, replayed); return nil },
		b.loadTubes, b.loadMembers, b.loadLevels, b.loadRestrictions,
		func(context.Context) error { b.decide(); b.spreadHomes(); return nil },
		b.write, b.priors,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for dup, first := range b.dups {
		a := *first.answer
		a.Replayed = true
		dup.answer = &a
	}
	return nil
}

// replays answers requests whose id was committed before (a station that
// lost the answer and sent again) from what they bound then, marking them
// in replayed, and links a request sent twice within the batch to its
// first copy. On PostgreSQL the reads are queued in the open pipeline.
func (b *batch) replays(ctx context.Context, jobs []*bindJob, replayed map[*bindJob]bool) error {
	first := map[string]*bindJob{}
	var ids []any
	for _, j := range jobs {
		if f := first[j.req.RequestID]; f != nil {
			b.dups[j] = f
			continue
		}
		first[j.req.RequestID] = j
		ids = append(ids, j.req.RequestID)
	}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		err := b.tx.eachIn(ctx, `SELECT r.request_id, r.items, `+tubeColumns+`
			FROM sampling_requests r JOIN tubes t ON t.id = r.tube_id WHERE r.request_id IN %s`, nil, part,
			func(row rowScanner) error {
				var rid, items string
				var t frontline.Tube
				if err := row.Scan(append([]any{&rid, &items}, tubeDest(&t)...)...); err != nil {
					return err
				}
				j := first[rid]
				j.answer.Items, j.answer.Tube, j.answer.Replayed = parseItems(items), &t, true
				replayed[j] = true
				return nil
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// pickJobs leaves to decide the requests that are neither replayed nor a
// copy of another in the batch.
func (b *batch) pickJobs(jobs []*bindJob, replayed map[*bindJob]bool) {
	for _, j := range jobs {
		if _, dup := b.dups[j]; !dup && !replayed[j] {
			b.jobs = append(b.jobs, j)
		}
	}
}

// formatItems writes the persons a request bound, with their bindings,
// as sampling_requests keeps them: "person:binding" pairs.
func formatItems(items []frontline.BindItem) string {
	var b strings.Builder
	for _, it := range items {
		if it.OK {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatInt(it.PersonID, 10))
			b.WriteByte(':')
			b.WriteString(strconv.FormatInt(it.BindingID, 10))
		}
	}
	return b.String()
}

// parseItems reads what formatItems wrote back into answer items.
func parseItems(s string) []frontline.BindItem {
	var out []frontline.BindItem
	for _, pair := range strings.Fields(s) {
		p, b, _ := strings.Cut(pair, ":")
		pid, _ := strconv.ParseInt(p, 10, 64)
		bid, _ := strconv.ParseInt(b, 10, 64)
		out = append(out, frontline.BindItem{PersonID: pid, BindingID: bid, OK: true})
	}
	return out
}

// loadRounds reads the rounds of the batch's requests (of the replayed
// ones too, so that it can go in the replays' round trip).
func (b *batch) loadRounds(ctx context.Context, jobs []*bindJob) error {
	var ids []int64
	for _, j := range jobs {
		if !slices.Contains(ids, j.req.RoundID) {
			ids = append(ids, j.req.RoundID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return b.tx.eachIn(ctx, `SELECT r.id, r.name, r.status, r.pool_policy, sc.path
		FROM test_rounds r JOIN places sc ON sc.id = r.scope_id WHERE r.id IN %s`, nil, int64Args(ids),
		func(row rowScanner) error {
			r := &batchRound{}
			var policy string
			if err := row.Scan(&r.id, &r.name, &r.status, &policy, &r.scope); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(policy), &r.policy); err != nil {
				return err
			}
			b.rounds[r.id] = r
			return nil
		})
}

// openRound returns the round of a job when it takes bindings.
func (b *batch) openRound(j *bindJob) (*batchRound, error) {
	r := b.rounds[j.req.RoundID]
	if r == nil || !roundVisible(j.ctx, r.scope) {
		return nil, roundNotFound(j.req.RoundID)
	}
	if r.status != frontline.RoundOpen {
		return nil, frontline.Refuse(frontline.RefusedRoundNotOpen, "round %s is %s; it takes no samples", r.name, r.status)
	}
	return r, nil
}

const tubeColumns = `t.id, t.round_id, t.code, COALESCE(t.station_id, 0), t.mode, t.capacity, t.count, t.state,
	COALESCE(t.household_id, 0), t.retest, COALESCE(t.bag_id, 0), t.result, t.opened_at, t.opened_by, t.sealed_at, t.result_at`

// tubeDest returns the scan destinations of tubeColumns.
func tubeDest(t *frontline.Tube) []any {
	return []any{&t.ID, &t.RoundID, &t.Code, &t.StationID, &t.Mode, &t.Capacity, &t.Count, &t.State,
		&t.HouseholdID, &t.Retest, &t.BagID, &t.Result, &t.OpenedAt, &t.OpenedBy, nullTimeDest{&t.SealedAt}, nullTimeDest{&t.ResultAt}}
}

// nullTimeDest scans a nullable timestamp into a time.Time: zero for
// NULL, UTC otherwise.
type nullTimeDest struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d nullTimeDest) Scan(v any) error {
	var nt sql.NullTime
	if err := nt.Scan(v); err != nil {
		return err
	}
	*d.t = nullTime(nt)
	return nil
}

// loadTubes locks the batch's tubes and opens those scanned for the first
// time. On PostgreSQL every code is inserted first (an existing tube's
// insert does nothing) and then every tube is locked, both in code order:
// locking the existing tubes, then inserting the new ones and locking
// those another server inserted meanwhile would take them in two orders,
// and two servers opening and reusing the same tubes at once could each
// hold what the other waits for. SQLite has one writer: it reads, then
// opens what is missing.
func (b *batch) loadTubes(ctx context.Context) error {
	var first []*bindJob // the first job of each code, in code order
	for _, j := range b.jobs {
		if _, err := b.openRound(j); err == nil && !slices.ContainsFunc(first, func(f *bindJob) bool { return f.req.TubeCode == j.req.TubeCode }) {
			first = append(first, j)
		}
	}
	slices.SortFunc(first, func(x, y *bindJob) int { return strings.Compare(x.req.TubeCode, y.req.TubeCode) })
	codes := make([]string, len(first))
	for i, j := range first {
		codes[i] = j.req.TubeCode
	}
	if b.tx.db.Engine == Postgres {
		b.tx.beginPipeline() // one round trip for both
		if err := b.openTubes(ctx, first); err != nil {
			return err
		}
		if err := b.lockTubes(ctx, codes); err != nil {
			return err
		}
		return b.tx.flushPipeline(ctx)
	}
	if err := b.lockTubes(ctx, codes); err != nil {
		return err
	}
	var missing []*bindJob
	for _, j := range first {
		if b.tubes[j.req.TubeCode] == nil {
			missing = append(missing, j)
		}
	}
	return b.openTubes(ctx, missing)
}

func (b *batch) lockTubes(ctx context.Context, codes []string) error {
	for start := 0; start < len(codes); start += 500 {
		part := codes[start:min(start+500, len(codes))]
		err := b.tx.eachIn(ctx, `SELECT `+tubeColumns+` FROM tubes t WHERE t.code IN %s ORDER BY t.code`+b.tx.db.forUpdateOf("t"),
			nil, stringArgs(part), func(row rowScanner) error {
				t := &tubeRow{}
				if err := row.Scan(tubeDest(&t.Tube)...); err != nil {
					return err
				}
				t.OpenedAt = t.OpenedAt.UTC()
				b.tubes[t.Code] = t
				return nil
			})
		if err != nil {
			return err
		}
	}
	return nil
}

var tubeInsert = multiRow{prefix: `INSERT INTO tubes (round_id, code, station_id, capacity, count, state, opened_at, opened_by) `,
	types:  []string{"BIGINT", "TEXT", "BIGINT", "INTEGER", "INTEGER", "TEXT", "TIMESTAMPTZ", "TEXT"},
	suffix: ` ON CONFLICT (code) DO NOTHING RETURNING id, code`}

// openTubes inserts the tubes of jobs, in code order; a code that exists
// is left as it is (lockTubes reads it).
func (b *batch) openTubes(ctx context.Context, jobs []*bindJob) error {
	now := b.tx.timeArg()
	return tubeInsert.query(ctx, b.tx, len(jobs),
		func(i int, args []any) []any {
			j := jobs[i]
			return append(args, j.req.RoundID, j.req.TubeCode, nullID(j.req.StationID), j.req.Capacity, 0,
				string(frontline.TubeOpen), now, j.actor)
		},
		func(sc interface{ Scan(...any) error }) error {
			t := &tubeRow{}
			if err := sc.Scan(&t.ID, &t.Code); err != nil {
				return err
			}
			for _, j := range jobs {
				if j.req.TubeCode == t.Code {
					t.RoundID, t.StationID, t.Capacity, t.State = j.req.RoundID, j.req.StationID, j.req.Capacity, frontline.TubeOpen
					t.OpenedAt, t.OpenedBy = b.tx.now, j.actor
				}
			}
			b.tubes[t.Code] = t
			return nil
		})
}
