package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.DailyReportService = (*DailyReportService)(nil)

// DailyReportService builds each node's daily report from every
// workflow's figures, keeps it at the node's cut-off and keeps what was
// submitted as it was.
type DailyReportService struct {
	db *DB
}

// NewDailyReportService returns a DailyReportService.
func NewDailyReportService(db *DB) *DailyReportService { return &DailyReportService{db: db} }

// cutOffOf returns the cut-off in force at a node: its own, or the
// nearest set above it.
func (tx *Tx) cutOffOf(ctx context.Context, n *frontline.Place) (string, error) {
	ids := frontline.PathIDs(n.Path)
	rows, err := tx.QueryContext(ctx, `SELECT place_id, cut_off FROM daily_cutoffs WHERE place_id IN `+inList(len(ids)), int64Args(ids)...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	set := map[int64]string{}
	for rows.Next() {
		var id int64
		var c string
		if err := rows.Scan(&id, &c); err != nil {
			return "", err
		}
		set[id] = c
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if c, ok := set[ids[i]]; ok {
			return c, nil
		}
	}
	return frontline.DefaultCutOff, nil
}

// CutOff returns the cut-off in force at a node.
func (s *DailyReportService) CutOff(ctx context.Context, placeID int64) (string, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	n, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return "", err
	}
	return tx.cutOffOf(ctx, n)
}

// SetCutOff sets a node's cut-off. Reports already kept keep theirs.
func (s *DailyReportService) SetCutOff(ctx context.Context, placeID int64, cutOff string) error {
	if err := frontline.CheckCutOff(cutOff); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermReadReports)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return err
	}
	before, err := tx.cutOffOf(ctx, n)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO daily_cutoffs (place_id, cut_off, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (place_id) DO UPDATE SET cut_off = excluded.cut_off, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		n.ID, cutOff, tx.now, frontline.ActorFrom(ctx).String()); err != nil {
		return err
	}
	if err := tx.audit(ctx, "cut_off", "place", n.ID, n.Path, map[string]any{"cut_off": before}, map[string]any{"cut_off": cutOff}); err != nil {
		return err
	}
	return tx.Commit()
}

// DailyReport returns a node's report of day ("" for the current day).
func (s *DailyReportService) DailyReport(ctx context.Context, placeID int64, day string) (*frontline.DailyReport, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n, cutOff, day, current, err := s.reportDay(ctx, tx, placeID, day)
	if err != nil {
		return nil, err
	}
	if r, err := tx.storedDaily(ctx, n, day); err == nil || frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return r, err
	}
	switch {
	case day > current:
		return nil, frontline.Errorf(frontline.ENOTFOUND, "the report of %s for %s has not begun", day, n.Name)
	case day < current:
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no report of %s for %s was kept", day, n.Name)
	}
	return s.build(ctx, tx, n, day, cutOff, false, nil)
}

// reportDay finds a node in the caller's scope, its cut-off, the day asked
// for ("" for the current one, checked) and the current day.
func (s *DailyReportService) reportDay(ctx context.Context, tx *Tx, placeID int64, day string) (n *frontline.Place,
	cutOff, asked, current string, err error) {
	if n, err = tx.findPlaceByID(ctx, placeID); err != nil {
		return nil, "", "", "", err
	}
	if cutOff, err = tx.cutOffOf(ctx, n); err != nil {
		return nil, "", "", "", err
	}
	current = frontline.DailyDay(tx.now, cutOff, s.db.Location)
	if day == "" {
		day = current
	}
	return n, cutOff, day, current, checkDay(day)
}

func checkDay(day string) error {
	if _, err := time.Parse(frontline.DateLayout, day); err != nil {
		return frontline.FieldError("day", "%q is not a day (YYYY-MM-DD)", day)
	}
	return nil
}

// build reads the figures of a node's day as of now, with yesterday's
// beside them: every section, or only the sections of only (the
// dashboard's). With untilNow (the dashboard) the day runs on past its
// cut-off to now.
func (s *DailyReportService) build(ctx context.Context, tx *Tx, n *frontline.Place, day, cutOff string, untilNow bool,
	only []frontline.DailySectionKey) (*frontline.DailyReport, error) {
	from, to, err := frontline.DailyWindow(day, cutOff, s.db.Location)
	if err != nil {
		return nil, err
	}
	if untilNow && tx.now.After(to) {
		to = tx.now
	}
	kids, _, err := tx.findPlaces(ctx, frontline.PlaceFilter{ParentID: &n.ID})
	if err != nil {
		return nil, err
	}
	f := newDailyFrame(n, kids, from, to, tx.now)
	f.day = day
	r := &frontline.DailyReport{Place: n, Day: day, CutOff: cutOff, From: from.UTC(), To: to.UTC(),
		Status: frontline.DailyLive, TakenAt: tx.now}
	for _, sec := range dailySections {
		if only != nil && !slices.Contains(only, sec.key) {
			continue
		}
		g, err := sec.read(tx, ctx, f)
		if err != nil {
			return nil, err
		}
		ds := frontline.DailySection{Key: sec.key, Columns: frontline.DailySectionColumns[sec.key]}
		for i, k := range kids {
			ds.Rows = append(ds.Rows, frontline.DailyRow{PlaceID: k.ID, Name: k.Name, Values: g[i]})
		}
		if own := g[f.own()]; nonZero(own) {
			ds.Rows = append(ds.Rows, frontline.DailyRow{PlaceID: n.ID, Name: n.Name, Own: true, Values: own})
		}
		r.Sections = append(r.Sections, ds)
	}
	if err := tx.addYesterday(ctx, r); err != nil {
		return nil, err
	}
	for i := range r.Sections {
		r.Sections[i].Total.PlaceID, r.Sections[i].Total.Name = n.ID, n.Name
		r.Sections[i].Sum()
	}
	return r, nil
}

func nonZero(v []int) bool {
	for _, x := range v {
		if x != 0 {
			return true
		}
	}
	return false
}

// addYesterday puts the figures of the node's report of the day before
// beside each row that report had.
func (tx *Tx) addYesterday(ctx context.Context, r *frontline.DailyReport) error {
	y, err := tx.storedDaily(ctx, r.Place, frontline.AddDays(r.Day, -1))
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	for i := range r.Sections {
		sec := &r.Sections[i]
		ys := y.Section(sec.Key)
		if ys == nil || len(ys.Columns) != len(sec.Columns) {
			continue
		}
		type key struct {
			id  int64
			own bool
		}
		was := map[key][]int{}
		for _, row := range ys.Rows {
			was[key{row.PlaceID, row.Own}] = row.Values
		}
		for j := range sec.Rows {
			row := &sec.Rows[j]
			if v, ok := was[key{row.PlaceID, row.Own}]; ok {
				row.Yesterday = v
			} else if !row.Own {
				// A child with nothing yesterday had zeros, as the
				// report of yesterday showed it.
				row.Yesterday = make([]int, len(sec.Columns))
			}
		}
		sec.Total.Yesterday = ys.Total.Values
	}
	return nil
}

// storedDaily returns a node's kept or submitted report of day.
func (tx *Tx) storedDaily(ctx context.Context, n *frontline.Place, day string) (*frontline.DailyReport, error) {
	var id int64
	var status, by, body string
	var taken time.Time
	var submitted sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, status, taken_at, submitted_at, submitted_by, body FROM daily_reports
		WHERE place_id = ? AND day = ?`, n.ID, day).Scan(&id, &status, &taken, &submitted, &by, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no report of %s for %s was kept", day, n.Name)
	} else if err != nil {
		return nil, err
	}
	r := &frontline.DailyReport{}
	if err := json.Unmarshal([]byte(body), r); err != nil {
		return nil, err
	}
	r.ID, r.Status, r.TakenAt, r.SubmittedBy = id, frontline.DailyStatus(status), taken.UTC(), by
	if submitted.Valid {
		t := submitted.Time.UTC()
		r.SubmittedAt = &t
	}
	return r, nil
}

// storeDaily keeps a report as it is now; a report of the node and day
// kept meanwhile wins (false).
func (tx *Tx) storeDaily(ctx context.Context, r *frontline.DailyReport) (bool, error) {
	r.ID, r.SubmittedAt = 0, nil
	body, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	var submittedAt any
	if r.Status == frontline.DailySubmitted {
		submittedAt = tx.now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO daily_reports (place_id, path, day, status, taken_at, submitted_at, submitted_by, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (place_id, day) DO NOTHING`,
		r.Place.ID, r.Place.Path, r.Day, string(r.Status), r.TakenAt, submittedAt, r.SubmittedBy, string(body))
	if err != nil {
		return false, tx.db.translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SubmitDailyReport submits a node's report of day: the kept report as it
// was, or, for the current day, the figures as of now.
func (s *DailyReportService) SubmitDailyReport(ctx context.Context, placeID int64, day string) (*frontline.DailyReport, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n, cutOff, day, current, err := s.reportDay(ctx, tx, placeID, day)
	if err != nil {
		return nil, err
	}
	by := frontline.ActorFrom(ctx).String()
	r, err := tx.storedDaily(ctx, n, day)
	switch {
	case err == nil && r.Status == frontline.DailySubmitted:
		return nil, frontline.Errorf(frontline.ECONFLICT, "the report of %s for %s was submitted by %s", day, n.Name, r.SubmittedBy)
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE daily_reports SET status = ?, submitted_at = ?, submitted_by = ? WHERE id = ?`,
			string(frontline.DailySubmitted), tx.now, by, r.ID); err != nil {
			return nil, err
		}
	case frontline.ErrorCode(err) != frontline.ENOTFOUND:
		return nil, err
	case day != current:
		return nil, err
	default:
		if r, err = s.build(ctx, tx, n, day, cutOff, false, nil); err != nil {
			return nil, err
		}
		r.Status, r.SubmittedBy = frontline.DailySubmitted, by
		if _, err := tx.storeDaily(ctx, r); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "submit", "daily_report", n.ID, n.Path, nil, map[string]any{"day": day}); err != nil {
		return nil, err
	}
	if r, err = tx.storedDaily(ctx, n, day); err != nil {
		return nil, err
	}
	return r, tx.Commit()
}

// DailyReportDays lists the stored reports of a node, newest first.
func (s *DailyReportService) DailyReportDays(ctx context.Context, placeID int64, limit int) ([]frontline.DailyReportDay, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT day, status, taken_at, submitted_by FROM daily_reports WHERE place_id = ?
		ORDER BY day DESC`+limitClause(0, limit), n.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []frontline.DailyReportDay{}
	for rows.Next() {
		var d frontline.DailyReportDay
		if err := rows.Scan(&d.Day, &d.Status, &d.TakenAt, &d.SubmittedBy); err != nil {
			return nil, err
		}
		d.TakenAt = d.TakenAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// KeepDailyReports keeps the report of the last closed day of every node
// from the city down to the communities that has none, within KeepGrace
// of the cut-off. Each is built in a
// read transaction and written in a short one, so keeping a city's
// reports never holds the writer for long.
func (s *DailyReportService) KeepDailyReports(ctx context.Context) (int, error) {
	if err := authorize(ctx, frontline.PermReadReports); err != nil {
		return 0, err
	}
	nodes, err := s.officeNodes(ctx)
	if err != nil {
		return 0, err
	}
	kept := 0
	for _, n := range nodes {
		ok, err := s.keep(ctx, n)
		if err != nil {
			return kept, err
		}
		if ok {
			kept++
		}
	}
	return kept, nil
}

// officeNodes lists the nodes that file a daily report: city to community.
func (s *DailyReportService) officeNodes(ctx context.Context) ([]*frontline.Place, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := andScope(ctx, "path", []string{"kind IN (?, ?, ?, ?)", "retired_at IS NULL"},
		[]any{string(frontline.KindCity), string(frontline.KindDistrict), string(frontline.KindSubdistrict), string(frontline.KindCommunity)})
	rows, err := tx.QueryContext(ctx, `SELECT `+placeColumnsR+` FROM places WHERE `+strings.Join(where, " AND ")+` ORDER BY path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.Place
	for rows.Next() {
		p, err := scanPlaceR(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// KeepGrace is how long after a cut-off a day's report is still kept:
// figures read later than that would not be the day's, so a day the
// server was down over stays without a report rather than with wrong ones.
const KeepGrace = 6 * time.Hour

// keep keeps one node's report of its last closed day, unless kept.
func (s *DailyReportService) keep(ctx context.Context, n *frontline.Place) (bool, error) {
	rtx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return false, err
	}
	defer rtx.Rollback()
	cutOff, err := rtx.cutOffOf(ctx, n)
	if err != nil {
		return false, err
	}
	day := frontline.AddDays(frontline.DailyDay(rtx.now, cutOff, s.db.Location), -1)
	if _, to, err := frontline.DailyWindow(day, cutOff, s.db.Location); err != nil || rtx.now.Sub(to) > KeepGrace {
		return false, err
	}
	if _, err := rtx.storedDaily(ctx, n, day); err == nil {
		return false, nil
	} else if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return false, err
	}
	r, err := s.build(ctx, rtx, n, day, cutOff, false, nil)
	if err != nil {
		return false, err
	}
	rtx.Rollback()
	r.Status = frontline.DailyKept
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	ok, err := tx.storeDaily(ctx, r)
	if err != nil || !ok {
		return false, err
	}
	return true, tx.Commit()
}
