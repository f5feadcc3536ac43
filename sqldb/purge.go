package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Purge empties the personal data that is due under a node (everything
// under it for a stand-down), kind by kind, the residents last. Each batch
// of records is one transaction that first adds the records to the
// anonymised statistics (per community and day) and to the run's
// certificate, then empties them: a purge killed at any moment leaves
// every record either untouched or purged and counted, and running it
// again finishes the work. On SQLite the file is then rewritten (VACUUM)
// and the WAL truncated, so no free page or old frame keeps a purged
// byte. Needs users.manage; the system (command line, job) may purge
// everywhere.
func (s *RetentionService) Purge(ctx context.Context, req frontline.PurgeRequest) (*frontline.PurgeRun, error) {
	if err := authorize(ctx, frontline.PermManageUsers); err != nil {
		return nil, err
	}
	if req.Reason == "" {
		req.Reason = frontline.PurgeRetention
	}
	run, plan, err := s.plan(ctx, req)
	if err != nil || req.DryRun {
		return run, err
	}
	// A retention purge with nothing due writes no certificate: the daily
	// job would otherwise leave one a day saying nothing. A stand-down
	// always does.
	if run.Records() == 0 && req.Reason == frontline.PurgeRetention {
		return run, nil
	}
	if err := s.startRun(ctx, run); err != nil {
		return nil, err
	}
	if s.db.Engine == SQLite {
		// Freed space in a page is zeroed as it is freed, not only at the
		// VACUUM below.
		if _, err := s.db.write.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return nil, err
		}
		defer s.db.write.ExecContext(context.Background(), `PRAGMA secure_delete = OFF`)
	}
	for i, k := range purgeKinds {
		recs := plan[i]
		for start := 0; start < len(recs); start += s.BatchSize {
			if err := s.purgeBatch(ctx, run, k, recs[start:min(start+s.BatchSize, len(recs))]); err != nil {
				return nil, fmt.Errorf("purge %s: %w", k.kind, err)
			}
		}
	}
	if err := s.finishRun(ctx, run); err != nil {
		return nil, err
	}
	if s.db.Engine == SQLite && s.Reclaim && run.Records() > 0 {
		if err := s.db.reclaim(ctx); err != nil {
			return run, fmt.Errorf("reclaim the freed pages: %w", err)
		}
	}
	return s.FindPurgeRun(ctx, run.ID)
}

// plan lists the due records of every kind and fills the run's counts as
// a dry run reports them.
func (s *RetentionService) plan(ctx context.Context, req frontline.PurgeRequest) (*frontline.PurgeRun, [][]dueRecord, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	lo, hi, node, err := tx.underRange(ctx, req.UnderID)
	if err != nil {
		return nil, nil, err
	}
	rules, err := tx.retentionRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := tx.now
	run := &frontline.PurgeRun{Reason: req.Reason, UnderID: req.UnderID, RuleVersion: rules.Version, StartedAt: now,
		By: frontline.ActorFrom(ctx).String(), DryRun: req.DryRun}
	if node != nil {
		run.UnderName = node.Name
	}
	all := req.Reason == frontline.PurgeStandDown
	plan := make([][]dueRecord, len(purgeKinds))
	for i, k := range purgeKinds {
		recs, err := k.records(ctx, tx, lo, hi, all, now, rules)
		if err != nil {
			return nil, nil, fmt.Errorf("list %s: %w", k.kind, err)
		}
		if !all {
			cutoff := rules.Cutoff(k.kind, now)
			recs = slicesFilter(recs, func(r dueRecord) bool { return r.ended.Before(cutoff) })
		}
		sortRecords(recs)
		plan[i] = recs
		pk := frontline.PurgedKind{Kind: k.kind, Records: len(recs)}
		for _, r := range recs {
			day := r.statDay().In(s.db.Location).Format(time.DateOnly)
			if pk.FirstDay == "" || day < pk.FirstDay {
				pk.FirstDay = day
			}
			if day > pk.LastDay {
				pk.LastDay = day
			}
		}
		run.Kinds = append(run.Kinds, pk)
	}
	// The residents' list was made before the other kinds were purged, so
	// it holds exactly the persons whose every record is past its rule or
	// purged already: a record not yet due keeps its person out of it.
	return run, plan, nil
}

func slicesFilter[T any](in []T, keep func(T) bool) []T {
	out := in[:0]
	for _, v := range in {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

func (s *RetentionService) startRun(ctx context.Context, run *frontline.PurgeRun) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	path := ""
	if run.UnderID != 0 {
		p, err := tx.findPlaceByID(ctx, run.UnderID)
		if err != nil {
			return err
		}
		path = p.Path
	}
	run.StartedAt = tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO purge_runs (reason, under_id, under_name, under_path, rule_version, started_at, actor)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, string(run.Reason), run.UnderID, run.UnderName, path, run.RuleVersion,
		run.StartedAt, run.By).Scan(&run.ID); err != nil {
		return err
	}
	for _, k := range run.Kinds {
		if _, err := tx.ExecContext(ctx, `INSERT INTO purge_run_kinds (run_id, kind) VALUES (?, ?)`, run.ID, string(k.Kind)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// purgeBatch counts and empties one batch in one transaction.
func (s *RetentionService) purgeBatch(ctx context.Context, run *frontline.PurgeRun, k purgeKind, recs []dueRecord) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	communities, err := tx.statPlaces(ctx)
	if err != nil {
		return err
	}
	type statKey struct {
		place int64
		day   string
	}
	// Claim first: only what this batch marks is counted and emptied.
	byGroup := map[int64][]int64{}
	var order []int64
	for _, r := range recs {
		if _, ok := byGroup[r.group]; !ok {
			order = append(order, r.group)
		}
		byGroup[r.group] = append(byGroup[r.group], r.id)
	}
	groups := map[int64][]int64{}
	claimed := map[[2]int64]bool{}
	for _, g := range order {
		ids, err := tx.claim(ctx, k.kind, g, byGroup[g], tx.now)
		if err != nil {
			return err
		}
		groups[g] = ids
		for _, id := range ids {
			claimed[[2]int64{g, id}] = true
		}
	}
	stats := map[statKey]int{}
	first, last := "", ""
	n := 0
	for _, r := range recs {
		if !claimed[[2]int64{r.group, r.id}] {
			continue
		}
		n++
		day := r.statDay().In(s.db.Location).Format(time.DateOnly)
		stats[statKey{statPlace(communities, r.path), day}]++
		if first == "" || day < first {
			first = day
		}
		last = max(last, day)
	}
	if n == 0 {
		return tx.Commit()
	}
	for key, n := range stats {
		if _, err := tx.ExecContext(ctx, `INSERT INTO purge_stats (kind, place_id, day, records) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, place_id, day) DO UPDATE SET records = purge_stats.records + excluded.records`,
			string(k.kind), key.place, key.day, n); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE purge_run_kinds SET records = records + ?,
		first_day = CASE WHEN first_day = '' OR ? < first_day THEN ? ELSE first_day END,
		last_day = CASE WHEN ? > last_day THEN ? ELSE last_day END
		WHERE run_id = ? AND kind = ?`, n, first, first, last, last, run.ID, string(k.kind)); err != nil {
		return err
	}
	for _, g := range order {
		if len(groups[g]) == 0 {
			continue
		}
		if err := k.purge(ctx, tx, g, groups[g], tx.now); err != nil {
			return err
		}
		for _, a := range k.audits {
			if err := tx.scrubAudit(ctx, a, groups[g]); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// finishRun closes the certificate and records it in the audit log, with
// counts and no personal values.
func (s *RetentionService) finishRun(ctx context.Context, run *frontline.PurgeRun) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE purge_runs SET finished_at = ? WHERE id = ?`, tx.now, run.ID); err != nil {
		return err
	}
	after := map[string]any{"reason": string(run.Reason), "rule_version": run.RuleVersion, "under_id": run.UnderID}
	for _, k := range run.Kinds {
		after[string(k.Kind)] = k.Records
	}
	path := ""
	if run.UnderID != 0 {
		if p, err := tx.findPlaceByID(ctx, run.UnderID); err == nil {
			path = p.Path
		}
	}
	if err := tx.audit(ctx, "purge", "purge_run", run.ID, path, nil, after); err != nil {
		return err
	}
	return tx.Commit()
}

// reclaim rewrites the SQLite file without its free pages and truncates
// the WAL: after a purge neither file holds a purged byte. VACUUM holds
// the writer while it runs (seconds for a community's file).
func (db *DB) reclaim(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM`); err != nil {
		return err
	}
	_, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// FindPurgeRuns lists the certificates under the principal's scope,
// newest first. Needs audit.read.
func (s *RetentionService) FindPurgeRuns(ctx context.Context) ([]*frontline.PurgeRun, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadAudit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := andScope(ctx, "under_path", []string{"1 = 1"}, nil)
	if p := frontline.PrincipalFrom(ctx); p != nil {
		where = append(where, "under_id <> 0") // a run everywhere is for the system's eyes
	}
	ids, err := tx.ids(ctx, `SELECT id FROM purge_runs WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*frontline.PurgeRun, 0, len(ids))
	for _, id := range ids {
		r, err := tx.purgeRun(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// FindPurgeRun returns one certificate. Needs audit.read.
func (s *RetentionService) FindPurgeRun(ctx context.Context, id int64) (*frontline.PurgeRun, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadAudit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.purgeRun(ctx, id)
}

func (tx *Tx) purgeRun(ctx context.Context, id int64) (*frontline.PurgeRun, error) {
	r := &frontline.PurgeRun{}
	var reason, path string
	var finished nullTimeDest
	var finishedAt time.Time
	finished.t = &finishedAt
	err := tx.QueryRowContext(ctx, `SELECT id, reason, under_id, under_name, under_path, rule_version, started_at, finished_at, actor
		FROM purge_runs WHERE id = ?`, id).Scan(&r.ID, &reason, &r.UnderID, &r.UnderName, &path, &r.RuleVersion, &r.StartedAt, finished, &r.By)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, frontline.Errorf(frontline.ENOTFOUND, "no purge certificate %d", id)
		}
		return nil, err
	}
	if path != "" && !visible(ctx, path) || path == "" && frontline.PrincipalFrom(ctx) != nil {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no purge certificate %d", id)
	}
	r.Reason, r.StartedAt = frontline.PurgeReason(reason), r.StartedAt.UTC()
	if !finishedAt.IsZero() {
		r.FinishedAt = &finishedAt
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, records, first_day, last_day FROM purge_run_kinds WHERE run_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byKind := map[frontline.RetentionKind]frontline.PurgedKind{}
	for rows.Next() {
		var k frontline.PurgedKind
		var kind string
		if err := rows.Scan(&kind, &k.Records, &k.FirstDay, &k.LastDay); err != nil {
			return nil, err
		}
		k.Kind = frontline.RetentionKind(kind)
		byKind[k.Kind] = k
	}
	for _, k := range frontline.RetentionKinds {
		if pk, ok := byKind[k]; ok {
			r.Kinds = append(r.Kinds, pk)
		}
	}
	return r, rows.Err()
}

// PurgeStats returns the anonymised statistics under a node (0:
// everywhere), by kind, community and day. Needs audit.read.
func (s *RetentionService) PurgeStats(ctx context.Context, under int64) ([]frontline.PurgeStat, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadAudit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	lo, hi, _, err := tx.underRange(ctx, under)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT s.kind, s.place_id, p.name, s.day, s.records FROM purge_stats s
		JOIN places p ON p.id = s.place_id WHERE p.path >= ? AND p.path < ? ORDER BY s.kind, p.path, s.day`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []frontline.PurgeStat
	for rows.Next() {
		var st frontline.PurgeStat
		var kind string
		if err := rows.Scan(&kind, &st.PlaceID, &st.Place, &st.Day, &st.Records); err != nil {
			return nil, err
		}
		st.Kind = frontline.RetentionKind(kind)
		out = append(out, st)
	}
	return out, rows.Err()
}
