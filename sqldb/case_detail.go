package sqldb

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// activityDays is how far back the case page lists the person's passages
// and visits: the incubation period the tracers ask about.
const activityDays = 14

// CaseDetail returns a case with its contacts, transfers, the person's
// recent traces, its timeline and the zones the rules propose.
func (s *CaseService) CaseDetail(ctx context.Context, id int64) (*frontline.CaseDetail, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, path, err := tx.findCase(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &frontline.CaseDetail{Case: c}
	if d.Contacts, err = tx.caseContacts(ctx, c.ID, s.Settings.FollowUps); err != nil {
		return nil, err
	}
	if d.Transfers, err = tx.queryTransfers(ctx, `t.case_id = ? ORDER BY t.id`, c.ID); err != nil {
		return nil, err
	}
	byPerson := map[int64]*frontline.Transfer{}
	for _, t := range d.Transfers {
		if cur := byPerson[t.PersonID]; cur == nil || t.Status != frontline.TransferCancelled {
			byPerson[t.PersonID] = t
		}
	}
	for _, ct := range d.Contacts {
		ct.Transfer = byPerson[ct.PersonID]
	}
	if d.Activity, err = tx.caseActivity(ctx, c); err != nil {
		return nil, err
	}
	if d.Proposals, err = tx.proposals(ctx, path); err != nil {
		return nil, err
	}
	if d.Timeline, err = tx.caseTimeline(ctx, c, d.Transfers); err != nil {
		return nil, err
	}
	return d, nil
}

// caseContacts lists a case's contacts, closest first, with their measure
// and how many of their follow-up items are overdue.
func (tx *Tx) caseContacts(ctx context.Context, caseID int64, fs frontline.FollowUpSettings) ([]*frontline.Contact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT k.person_id, k.household_id, k.kind, COALESCE(k.measure_id, 0), p.name, k.path,
		(SELECT COUNT(*) FROM screening_followups f WHERE f.measure_id = k.measure_id AND f.done_at IS NULL AND f.due_at < ?)
		FROM case_contacts k JOIN persons p ON p.id = k.person_id WHERE k.case_id = ? ORDER BY k.path, k.person_id`,
		tx.now.Add(-fs.Grace), caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, paths := []*frontline.Contact{}, []string{}
	var measures []int64
	for rows.Next() {
		ct := &frontline.Contact{CaseID: caseID}
		var path string
		if err := rows.Scan(&ct.PersonID, &ct.HouseholdID, &ct.Kind, &ct.MeasureID, &ct.Name, &path, &ct.Overdue); err != nil {
			return nil, err
		}
		if !visible(ctx, path) {
			ct.Name = maskName(ct.Name)
		}
		if ct.MeasureID > 0 {
			measures = append(measures, ct.MeasureID)
		}
		out, paths = append(out, ct), append(paths, path)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	addrs, err := tx.addressesOf(ctx, paths)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*frontline.Measure{}
	for chunk := range slices.Chunk(sortedUnique(measures), maxInList) {
		ms, err := tx.measures(ctx, `id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			byID[m.ID] = m
		}
	}
	for i, ct := range out {
		ct.Address, ct.Measure = addrs[i], byID[ct.MeasureID]
	}
	slices.SortStableFunc(out, func(a, b *frontline.Contact) int {
		return cmp.Compare(slices.Index(frontline.ContactKinds, a.Kind), slices.Index(frontline.ContactKinds, b.Kind))
	})
	return out, nil
}

// caseActivity lists the person's checkpoint passages and household
// visits of the last activityDays days before the case, newest first.
func (tx *Tx) caseActivity(ctx context.Context, c *frontline.Case) ([]*frontline.CaseActivity, error) {
	since := c.ConfirmedAt.AddDate(0, 0, -activityDays)
	out := []*frontline.CaseActivity{}
	rows, err := tx.QueryContext(ctx, `SELECT s.at, k.name, s.direction, s.allowed FROM passages s JOIN checkpoints k ON k.id = s.checkpoint_id
		WHERE s.person_id = ? AND s.at >= ? ORDER BY s.at DESC LIMIT 100`, c.PersonID, since)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a frontline.CaseActivity
		var dir string
		var allowed bool
		if err := rows.Scan(&a.At, &a.Where, &dir, &allowed); err != nil {
			rows.Close()
			return nil, err
		}
		a.Kind, a.Detail, a.At = "passage", dir+".refused", a.At.UTC()
		if allowed {
			a.Detail = dir + ".allowed"
		}
		out = append(out, &a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT v.visited_at, c.name, v.outcome FROM screening_visit_persons vp
		JOIN screening_visits v ON v.id = vp.visit_id JOIN screening_campaigns c ON c.id = v.campaign_id
		WHERE vp.person_id = ? AND v.visited_at >= ? ORDER BY v.visited_at DESC LIMIT 100`, c.PersonID, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a frontline.CaseActivity
		if err := rows.Scan(&a.At, &a.Where, &a.Detail); err != nil {
			return nil, err
		}
		a.Kind, a.At = "visit", a.At.UTC()
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b *frontline.CaseActivity) int { return b.At.Compare(a.At) })
	return out, nil
}

// proposals are the zones the rule proposes for a case at the household
// path, with each node's effective level now.
func (tx *Tx) proposals(ctx context.Context, path string) ([]*frontline.ZoneProposal, error) {
	names, err := tx.placeNamesOf(ctx, []string{path})
	if err != nil {
		return nil, err
	}
	kinds, labels := map[int64]frontline.PlaceKind{}, map[int64]string{}
	for id, p := range names {
		kinds[id], labels[id] = p.Kind, p.Name
	}
	zones, err := tx.activeOnPaths(ctx, path)
	if err != nil {
		return nil, err
	}
	current := map[int64]frontline.ZoneLevel{}
	ids, ancestors := frontline.PathIDs(path), frontline.AncestorPaths(path)
	for i, id := range ids {
		current[id] = frontline.EffectiveLevel(ancestors[i], zones)
	}
	// The compound's name is said with it; a building is said with its
	// compound ("枣园小区 3号楼"), as offices name it.
	out := frontline.ProposeZones(path, kinds, labels, current)
	for _, p := range out {
		if p.Kind != frontline.KindCompound {
			var parts []string
			for _, id := range ids {
				if k := kinds[id]; k.Rank() >= frontline.KindCompound.Rank() && k.Rank() <= p.Kind.Rank() {
					parts = append(parts, labels[id])
				}
			}
			p.PlaceName = strings.Join(parts, " ")
		}
	}
	return out, nil
}

// caseTimeline lists what happened to a case: confirmed, traced, alerted
// and acknowledged, zones drawn, transfer steps, closed; oldest first.
func (tx *Tx) caseTimeline(ctx context.Context, c *frontline.Case, transfers []*frontline.Transfer) ([]*frontline.CaseEvent, error) {
	var out []*frontline.CaseEvent
	add := func(at time.Time, action, actor, detail string) {
		if !at.IsZero() {
			out = append(out, &frontline.CaseEvent{At: at.UTC(), Action: action, Actor: actor, Detail: detail})
		}
	}
	add(c.ConfirmedAt, "confirmed", c.ConfirmedBy, c.TubeCode+c.ExternalRef)
	add(c.CreatedAt, "opened", c.CreatedBy, "")
	alerts, err := tx.QueryContext(ctx, `SELECT level, escalated_at, acked_at, acked_by FROM alerts WHERE subject = 'case' AND subject_id = ? ORDER BY id`, c.ID)
	if err != nil {
		return nil, err
	}
	for alerts.Next() {
		var level int
		var escalated, acked time.Time
		var by string
		if err := alerts.Scan(&level, nullTimeDest{&escalated}, nullTimeDest{&acked}, &by); err != nil {
			alerts.Close()
			return nil, err
		}
		if level > 0 {
			add(escalated, "escalated", "", "")
		}
		add(acked, "acknowledged", by, "")
	}
	alerts.Close()
	if err := alerts.Err(); err != nil {
		return nil, err
	}
	zones, err := tx.queryZones(ctx, `z.evidence_kind = ? AND z.evidence_ref = ? ORDER BY z.id`, string(frontline.LinkCase), c.Ref())
	if err != nil {
		return nil, err
	}
	for _, z := range zones {
		add(z.Start, "zone."+string(z.Level), z.RecordedBy, z.Place.Name)
	}
	for _, t := range transfers {
		who := t.PersonName
		add(t.RequestedAt, "transfer.requested", t.RequestedBy, who+" → "+t.Facility)
		add(t.AssignedAt, "transfer.assigned", t.AssignedBy, who+" · "+t.Vehicle)
		add(t.PickedUpAt, "transfer.picked_up", t.PickedUpBy, who)
		add(t.ArrivedAt, "transfer.arrived", t.ArrivedBy, who+" · "+t.Facility)
		add(t.CancelledAt, "transfer.cancelled", t.CancelledBy, who)
	}
	add(c.ClosedAt, "closed", c.ClosedBy, c.CloseReason)
	slices.SortStableFunc(out, func(a, b *frontline.CaseEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// SealFromCase draws one of the case's proposed zones, with the case as
// its evidence. The proposal must stand: a node already as strict as
// proposed is ECONFLICT, as drawing it by hand would be.
func (s *CaseService) SealFromCase(ctx context.Context, caseID, placeID int64) (*frontline.Affected, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageZones)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, path, err := tx.findCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	props, err := tx.proposals(ctx, path)
	if err != nil {
		return nil, err
	}
	var p *frontline.ZoneProposal
	for _, q := range props {
		if q.PlaceID == placeID {
			p = q
		}
	}
	if p == nil {
		return nil, frontline.FieldError("place_id", "place %d is not a zone this case proposes", placeID)
	}
	if p.Drawn {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s is already %s", p.PlaceName, p.Current)
	}
	// The reason is written as offices write it, in the zone's record.
	where := "所在楼栋"
	if p.Kind == frontline.KindCompound {
		where = "所在小区"
	}
	z := &frontline.Zone{PlaceID: placeID, Level: p.Level, Reason: "阳性病例 " + c.Ref() + " " + where,
		Evidence: frontline.EvidenceLink{Kind: frontline.LinkCase, Ref: c.Ref()}}
	a, err := tx.setZone(ctx, z)
	if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "seal", "case", c.ID, path, nil, map[string]any{"zone_id": z.ID, "place_id": placeID, "level": p.Level}); err != nil {
		return nil, err
	}
	return a, tx.Commit()
}
