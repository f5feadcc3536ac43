package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.SiteService = (*SiteService)(nil)

// SiteService stores sampling sites, stations and the call-up plan.
type SiteService struct {
	db       *DB
	channels []string
	// Restrictions decide who may be called down; the default policy when
	// nil.
	Restrictions frontline.RestrictionPolicy
}

// NewSiteService returns a SiteService on db. Channels are the names of
// the notice channels the deployment delivers on (notify.Worker.Names); a
// plan naming another is refused. Without any, only "log" is known: every
// server writes notices to its log.
func NewSiteService(db *DB, channels ...string) *SiteService {
	if len(channels) == 0 {
		channels = []string{"log"}
	}
	return &SiteService{db: db, channels: channels}
}

// CreateSite adds a site at a node under the round's scope.
func (s *SiteService) CreateSite(ctx context.Context, site *frontline.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.openRoundOf(ctx, site.RoundID)
	if err != nil {
		return err
	}
	if err := site.WithinRound(r, s.db.Location); err != nil {
		return err
	}
	at, err := tx.findPlaceByID(ctx, site.PlaceID)
	if err != nil {
		return err
	}
	if lo, hi := subtreeRange(r.Scope.Path); at.Path < lo || at.Path >= hi {
		return frontline.FieldError("place_id", "%s is not under the round's scope %s", at.Name, r.Scope.Name)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO sampling_sites (round_id, place_id, name, location, opens_at, closes_at,
		created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, site.RoundID, site.PlaceID, site.Name,
		site.Location, site.OpensAt.UTC(), site.ClosesAt.UTC(), tx.now, frontline.ActorFrom(ctx).String()).Scan(&site.ID); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "sampling_site", site.ID, at.Path, nil,
		map[string]any{"round_id": site.RoundID, "name": site.Name, "location": site.Location}); err != nil {
		return err
	}
	return tx.Commit()
}

// siteColumns count a site's working stations: a retired one samples no
// more, so the call-up plan must not count on it.
const siteColumns = `si.id, si.round_id, si.place_id, si.name, si.location, si.opens_at, si.closes_at,
	(SELECT COUNT(*) FROM sampling_stations st WHERE st.site_id = si.id AND st.retired_at IS NULL)`

func scanSite(sc interface{ Scan(...any) error }, extra ...any) (*frontline.Site, error) {
	var si frontline.Site
	if err := sc.Scan(append([]any{&si.ID, &si.RoundID, &si.PlaceID, &si.Name, &si.Location, &si.OpensAt, &si.ClosesAt, &si.Stations}, extra...)...); err != nil {
		return nil, err
	}
	si.OpensAt, si.ClosesAt = si.OpensAt.UTC(), si.ClosesAt.UTC()
	return &si, nil
}

// FindSites returns a round's sites in the order of their places.
func (s *SiteService) FindSites(ctx context.Context, roundID int64) ([]*frontline.Site, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findRound(ctx, roundID, false); err != nil {
		return nil, err
	}
	return tx.sites(ctx, roundID)
}

func (tx *Tx) sites(ctx context.Context, roundID int64) ([]*frontline.Site, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+siteColumns+` FROM sampling_sites si JOIN places p ON p.id = si.place_id
		WHERE si.round_id = ? ORDER BY p.path, si.id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.Site, 0)
	for rows.Next() {
		si, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, si)
	}
	return out, rows.Err()
}

func (tx *Tx) findSite(ctx context.Context, id int64) (*frontline.Site, string, error) {
	var path string
	si, err := scanSite(tx.QueryRowContext(ctx, `SELECT `+siteColumns+`, p.path FROM sampling_sites si
		JOIN places p ON p.id = si.place_id WHERE si.id = ?`, id), &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "sampling site %d not found", id)
	}
	return si, path, tx.db.translate(err)
}

// CreateStation adds a station to a site with a device token for its
// scanner: role sampler, scoped to the site's place. The token's secret is
// returned once; only its hash is kept.
func (s *SiteService) CreateStation(ctx context.Context, st *frontline.Station) (string, error) {
	if err := st.Validate(); err != nil {
		return "", err
	}
	body, err := newSecret()
	if err != nil {
		return "", err
	}
	secret := TokenPrefix + body
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	site, _, path, err := tx.openSite(ctx, st.SiteID)
	if err != nil {
		return "", err
	}
	actor := frontline.ActorFrom(ctx).String()
	st.RoundID, st.Site, st.CreatedAt = site.RoundID, site.Name, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (hash, name, role, scope_id, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, hashSecret(secret), site.Name+" "+st.Name, string(frontline.RoleSampler),
		site.PlaceID, tx.now, actor).Scan(&st.TokenID); err != nil {
		return "", tx.db.translate(err)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO sampling_stations (round_id, site_id, name, lane, token_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, st.RoundID, st.SiteID, st.Name, st.Lane, st.TokenID, tx.now).Scan(&st.ID); err != nil {
		if frontline.ErrorCode(tx.db.translate(err)) == frontline.ECONFLICT {
			return "", stationNameTaken(site, st)
		}
		return "", tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "sampling_station", st.ID, path, nil,
		map[string]any{"site_id": st.SiteID, "name": st.Name, "token_id": st.TokenID}); err != nil {
		return "", err
	}
	return secret, tx.Commit()
}

const stationColumns = `st.id, st.round_id, st.site_id, si.name, st.name, st.lane, COALESCE(st.token_id, 0), st.created_at,
	st.retired_at, st.retired_by`

const stationFrom = ` FROM sampling_stations st JOIN sampling_sites si ON si.id = st.site_id JOIN places p ON p.id = si.place_id`

func scanStation(sc interface{ Scan(...any) error }, extra ...any) (*frontline.Station, error) {
	var st frontline.Station
	var retired sql.NullTime
	if err := sc.Scan(append([]any{&st.ID, &st.RoundID, &st.SiteID, &st.Site, &st.Name, &st.Lane, &st.TokenID, &st.CreatedAt,
		&retired, &st.RetiredBy}, extra...)...); err != nil {
		return nil, err
	}
	st.CreatedAt, st.RetiredAt = st.CreatedAt.UTC(), nullTime(retired)
	return &st, nil
}

// FindStations returns a round's stations by site and name.
func (s *SiteService) FindStations(ctx context.Context, roundID int64) ([]*frontline.Station, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := andScope(ctx, "p.path", []string{"st.round_id = ?"}, []any{roundID})
	rows, err := tx.QueryContext(ctx, `SELECT `+stationColumns+stationFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY p.path, si.id, st.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.Station, 0)
	for rows.Next() {
		st, err := scanStation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// FindStationByID returns one station.
func (s *SiteService) FindStationByID(ctx context.Context, id int64) (*frontline.Station, error) {
	return s.station(ctx, "st.id = ?", id)
}

// StationForToken returns the station a device token was made for.
func (s *SiteService) StationForToken(ctx context.Context, tokenID int64) (*frontline.Station, error) {
	return s.station(ctx, "st.token_id = ?", tokenID)
}

func (s *SiteService) station(ctx context.Context, cond string, arg int64) (*frontline.Station, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var path string
	st, err := scanStation(tx.QueryRowContext(ctx, `SELECT `+stationColumns+`, p.path`+stationFrom+` WHERE `+cond, arg), &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "sampling station not found")
	}
	return st, tx.db.translate(err)
}
