package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/frontline-org/frontline"
)

// Contacts are set when a zone is drawn: startZone calls assignContacts in
// the transaction that seals or controls a node, so no vulnerable resident
// of a new zone is ever without a contact or a proposal for lack of a
// later job. A resident keeps their contact when the zone is lifted; the
// next zone finds them already named.

// contactKinds are the workers who may be proposed as contacts: those who
// go to households (not samplers or drivers).
var contactKinds = []frontline.WorkerKind{frontline.WorkerGrid, frontline.WorkerCommunity, frontline.WorkerVolunteer, frontline.WorkerSentDown}

// assignContacts gives every flagged resident under place without a
// contact one: the household's responsible worker (the one call,
// responsibleFor), else a proposal of the least-loaded worker registered
// on the household's path. It returns how many it set, and writes one
// audit entry for them.
func (tx *Tx) assignContacts(ctx context.Context, place *frontline.Place) (int, error) {
	lo, hi := subtreeRange(place.Path)
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.household_id, h.path FROM persons p JOIN places h ON h.id = p.household_id
		WHERE h.path >= ? AND h.path < ? AND p.flags <> '' AND p.status <> ?
		AND NOT EXISTS (SELECT 1 FROM vulnerable_contacts c WHERE c.person_id = p.id) ORDER BY h.path, p.id`,
		lo, hi, string(frontline.StatusMovedOut))
	if err != nil {
		return 0, err
	}
	type resident struct{ id, household int64 }
	var residents []resident
	paths := map[int64]string{}
	for rows.Next() {
		var r resident
		var path string
		if err := rows.Scan(&r.id, &r.household, &path); err != nil {
			rows.Close()
			return 0, err
		}
		residents, paths[r.household] = append(residents, r), path
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(residents) == 0 {
		return 0, err
	}
	responsible, err := tx.responsibleFor(ctx, paths, tx.today())
	if err != nil {
		return 0, err
	}
	by := frontline.ActorFrom(ctx).String()
	set, proposed := 0, 0
	for _, r := range residents {
		worker, source := int64(0), frontline.ContactResponsible
		if rw := responsible[r.household]; rw != nil && rw.Worker != nil {
			worker = rw.Worker.ID
		} else {
			source = frontline.ContactProposed
			if worker, err = tx.proposeContact(ctx, paths[r.household]); err != nil {
				return 0, err
			}
		}
		if worker == 0 {
			continue // nobody to propose: the board counts them without a contact
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vulnerable_contacts (person_id, worker_id, source, set_at, set_by)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO NOTHING`, r.id, worker, string(source), tx.now, by); err != nil {
			return 0, tx.db.translate(err)
		}
		set++
		if source == frontline.ContactProposed {
			proposed++
		}
	}
	return set, tx.audit(ctx, "assign", "vulnerable_contacts", place.ID, place.Path, nil,
		map[string]any{"place_id": place.ID, "set": set, "proposed": proposed, "without": len(residents) - set})
}

// proposeContact returns the worker to propose for a household with no
// responsible worker: of the workers registered at a node on its path, of
// a kind that goes to households, the one with the fewest contacts; 0 when
// there is none.
func (tx *Tx) proposeContact(ctx context.Context, path string) (int64, error) {
	ids := frontline.PathIDs(path)
	args := int64Args(ids)
	kinds := make([]any, len(contactKinds))
	for i, k := range contactKinds {
		kinds[i] = string(k)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT w.id FROM workers w WHERE w.place_id IN `+inList(len(ids))+`
		AND NOT w.retired AND w.kind IN `+inList(len(kinds))+`
		ORDER BY (SELECT COUNT(*) FROM vulnerable_contacts c WHERE c.worker_id = w.id), w.id LIMIT 1`,
		append(args, kinds...)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// AssignContacts gives every vulnerable resident under a node without a
// contact one, as drawing a zone does: for residents flagged, or workers
// registered, after the zone was drawn.
func (s *VulnerableService) AssignContacts(ctx context.Context, placeID int64) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return 0, err
	}
	n, err := tx.assignContacts(ctx, place)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// SetContact names a resident's contact by hand; the worker must be
// registered at a node on the resident's path (the workforce of their
// community or above) and in the caller's reach.
func (s *VulnerableService) SetContact(ctx context.Context, personID, workerID int64) (*frontline.VulnerableContact, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	v, err := tx.vulnerableResident(ctx, personID)
	if err != nil {
		return nil, err
	}
	hh, err := tx.placeByID(ctx, v.HouseholdID)
	if err != nil {
		return nil, err
	}
	ws, err := tx.queryWorkers(ctx, `w.id = ? AND NOT w.retired`, workerID)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "worker %d not found", workerID)
	}
	if ids := frontline.PathIDs(hh.Path); !slices.Contains(ids, ws[0].PlaceID) {
		return nil, frontline.FieldError("worker_id", "%s is not of the workforce of the resident's community", ws[0].Name)
	}
	by := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO vulnerable_contacts (person_id, worker_id, source, set_at, set_by)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET worker_id = excluded.worker_id, source = excluded.source,
		set_at = excluded.set_at, set_by = excluded.set_by`, personID, workerID, string(frontline.ContactConfirmed), tx.now, by); err != nil {
		return nil, tx.db.translate(err)
	}
	var before map[string]any
	if v.Contact != nil {
		before = map[string]any{"worker_id": v.Contact.WorkerID, "worker": v.Contact.WorkerName, "source": v.Contact.Source}
	}
	if err := tx.audit(ctx, "set", "vulnerable_contact", personID, hh.Path, before,
		map[string]any{"worker_id": workerID, "worker": ws[0].Name, "source": frontline.ContactConfirmed}); err != nil {
		return nil, err
	}
	c := &frontline.VulnerableContact{PersonID: personID, WorkerID: workerID, WorkerName: ws[0].Name, Phone: ws[0].Phone,
		UserID: ws[0].UserID, Source: frontline.ContactConfirmed, SetAt: tx.now, SetBy: by}
	return c, tx.Commit()
}

// ConfirmProposals confirms the proposed contacts of the vulnerable under
// a node, in the caller's scope, and returns how many.
func (s *VulnerableService) ConfirmProposals(ctx context.Context, placeID int64) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return 0, err
	}
	lo, hi := subtreeRange(place.Path)
	res, err := tx.ExecContext(ctx, `UPDATE vulnerable_contacts SET source = ?, set_at = ?, set_by = ?
		WHERE source = ? AND person_id IN (SELECT p.id FROM persons p JOIN places h ON h.id = p.household_id WHERE h.path >= ? AND h.path < ?)`,
		string(frontline.ContactConfirmed), tx.now, frontline.ActorFrom(ctx).String(), string(frontline.ContactProposed), lo, hi)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, "confirm", "vulnerable_contacts", place.ID, place.Path, nil, map[string]any{"confirmed": n}); err != nil {
		return 0, err
	}
	return int(n), tx.Commit()
}

// contactIfGuarded gives a resident registered, flagged or moved in after
// their zone was drawn a contact, as drawing it did for the others: when
// they are vulnerable and their household's effective level (the one
// call) is sealed or controlled. The job (AlertUnchecked) does the same
// for a zone past its alert hour, for what comes in another way (an
// import, a merge) and for residents who had nobody to propose.
func (tx *Tx) contactIfGuarded(ctx context.Context, p *frontline.Person, h *frontline.Place) error {
	if len(p.Flags) == 0 || p.Status == frontline.StatusMovedOut || h == nil {
		return nil
	}
	levels, err := tx.effectiveLevels(ctx, []int64{h.ID})
	if err != nil {
		return err
	}
	if st := levels[h.ID]; st == nil || !guarded(st.Level) {
		return nil
	}
	_, err = tx.assignContacts(ctx, h)
	return err
}
