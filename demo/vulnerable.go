package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// The vulnerable of sealed 忠义巷小区 (包保): 自治巷社区 registers its
// secretary 张彬 and the compound's grid worker 赵丽, who is responsible
// for the compound, and names the contacts the seal could not (the
// community had no workforce registered when the compound was sealed);
// the delivery volunteer 马晓燕 (login zhongyi) takes the residents of the
// last building. Some have been reached today — called or visited, one
// found short of her blood-pressure medicine, which became a request to
// 自治巷药房, one who needs rice and oil, still to be ordered — one was
// tried and did not answer, some were last reached yesterday, and one
// woman registered pregnant this morning, before the workforce was, has
// only a proposed contact for the secretary to confirm. The alert
// hour of the compound is set an hour before the demo is built, so the
// board, the zone page and the secretary's alert all show the unreached
// at once.

// VulnerableServices are what Vulnerable writes through.
type VulnerableServices struct {
	Places         frontline.PlaceService
	Persons        frontline.PersonService
	Users          frontline.UserService
	Workers        frontline.WorkerService
	Responsibility frontline.ResponsibilityService
	Partners       frontline.PartnerService
	Vulnerable     frontline.VulnerableService
	// At sets the store's clock, so checks can be made as of yesterday;
	// the zero time gives it back to the wall clock.
	At func(time.Time)
	// Location is the deployment's time zone, which the alert hour is
	// read in; nil takes frontline.DefaultLocation.
	Location *time.Location
}

// VulnerableScene says what Vulnerable did.
type VulnerableScene struct {
	Secretary, Grid *frontline.Worker
	Flagged         int // flagged residents of 忠义巷小区, the newly flagged included
	Contacts        int // contacts named by the step
	Reached         int // called or visited today
	Unreachable     int // tried today without an answer
	Yesterday       int // reached yesterday, not yet today
	// Medicine is the request a need found today became.
	Medicine *frontline.MedicineRequest
	// NoContact is the resident flagged this morning, before the
	// community's workforce was registered: a proposal at most.
	NoContact *frontline.Person
	AlertAt   int // the compound's alert hour, minutes after local midnight
	Alerts    int // alerts the step's run of the job raised
}

// Vulnerable gives the vulnerable of 忠义巷小区 their contacts and a day of
// checks (after Zones, Supply and Delivery).
func Vulnerable(ctx context.Context, s VulnerableServices, now time.Time) (*VulnerableScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	if s.Location == nil {
		s.Location = frontline.DefaultLocation()
	}
	fail := func(err error) (*VulnerableScene, error) { return nil, fmt.Errorf("demo vulnerable: %w", err) }
	zizhi, err := s.Places.FindPlaceByPath(ctx, PathZizhixiang)
	if err != nil {
		return fail(err)
	}
	zhong, err := s.Places.FindPlaceByPath(ctx, PathZhongyixiang)
	if err != nil {
		return fail(err)
	}
	sc := &VulnerableScene{}
	// Flagged before 自治巷社区 registered its workforce, she has at most a
	// proposal (the delivery volunteer, the only worker on her path) for
	// the secretary to confirm: a resident without a named contact.
	if sc.NoContact, err = flagNewcomer(ctx, s, zhong); err != nil {
		return fail(err)
	}
	if err := vulnerableWorkforce(ctx, s, sc, zizhi, zhong, now); err != nil {
		return fail(err)
	}
	if sc.Contacts, err = s.Vulnerable.AssignContacts(ctx, zhong.ID); err != nil {
		return fail(err)
	}
	all, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{Under: &zhong.ID, OnlyFlagged: true, Limit: 1000})
	if err != nil {
		return fail(err)
	}
	flagged := slices.DeleteFunc(slices.Clone(all), func(p *frontline.Person) bool { return p.ID == sc.NoContact.ID })
	if len(flagged) < 6 {
		return fail(fmt.Errorf("忠义巷小区 has %d flagged residents, the scene needs 6", len(flagged)))
	}
	if err := volunteerContacts(ctx, s, zhong, sc.NoContact.ID); err != nil {
		return fail(err)
	}
	if err := vulnerableChecks(ctx, s, sc, flagged, now); err != nil {
		return fail(err)
	}
	sc.Flagged = len(all)
	local := now.In(s.Location)
	sc.AlertAt = max(0, local.Hour()*60+local.Minute()-60) / 30 * 30
	if err := s.Vulnerable.SetAlertHour(ctx, zhong.ID, sc.AlertAt); err != nil {
		return fail(err)
	}
	if sc.Alerts, err = s.Vulnerable.AlertUnchecked(ctx); err != nil {
		return fail(err)
	}
	return sc, nil
}

// vulnerableWorkforce registers 张彬 and 赵丽 at 自治巷社区 and makes them
// responsible for the community and for 忠义巷小区.
func vulnerableWorkforce(ctx context.Context, s VulnerableServices, sc *VulnerableScene, zizhi, zhong *frontline.Place, now time.Time) error {
	tested := now.Add(-20 * time.Hour).UTC()
	sc.Secretary = &frontline.Worker{PlaceID: zizhi.ID, Name: "张彬", Phone: demoPhone(8, 1), Kind: frontline.WorkerCommunity, LastNegative: tested}
	if u, err := userOf(ctx, s, "zhangbin"); err != nil {
		return err
	} else if u != nil {
		sc.Secretary.UserID = u.ID
	}
	sc.Grid = &frontline.Worker{PlaceID: zizhi.ID, Name: "赵丽", Phone: demoPhone(8, 2), Kind: frontline.WorkerGrid, LastNegative: tested}
	for _, w := range []*frontline.Worker{sc.Secretary, sc.Grid} {
		if err := s.Workers.CreateWorker(ctx, w); err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
	}
	if _, err := s.Responsibility.SetResponsible(ctx, zizhi.ID, sc.Secretary.ID, 0); err != nil {
		return err
	}
	_, err := s.Responsibility.SetResponsible(ctx, zhong.ID, sc.Grid.ID, sc.Secretary.ID)
	return err
}

// vulnerableChecks records the day's checks: the first resident short of
// chronic medicine, then, in turn, visited with a supplies need, called,
// tried without an answer and reached yesterday only; every third from
// the seventh on is left for the contacts' rounds.
func vulnerableChecks(ctx context.Context, s VulnerableServices, sc *VulnerableScene, flagged []*frontline.Person, now time.Time) error {
	by, err := principalOf(ctx, s, "zhangbin")
	if err != nil {
		return err
	}
	chronic := slices.IndexFunc(flagged, func(p *frontline.Person) bool { return slices.Contains(p.Flags, frontline.FlagChronic) })
	if chronic < 0 {
		chronic = 0
	}
	order := append([]*frontline.Person{flagged[chronic]}, slices.Delete(slices.Clone(flagged), chronic, chronic+1)...)
	// The day's checks a few minutes apart, all after local midnight.
	local := now.In(s.Location)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.Location)
	step := min(2*time.Minute, now.Sub(midnight)/time.Duration(len(order)+2))
	defer s.At(time.Time{})
	for i, p := range order {
		c := &frontline.VulnerableCheck{PersonID: p.ID, Method: frontline.CheckCalled, Key: fmt.Sprintf("demo-vulnerable-%d", i)}
		s.At(now.Add(-time.Duration(len(order)-i) * step))
		switch {
		case i == 0:
			c.State, c.Note = frontline.StateUnwell, "头晕，血压偏高，降压药只剩两天的量"
			c.Needs = []*frontline.VulnerableNeed{{Kind: frontline.NeedMedicine, Detail: "硝苯地平控释片 30mg，两盒"}}
		case i == 1:
			c.Method, c.Note = frontline.CheckVisited, "上门查看，家中米面油不多"
			c.Needs = []*frontline.VulnerableNeed{{Kind: frontline.NeedSupplies, Detail: "大米一袋、食用油一桶"}}
		case i == 2, i%3 == 0 && i > 5:
			c.Note = "电话联系，身体平安"
		case i == 3:
			c.Method, c.Note = frontline.CheckUnreachable, "电话两次无人接听，请网格员上门"
		case i == 4, i%3 == 1 && i > 5:
			s.At(now.Add(-24 * time.Hour))
			c.Note = "电话联系，身体平安"
		default:
			continue
		}
		if err := s.Vulnerable.RecordCheck(by, c); err != nil {
			return fmt.Errorf("check %s: %w", p.Name, err)
		}
		switch {
		case c.Method == frontline.CheckUnreachable:
			sc.Unreachable++
		case c.CheckedAt.Before(now.Add(-12 * time.Hour)):
			sc.Yesterday++
		default:
			sc.Reached++
		}
		if i == 0 {
			if sc.Medicine, err = medicineForNeed(by, s, c.Needs[0], c.CheckedAt.Add(step/2)); err != nil {
				return err
			}
		}
	}
	return nil
}

// medicineForNeed makes the medicine need of the first check the
// resident's request to 自治巷药房.
func medicineForNeed(ctx context.Context, s VulnerableServices, n *frontline.VulnerableNeed, at time.Time) (*frontline.MedicineRequest, error) {
	ps, _, err := s.Partners.FindPartners(ctx, frontline.PartnerFilter{Kind: frontline.PartnerPharmacy, Limit: 100})
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ps, func(p *frontline.Partner) bool { return p.Name == "自治巷药房" })
	if i < 0 {
		return nil, fmt.Errorf("自治巷药房 is not registered (run Supply first)")
	}
	s.At(at)
	return s.Vulnerable.MedicineForNeed(ctx, n.ID, frontline.MedicineRequestInput{PartnerID: ps[i].ID, Medicine: "硝苯地平控释片",
		Strength: "30mg×7片", Quantity: 2, Chronic: true, Key: "demo-vulnerable-medicine"})
}

// flagNewcomer registers the first unflagged woman of 20 to 45 in the
// compound as pregnant.
func flagNewcomer(ctx context.Context, s VulnerableServices, zhong *frontline.Place) (*frontline.Person, error) {
	residents, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{Under: &zhong.ID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range residents {
		if age := frontline.AgeAt(p.BirthDate, ref); p.Sex != frontline.SexFemale || p.Vulnerable() || age < 20 || age > 45 {
			continue
		}
		flags := []frontline.Flag{frontline.FlagPregnant}
		return s.Persons.UpdatePerson(ctx, p.ID, frontline.PersonUpdate{Flags: &flags})
	}
	return nil, fmt.Errorf("忠义巷小区 has no woman of 20 to 45 without a flag")
}

// volunteerContacts makes the delivery volunteer (DeliveryLogin) the
// contact of the flagged residents of the compound's 2号楼, whose
// parcels she carries to the doors anyway (but skip, left to the
// secretary); nothing when the demo has no such volunteer.
func volunteerContacts(ctx context.Context, s VulnerableServices, zhong *frontline.Place, skip int64) error {
	volunteer, err := workerOf(ctx, s, DeliveryLogin)
	if err != nil || volunteer == nil {
		return err
	}
	buildings, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &zhong.ID, Kind: ptrKind(frontline.KindBuilding), Limit: 2})
	if err != nil || len(buildings) == 0 {
		return err
	}
	last := buildings[len(buildings)-1].ID
	theirs, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{Under: &last, OnlyFlagged: true, Limit: 1000})
	if err != nil {
		return err
	}
	for _, p := range theirs {
		if p.ID == skip {
			continue
		}
		if _, err := s.Vulnerable.SetContact(ctx, p.ID, volunteer.ID); err != nil {
			return fmt.Errorf("%s's contact: %w", p.Name, err)
		}
	}
	return nil
}

// userOf returns the demo login's user, nil when the demo has no logins.
func userOf(ctx context.Context, s VulnerableServices, login string) (*frontline.User, error) {
	if s.Users == nil {
		return nil, nil
	}
	users, _, err := s.Users.FindUsers(ctx, frontline.UserFilter{Login: &login})
	if err != nil || len(users) != 1 {
		return nil, err
	}
	return users[0], nil
}

// workerOf returns the worker of a demo login, nil for none.
func workerOf(ctx context.Context, s VulnerableServices, login string) (*frontline.Worker, error) {
	u, err := userOf(ctx, s, login)
	if err != nil || u == nil {
		return nil, err
	}
	ws, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{UserID: &u.ID, Limit: 1})
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	return ws[0], nil
}

// principalOf is ctx signed in as a demo login, so checks are recorded
// by its worker; ctx itself when the demo has no logins.
func principalOf(ctx context.Context, s VulnerableServices, login string) (context.Context, error) {
	u, err := userOf(ctx, s, login)
	if err != nil || u == nil {
		return ctx, err
	}
	scope, err := s.Places.FindPlaceByID(ctx, u.ScopeID)
	if err != nil {
		return nil, err
	}
	return frontline.WithPrincipal(ctx, &frontline.Principal{UserID: u.ID, Login: u.Login, Role: u.Role, ScopeID: scope.ID,
		ScopePath: scope.Path}), nil
}
