package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/frontline-org/frontline"
)

// UpdateSite changes a site's name, location or hours. The place stays:
// the site's stations carry tokens scoped to it.
func (s *SiteService) UpdateSite(ctx context.Context, id int64, upd frontline.SiteUpdate) (*frontline.Site, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	site, r, path, err := tx.openSite(ctx, id)
	if err != nil {
		return nil, err
	}
	before := siteFields(site)
	upd.Apply(site)
	if err := site.Validate(); err != nil {
		return nil, err
	}
	if err := site.WithinRound(r, s.db.Location); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sampling_sites SET name = ?, location = ?, opens_at = ?, closes_at = ? WHERE id = ?`,
		site.Name, site.Location, site.OpensAt.UTC(), site.ClosesAt.UTC(), site.ID); err != nil {
		return nil, err
	}
	b, a := changedFields(before, siteFields(site))
	if len(a) == 0 {
		return site, nil
	}
	if before["name"] != site.Name {
		// Device tokens are named after their site and station, and that
		// name is what their bindings record as the actor.
		if err := tx.renameStationTokens(ctx, site); err != nil {
			return nil, err
		}
	}
	// The call-ups not yet sent name the site, where it is and its hours:
	// they go out again as the site now is.
	if err := tx.renotifySite(ctx, r, site); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "update", "sampling_site", site.ID, path, b, a); err != nil {
		return nil, err
	}
	return site, tx.Commit()
}

func siteFields(s *frontline.Site) map[string]any {
	return map[string]any{"name": s.Name, "location": s.Location, "opens_at": s.OpensAt.UTC(), "closes_at": s.ClosesAt.UTC()}
}

// openSite returns a site the caller may change, in a round that is not
// closed, with its place's path. The round row is locked, so a change to
// the site and a plan being saved for the round do not interleave.
func (tx *Tx) openSite(ctx context.Context, id int64) (*frontline.Site, *frontline.Round, string, error) {
	site, path, err := tx.findSite(ctx, id)
	if err != nil {
		return nil, nil, "", err
	}
	r, err := tx.openRoundOf(ctx, site.RoundID)
	if err != nil {
		return nil, nil, "", err
	}
	return site, r, path, nil
}

// openRoundOf returns a round that is not closed, locked: sites and
// stations are set up while a round is planned or open, and a closed
// round's sites issue no more device tokens.
func (tx *Tx) openRoundOf(ctx context.Context, id int64) (*frontline.Round, error) {
	r, err := tx.findRound(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if r.Status == frontline.RoundClosed {
		return nil, frontline.Errorf(frontline.ECONFLICT, "round %s is closed", r.Name)
	}
	return r, nil
}

// renameStationTokens names the tokens of the site's stations after the
// site and station, as CreateStation named them.
func (tx *Tx) renameStationTokens(ctx context.Context, site *frontline.Site) error {
	rows, err := tx.QueryContext(ctx, `SELECT token_id, name FROM sampling_stations WHERE site_id = ? AND token_id IS NOT NULL`, site.ID)
	if err != nil {
		return err
	}
	type token struct {
		id   int64
		name string
	}
	var tokens []token
	for rows.Next() {
		var t token
		if err := rows.Scan(&t.id, &t.name); err != nil {
			rows.Close()
			return err
		}
		tokens = append(tokens, t)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, t := range tokens {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET name = ? WHERE id = ?`, site.Name+" "+t.name, t.id); err != nil {
			return err
		}
	}
	return nil
}

// RemoveSite removes a site at which nobody was sampled, with its stations
// and their tokens. A site with bindings is part of the round's history
// and stays (its stations can be retired instead); a site the saved plan
// calls residents to stays until a plan without it is saved, or the
// residents told to go there would find nobody.
func (s *SiteService) RemoveSite(ctx context.Context, id int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	site, _, path, err := tx.openSite(ctx, id)
	if err != nil {
		return err
	}
	// bindings and tubes have no index by station, on purpose: every
	// index there costs the sampling writer a page per station per commit
	// (docs/testing.md). Removing a site is rare and happens before
	// sampling, so it reads the round's rows instead.
	var bindings, tubes, slots int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM bindings b WHERE b.round_id = ? AND b.station_id IN (SELECT id FROM sampling_stations WHERE site_id = ?)),
		(SELECT COUNT(*) FROM tubes t WHERE t.round_id = ? AND t.station_id IN (SELECT id FROM sampling_stations WHERE site_id = ?)),
		(SELECT COUNT(*) FROM sampling_slots WHERE round_id = ? AND site_id = ?)`,
		site.RoundID, site.ID, site.RoundID, site.ID, site.RoundID, site.ID).Scan(&bindings, &tubes, &slots); err != nil {
		return err
	}
	inUse := &frontline.SiteInUse{Bindings: bindings, Tubes: tubes, Slots: slots}
	switch {
	case bindings > 0 || tubes > 0:
		return &frontline.Error{Code: frontline.ECONFLICT, Err: inUse,
			Message: fmt.Sprintf("site %s has %d bindings in %d tubes; retire its stations instead", site.Name, bindings, tubes)}
	case slots > 0:
		return &frontline.Error{Code: frontline.ECONFLICT, Err: inUse,
			Message: fmt.Sprintf("the saved plan calls residents to site %s in %d slots; save a plan without it first", site.Name, slots)}
	}
	// The stations go with the site and their tokens are revoked: the
	// audit entry names them, as RetireStation's does one by one.
	gone := map[string]any{}
	rows, err := tx.QueryContext(ctx, `SELECT name, COALESCE(token_id, 0) FROM sampling_stations WHERE site_id = ? ORDER BY id`, site.ID)
	if err != nil {
		return err
	}
	var names []string
	var tokens []int64
	for rows.Next() {
		var name string
		var token int64
		if err := rows.Scan(&name, &token); err != nil {
			rows.Close()
			return err
		}
		names, tokens = append(names, name), append(tokens, token)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	gone["stations"], gone["revoked_tokens"] = names, tokens
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL
		AND id IN (SELECT token_id FROM sampling_stations WHERE site_id = ?)`, tx.now, site.ID); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM sampling_stations WHERE site_id = ?`, `DELETE FROM sampling_sites WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, site.ID); err != nil {
			return tx.db.translate(err)
		}
	}
	before := siteFields(site)
	maps.Copy(before, gone)
	if err := tx.audit(ctx, "delete", "sampling_site", site.ID, path, before, nil); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.db.tokens.clear()
	return nil
}

// RenameStation renames a station and its device token.
func (s *SiteService) RenameStation(ctx context.Context, id int64, name string) (*frontline.Station, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, path, err := tx.findStation(ctx, id)
	if err != nil {
		return nil, err
	}
	site, _, _, err := tx.openSite(ctx, st.SiteID)
	if err != nil {
		return nil, err
	}
	if !st.RetiredAt.IsZero() {
		return nil, frontline.Errorf(frontline.ECONFLICT, "station %s is retired", st.Name)
	}
	before := st.Name
	st.Name = name
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if st.Name == before {
		return st, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sampling_stations SET name = ? WHERE id = ?`, st.Name, st.ID); err != nil {
		if frontline.ErrorCode(tx.db.translate(err)) == frontline.ECONFLICT {
			return nil, stationNameTaken(site, st)
		}
		return nil, tx.db.translate(err)
	}
	if st.TokenID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET name = ? WHERE id = ?`, site.Name+" "+st.Name, st.TokenID); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "update", "sampling_station", st.ID, path, map[string]any{"name": before}, map[string]any{"name": st.Name}); err != nil {
		return nil, err
	}
	return st, tx.Commit()
}

// RetireStation revokes a station's device token, so its scanner stops at
// once, and marks the station retired. Its tubes and bindings keep
// pointing at it, and its name is free for a replacement. Retiring works
// in a closed round too: that is when a device should lose its access.
func (s *SiteService) RetireStation(ctx context.Context, id int64) (*frontline.Station, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, path, err := tx.findStation(ctx, id)
	if err != nil {
		return nil, err
	}
	if !st.RetiredAt.IsZero() {
		return st, nil
	}
	st.RetiredAt, st.RetiredBy = tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE sampling_stations SET retired_at = ?, retired_by = ? WHERE id = ?`,
		st.RetiredAt, st.RetiredBy, st.ID); err != nil {
		return nil, err
	}
	if st.TokenID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, tx.now, st.TokenID); err != nil {
			return nil, err
		}
		if err := tx.audit(ctx, "revoke", "token", st.TokenID, path, nil, map[string]any{"revoked_at": tx.now}); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "retire", "sampling_station", st.ID, path, nil,
		map[string]any{"name": st.Name, "token_id": st.TokenID, "retired_at": st.RetiredAt}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	s.db.tokens.clear()
	return st, nil
}

// stationNameTaken is the refusal of a station name another working
// station of the site has: a conflict with stored data, named by field so
// forms show it beside the name.
func stationNameTaken(site *frontline.Site, st *frontline.Station) error {
	return &frontline.Error{Code: frontline.ECONFLICT, Field: "name",
		Message: fmt.Sprintf("site %s already has a station %s", site.Name, st.Name)}
}

// findStation returns a station the caller can see, with its place's path.
func (tx *Tx) findStation(ctx context.Context, id int64) (*frontline.Station, string, error) {
	var path string
	st, err := scanStation(tx.QueryRowContext(ctx, `SELECT `+stationColumns+`, p.path`+stationFrom+` WHERE st.id = ?`, id), &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "sampling station %d not found", id)
	}
	return st, path, tx.db.translate(err)
}

// FindSavedPlan returns what the round's plan was last saved with.
func (s *SiteService) FindSavedPlan(ctx context.Context, roundID int64) (*frontline.SavedPlan, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findRound(ctx, roundID, false); err != nil {
		return nil, err
	}
	return tx.savedPlan(ctx, roundID)
}

// savedPlan reads what the round's plan was last saved with; ENOTFOUND
// when it never was.
func (tx *Tx) savedPlan(ctx context.Context, roundID int64) (*frontline.SavedPlan, error) {
	p := frontline.SavedPlan{RoundID: roundID}
	st := &p.Settings
	var channels string
	err := tx.QueryRowContext(ctx, `SELECT per_station, min_per_station, max_per_station, queue_minutes, seconds_per_person,
		lead_minutes, channels, notice_template, slots, notices, saved_at, saved_by FROM round_plans WHERE round_id = ?`, roundID).Scan(
		&st.PerStation, &st.MinPerStation, &st.MaxPerStation, &st.QueueMinutes, &st.SecondsPerPerson,
		&st.LeadMinutes, &channels, &st.NoticeTemplate, &p.Slots, &p.Notices, &p.SavedAt, &p.SavedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no plan was saved for round %d", roundID)
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	if err := json.Unmarshal([]byte(channels), &st.Channels); err != nil {
		return nil, &frontline.Error{Code: frontline.EINTERNAL, Message: "a saved plan's channels are unreadable", Err: err}
	}
	p.SavedAt = p.SavedAt.UTC()
	return &p, nil
}

// savePlan records the settings a plan was saved with, in the transaction
// that saves its slots. Settings outside what a round can run on refuse
// the whole save.
func (tx *Tx) savePlan(ctx context.Context, roundID int64, settings frontline.PlanSettings, slots, notices int) error {
	if err := settings.Validate(); err != nil {
		return err
	}
	channels, err := json.Marshal(settings.Channels)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO round_plans (round_id, per_station, min_per_station, max_per_station,
		queue_minutes, seconds_per_person, lead_minutes, channels, notice_template, slots, notices, saved_at, saved_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (round_id) DO UPDATE SET per_station = excluded.per_station, min_per_station = excluded.min_per_station,
			max_per_station = excluded.max_per_station, queue_minutes = excluded.queue_minutes,
			seconds_per_person = excluded.seconds_per_person, lead_minutes = excluded.lead_minutes,
			channels = excluded.channels, notice_template = excluded.notice_template, slots = excluded.slots,
			notices = excluded.notices, saved_at = excluded.saved_at, saved_by = excluded.saved_by`,
		roundID, settings.PerStation, settings.MinPerStation, settings.MaxPerStation, settings.QueueMinutes,
		settings.SecondsPerPerson, settings.LeadMinutes, string(channels), settings.NoticeTemplate, slots, notices, tx.now,
		frontline.ActorFrom(ctx).String())
	return tx.db.translate(err)
}
