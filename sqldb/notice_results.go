package sqldb

import (
	"context"
	"maps"
	"slices"

	"github.com/frontline-org/frontline"
)

// resultNotices tells the residents whose result this post made final
// and negative, in the same transaction as the result: on their own
// mobile number, or their household's. Positives go by no SMS: the case
// workflow calls the person (case_open.go).
func (f *fanOut) resultNotices(ctx context.Context) error {
	if !f.tx.smsOn() {
		return nil
	}
	byRound := map[int64][]int64{}
	for _, p := range f.people {
		if p.result == frontline.ResultNegative && (p.follow == "" || p.follow == frontline.FollowReleased) {
			byRound[p.round] = append(byRound[p.round], p.person)
		}
	}
	for _, round := range slices.Sorted(maps.Keys(byRound)) {
		var name string
		if err := f.tx.QueryRowContext(ctx, `SELECT name FROM test_rounds WHERE id = ?`, round).Scan(&name); err != nil {
			return err
		}
		persons := byRound[round]
		slices.Sort(persons)
		notices, err := f.tx.toPersons(ctx, slices.Compact(persons), func(p personTarget) frontline.Notice {
			return frontline.Notice{Topic: frontline.TopicResult, PlaceID: p.household, RoundID: round, Subject: name,
				Body: frontline.ResultNoticeText(name, p.name), Params: map[string]string{"round": name, "name": frontline.MaskName(p.name), "result": "阴性"}}
		})
		if err != nil {
			return err
		}
		if err := f.tx.enqueueNotices(ctx, notices); err != nil {
			return err
		}
	}
	return nil
}

// endNotices tells the residents whose measures ended (home isolation,
// health monitoring) that they have, in the transaction that ends them.
func (tx *Tx) endNotices(ctx context.Context, ended []*frontline.Measure) error {
	if !tx.smsOn() || len(ended) == 0 {
		return nil
	}
	byPerson := map[int64]*frontline.Measure{}
	var persons []int64
	for _, m := range ended {
		if byPerson[m.PersonID] == nil {
			persons = append(persons, m.PersonID)
		}
		byPerson[m.PersonID] = m
	}
	slices.Sort(persons)
	notices, err := tx.toPersons(ctx, persons, func(p personTarget) frontline.Notice {
		m := byPerson[p.id]
		return frontline.Notice{Topic: frontline.TopicIsolationEnd, PlaceID: p.household, Subject: frontline.MeasureLabels[m.Type],
			Body:   frontline.IsolationEndText(m.Type, p.name, m.EndDate),
			Params: map[string]string{"name": frontline.MaskName(p.name), "measure": frontline.MeasureLabels[m.Type], "date": m.EndDate}}
	})
	if err != nil {
		return err
	}
	return tx.enqueueNotices(ctx, notices)
}

// medicineNotices tells the household of a delivered medicine request
// that it was delivered, by SMS to its numbers, in the transaction that
// records the delivery (by a named worker or on a run). The text names
// the pharmacy and never the medicine (frontline.MedicineNoticeText).
func (tx *Tx) medicineNotices(ctx context.Context, m *frontline.MedicineRequest) error {
	if !tx.smsOn() {
		return nil
	}
	var pharmacy string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM supply_partners WHERE id = ?`, m.PartnerID).Scan(&pharmacy); err != nil {
		return err
	}
	notices, err := tx.toHouseholds(ctx, []int64{m.HouseholdID}, frontline.Notice{Topic: frontline.TopicMedicine,
		PlaceID: m.HouseholdID, Subject: pharmacy, Body: frontline.MedicineNoticeText(pharmacy),
		Params: map[string]string{"partner": pharmacy}})
	if err != nil {
		return err
	}
	return tx.enqueueNotices(ctx, notices)
}
