package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// PostResults records one result per tube, in one transaction for the
// whole post, and carries each to the persons in the tube: a negative
// reaches them as it is; a positive or invalid pool puts each in follow-up
// for a single re-test at home with a task for the home sampling team; a
// positive single tube makes its person positive. The result of a home
// re-test closes its task and releases the person, or confirms them.
func (s *LabService) PostResults(ctx context.Context, rows []frontline.ResultRow) (*frontline.ResultSummary, error) {
	if len(rows) > frontline.MaxResultsUpload {
		return nil, frontline.FieldError("results", "at most %d results in one post", frontline.MaxResultsUpload)
	}
	tx, err := s.db.writeTx(ctx, frontline.PermPostResults)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sum := &frontline.ResultSummary{}
	codes := make([]string, 0, len(rows))
	for i := range rows {
		// A code that is not one stays as sent, for the row error to quote.
		if code, err := frontline.NormalizeTubeCode(rows[i].TubeCode); err == nil {
			rows[i].TubeCode = code
			codes = append(codes, code)
		}
	}
	tubes, scopes, err := tx.lockTubesByCode(ctx, sortedUniqueStrings(codes))
	if err != nil {
		return nil, err
	}
	bags, err := tx.tubeBags(ctx, tubes)
	if err != nil {
		return nil, err
	}
	posted, holds := acceptResults(rows, tubes, bags, sum)
	if err := tx.holdResults(ctx, holds, scopes, sum); err != nil {
		return nil, err
	}
	if err := tx.applyResults(ctx, posted, scopes, sum, s.Settings); err != nil {
		return nil, err
	}
	return sum, tx.Commit()
}

// applyResults stores the results of posted tubes, carries them to their
// persons and records the post.
func (tx *Tx) applyResults(ctx context.Context, posted []*frontline.Tube, scopes map[string]string, sum *frontline.ResultSummary, settings CaseSettings) error {
	if err := tx.storeResults(ctx, posted); err != nil {
		return err
	}
	f := &fanOut{tx: tx, scopes: scopes, counts: roundCounts{}, sum: sum, settings: settings}
	if err := f.run(ctx, posted); err != nil {
		return err
	}
	rounds := map[int64]bool{}
	for _, t := range posted {
		if !rounds[t.RoundID] {
			rounds[t.RoundID] = true
			if err := tx.cancelSampledHomeTasks(ctx, t.RoundID); err != nil {
				return err
			}
		}
	}
	if len(posted) > 0 {
		return tx.audit(ctx, "results", "tube", posted[0].ID, scopes[posted[0].Code], nil,
			map[string]any{"posted": sum.Posted, "positive": sum.Positive, "invalid": sum.Invalid, "awaiting": sum.Awaiting})
	}
	return nil
}

// acceptResults checks each row against its tube and returns the tubes
// whose result is new, with the result set, and the rows held because the
// lab never received their tube (bags names the bags of the tubes).
func acceptResults(rows []frontline.ResultRow, tubes map[string]*frontline.Tube, bags map[int64]bagRef, sum *frontline.ResultSummary) ([]*frontline.Tube, []heldRow) {
	var posted []*frontline.Tube
	var holds []heldRow
	refuse := func(r frontline.ResultRow, reason frontline.ResultReason, value, format string, args ...any) {
		sum.Errors = append(sum.Errors, frontline.ResultError{Row: r.Row, TubeCode: r.TubeCode, Value: value, Reason: reason,
			Message: fmt.Sprintf(format, args...)})
	}
	for _, r := range rows {
		t := tubes[r.TubeCode]
		_, badCode := frontline.NormalizeTubeCode(r.TubeCode)
		switch {
		case badCode != nil:
			refuse(r, frontline.ReasonTubeCode, r.TubeCode, "tube code %q: %s", r.TubeCode, frontline.ErrorMessage(badCode))
		case !r.Result.Valid():
			refuse(r, frontline.ReasonResult, string(r.Result), "unknown result %q; write negative, positive or invalid", r.Result)
		case t == nil:
			refuse(r, frontline.ReasonUnknownTube, "", "tube %s is not known", r.TubeCode)
		case t.State == frontline.TubeOpen:
			refuse(r, frontline.ReasonTubeOpen, "", "tube %s is still open at its station", t.Code)
		case frontline.ResultHold(t, bags[t.BagID].received) != "":
			holds = append(holds, heldRow{row: r, tube: t, reason: frontline.ResultHold(t, bags[t.BagID].received), bag: bags[t.BagID].code})
		case t.Result == r.Result:
			sum.Unchanged++
		case t.Result != "":
			refuse(r, frontline.ReasonHasResult, string(t.Result), "tube %s is already %s; a different result needs a new tube", t.Code, t.Result)
		default:
			t.Result, t.State = r.Result, frontline.TubeResulted
			posted = append(posted, t)
			sum.Posted++
			switch r.Result {
			case frontline.ResultNegative:
				sum.Negative++
			case frontline.ResultPositive:
				sum.Positive++
			case frontline.ResultInvalid:
				sum.Invalid++
			}
		}
	}
	return posted, holds
}

var resultUpdate = multiRow{types: []string{"BIGINT", "TEXT", "TIMESTAMPTZ"},
	prefix: `UPDATE tubes AS t SET result = v.column2, state = '` + string(frontline.TubeResulted) + `', result_at = v.column3 FROM (`,
	suffix: `) AS v WHERE t.id = v.column1`}

func (tx *Tx) storeResults(ctx context.Context, posted []*frontline.Tube) error {
	at := tx.timeArg()
	return resultUpdate.exec(ctx, tx, len(posted), func(i int, args []any) []any {
		posted[i].ResultAt = tx.now
		return append(args, posted[i].ID, string(posted[i].Result), at)
	})
}

// fanOut carries results to persons.
type fanOut struct {
	tx     *Tx
	scopes map[string]string // tube code → round scope path
	counts roundCounts
	sum    *frontline.ResultSummary
	tasks  []retestRow
	people []memberResult
	// What the zones workflow learns from this post: households with a
	// confirmed positive, and per round the households where a member's
	// result became final and negative.
	positives map[positiveKey]positiveAt
	negatives map[int64]*clearedIn
	// cases are the persons confirmed positive, whose cases open in the
	// same transaction (case_open.go).
	cases    []newCase
	settings CaseSettings
}

type positiveKey struct {
	household int64
	tube      string
}

type positiveAt struct {
	path string    // the household's
	at   time.Time // when the tube was sampled
}

// clearedIn is where members of one round were found negative.
type clearedIn struct {
	scope string          // the round's scope path
	homes map[string]bool // household paths
}

// confirmed notes a person of household confirmed positive by tube t, a
// single tube: a positive for the zones, and a case to open.
func (f *fanOut) confirmed(round, person, household int64, path string, t *frontline.Tube) {
	f.cases = append(f.cases, newCase{person: person, source: frontline.SourceLab, round: round, tube: t.Code, tubeID: t.ID,
		confirmedAt: f.tx.now})
	if f.positives == nil {
		f.positives = map[positiveKey]positiveAt{}
	}
	at := t.SealedAt
	if at.IsZero() {
		at = t.OpenedAt
	}
	f.positives[positiveKey{household, t.Code}] = positiveAt{path, at}
}

// cleared notes a member of a round, of the household at path, whose
// result became final and negative.
func (f *fanOut) cleared(round int64, scope, path string) {
	if f.negatives == nil {
		f.negatives = map[int64]*clearedIn{}
	}
	c := f.negatives[round]
	if c == nil {
		c = &clearedIn{scope: scope, homes: map[string]bool{}}
		f.negatives[round] = c
	}
	c.homes[path] = true
}

type retestRow struct {
	round, person, household, source int64
}

type memberResult struct {
	round, person int64
	result        frontline.TubeResult
	follow        frontline.FollowUp
}

func (f *fanOut) run(ctx context.Context, posted []*frontline.Tube) error {
	var pools, retests []*frontline.Tube
	for _, t := range posted {
		if t.Retest {
			retests = append(retests, t)
		} else {
			pools = append(pools, t)
		}
	}
	if err := f.pools(ctx, pools); err != nil {
		return err
	}
	if err := f.retests(ctx, retests); err != nil {
		return err
	}
	if err := f.tx.updateMemberResults(ctx, f.people); err != nil {
		return err
	}
	if err := f.resultNotices(ctx); err != nil {
		return err
	}
	if err := f.tx.insertRetests(ctx, f.tasks); err != nil {
		return err
	}
	if err := f.counts.write(ctx, f.tx); err != nil {
		return err
	}
	if err := f.evidence(ctx); err != nil {
		return err
	}
	return f.openCases(ctx)
}

// openCases opens a case for each person the post confirmed positive, as
// the system: the lab confirmed it, but the case is the community's, and
// the lab's scope does not reach the contacts.
func (f *fanOut) openCases(ctx context.Context) error {
	slices.SortFunc(f.cases, func(a, b newCase) int { return cmp.Compare(a.person, b.person) })
	sys := frontline.AsSystem(ctx)
	for _, nc := range f.cases {
		c, opened, err := f.tx.openCase(sys, nc, f.settings)
		if err != nil {
			return err
		}
		if opened {
			f.sum.Cases = append(f.sum.Cases, c.ID)
		}
	}
	return nil
}

// pools carries the results of sampling tubes to their persons.
func (f *fanOut) pools(ctx context.Context, tubes []*frontline.Tube) error {
	byID := map[int64]*frontline.Tube{}
	var ids []int64
	for _, t := range tubes {
		byID[t.ID], ids = t, append(ids, t.ID)
	}
	return f.tx.eachRow(ctx, `SELECT b.tube_id, m.round_id, m.person_id, m.household_id, m.path
		FROM bindings b JOIN round_members m ON m.round_id = b.round_id AND m.person_id = b.person_id
		WHERE b.undone_at IS NULL AND b.tube_id IN %s ORDER BY m.person_id`+f.tx.db.forUpdateOf("m"), ids,
		func(sc interface{ Scan(...any) error }) error {
			var tubeID, round, person, household int64
			var path string
			if err := sc.Scan(&tubeID, &round, &person, &household, &path); err != nil {
				return err
			}
			t := byID[tubeID]
			mr := memberResult{round: round, person: person, result: t.Result}
			d := roundDelta{}
			switch {
			case t.Result == frontline.ResultNegative:
				d.negative = 1
				f.cleared(round, f.scopes[t.Code], path)
			case t.Result == frontline.ResultPositive && t.Mode == frontline.PoolSingle:
				mr.follow, d.positive = frontline.FollowPositive, 1
				f.confirmed(round, person, household, path, t)
			default: // a positive pool, or an invalid tube: re-sample singly
				mr.follow, d.awaiting = frontline.FollowAwaiting, 1
				f.tasks = append(f.tasks, retestRow{round, person, household, t.ID})
				f.sum.Awaiting++
			}
			f.people = append(f.people, mr)
			f.counts.addPath(round, f.scopes[t.Code], path, d)
			f.sum.Persons++
			return nil
		})
}

// retests closes the tasks of the home sampling team's tubes: re-tests,
// and the first sample of persons sampled at home.
func (f *fanOut) retests(ctx context.Context, tubes []*frontline.Tube) error {
	byID := map[int64]*frontline.Tube{}
	var ids []int64
	for _, t := range tubes {
		byID[t.ID], ids = t, append(ids, t.ID)
	}
	var done []int64
	err := f.tx.eachRow(ctx, `SELECT rt.id, rt.kind, rt.tube_id, m.round_id, m.person_id, m.household_id, m.path
		FROM retest_tasks rt JOIN round_members m ON m.round_id = rt.round_id AND m.person_id = rt.person_id
		WHERE rt.status = 'sampled' AND rt.tube_id IN %s ORDER BY m.person_id`+f.tx.db.forUpdateOf("m"), ids,
		func(sc interface{ Scan(...any) error }) error {
			var task, tubeID, round, person, household int64
			var kind frontline.RetestKind
			var path string
			if err := sc.Scan(&task, &kind, &tubeID, &round, &person, &household, &path); err != nil {
				return err
			}
			t := byID[tubeID]
			done = append(done, task)
			mr := memberResult{round: round, person: person, result: t.Result, follow: frontline.FollowAwaiting}
			if kind == frontline.KindHome {
				f.counts.addPath(round, f.scopes[t.Code], path, f.homeResult(t, &mr, household, path))
				f.people = append(f.people, mr)
				f.sum.Persons++
				return nil
			}
			switch t.Result {
			case frontline.ResultNegative:
				mr.follow = frontline.FollowReleased
				f.counts.addPath(round, f.scopes[t.Code], path, roundDelta{awaiting: -1, negative: 1})
				f.cleared(round, f.scopes[t.Code], path)
			case frontline.ResultPositive:
				mr.follow = frontline.FollowPositive
				f.counts.addPath(round, f.scopes[t.Code], path, roundDelta{awaiting: -1, positive: 1})
				f.confirmed(round, person, household, path, t)
			default: // invalid again: another visit
				f.tasks = append(f.tasks, retestRow{round, person, household, t.ID})
			}
			f.people = append(f.people, mr)
			f.sum.Persons++
			return nil
		})
	if err != nil || len(done) == 0 {
		return err
	}
	_, err = f.tx.ExecContext(ctx, `UPDATE retest_tasks SET status = ?, done_at = ?, result = (SELECT result FROM tubes WHERE tubes.id = retest_tasks.tube_id)
		WHERE id IN `+inList(len(done)), append([]any{string(frontline.RetestDone), f.tx.now}, int64Args(done)...)...)
	return err
}

// eachRow runs a query whose %s is an IN list of ids, in chunks, calling
// fn for each row.
func (tx *Tx) eachRow(ctx context.Context, query string, ids []int64, fn func(sc interface{ Scan(...any) error }) error) error {
	for start := 0; start < len(ids); start += idChunk {
		part := ids[start:min(start+idChunk, len(ids))]
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(query, inList(len(part))), int64Args(part)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

var memberResultUpdate = multiRow{types: []string{"BIGINT", "BIGINT", "TEXT", "TEXT"},
	prefix: `UPDATE round_members AS m SET result = v.column3, follow_up = v.column4 FROM (`,
	suffix: `) AS v WHERE m.round_id = v.column1 AND m.person_id = v.column2`}

func (tx *Tx) updateMemberResults(ctx context.Context, people []memberResult) error {
	return memberResultUpdate.exec(ctx, tx, len(people), func(i int, args []any) []any {
		p := people[i]
		return append(args, p.round, p.person, string(p.result), string(p.follow))
	})
}

func (tx *Tx) insertRetests(ctx context.Context, tasks []retestRow) error {
	insert := multiRow{prefix: `INSERT INTO retest_tasks (round_id, person_id, household_id, source_tube_id, status, created_at) `,
		types: []string{"BIGINT", "BIGINT", "BIGINT", "BIGINT", "TEXT", "TIMESTAMPTZ"}}
	at := tx.timeArg()
	return insert.exec(ctx, tx, len(tasks), func(i int, args []any) []any {
		t := tasks[i]
		return append(args, t.round, t.person, t.household, t.source, string(frontline.RetestOpen), at)
	})
}

func sortedUniqueStrings(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v], out = true, append(out, v)
		}
	}
	return out
}

// SampleRetest records that the home sampling team sampled the person of
// a task into a single tube, which goes to the lab on its own. A home
// task's person is bound to the tube and counts as sampled from now on,
// even after the round closed: like the re-tests, home sampling is the
// round's follow-up.
func (s *LabService) SampleRetest(ctx context.Context, taskID int64, tubeCode string) (*frontline.RetestTask, error) {
	code, err := frontline.NormalizeTubeCode(tubeCode)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermSampling)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ref, err := tx.lockRetest(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if ref.status != frontline.RetestOpen {
		return nil, frontline.Errorf(frontline.ECONFLICT, "re-test task %d is already %s", taskID, ref.status)
	}
	actor := frontline.ActorFrom(ctx).String()
	var tubeID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO tubes (round_id, code, mode, capacity, count, state, retest, opened_at, opened_by, sealed_at)
		VALUES (?, ?, ?, 1, 1, ?, ?, ?, ?, ?) RETURNING id`, ref.round, code, string(frontline.PoolSingle), string(frontline.TubeSealed),
		true, tx.now, actor, tx.now).Scan(&tubeID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "tube", Message: "tube " + code + " is already used"}
		}
		return nil, err
	}
	if ref.kind == frontline.KindHome {
		if err := tx.bindAtHome(ctx, ref, tubeID, actor); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE retest_tasks SET status = ?, tube_id = ?, sampled_at = ?, sampled_by = ? WHERE id = ?`,
		string(frontline.RetestSampled), tubeID, tx.now, actor, taskID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "retest_sampled", "retest_task", taskID, ref.member.path, map[string]any{"status": ref.status},
		map[string]any{"status": frontline.RetestSampled, "kind": ref.kind, "tube": code, "person_id": ref.person, "round_id": ref.round}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	tasks, _, err := s.FindRetests(ctx, frontline.RetestFilter{ID: &taskID})
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "re-test task %d not found", taskID)
	}
	return tasks[0], nil
}
