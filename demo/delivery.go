package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// The last hundred metres of the report's sealed compound: the shop and
// the pharmacy have packed 忠义巷小区 2号楼's orders and left them at the
// gate, and a volunteer of 自治巷社区 (login zhongyi) is carrying them to
// the doors — the compound is sealed, so to the door: most are delivered,
// one went back to the gate because nobody answered, and the last still
// waits for its tap.

// DeliveryServices are what Delivery writes through.
type DeliveryServices struct {
	Places     frontline.PlaceService
	Users      frontline.UserService
	Workers    frontline.WorkerService
	Orders     frontline.OrderService
	Deliveries frontline.DeliveryService
}

// DeliveryLogin is the volunteer of 忠义巷小区 who carries the demo's run.
const DeliveryLogin = "zhongyi"

// Delivery packs and hands over 2号楼's orders and puts them on a run
// under way, assigned to the worker of DeliveryLogin.
func Delivery(ctx context.Context, s DeliveryServices, now time.Time) (*frontline.Run, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	fail := func(err error) (*frontline.Run, error) { return nil, fmt.Errorf("demo delivery: %w", err) }
	zizhi, err := s.Places.FindPlaceByPath(ctx, PathZizhixiang)
	if err != nil {
		return fail(err)
	}
	zhong, err := s.Places.FindPlaceByPath(ctx, PathZhongyixiang)
	if err != nil {
		return fail(err)
	}
	buildings, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &zhong.ID, Kind: ptrKind(frontline.KindBuilding), Limit: 2})
	if err != nil || len(buildings) == 0 {
		return fail(fmt.Errorf("忠义巷小区 has no buildings: %v", err))
	}
	building := buildings[len(buildings)-1] // 2号楼: 1号楼's orders came in a group
	worker := &frontline.Worker{PlaceID: zizhi.ID, Name: "马晓燕", Phone: demoPhone(7, 1), Kind: frontline.WorkerVolunteer,
		LastNegative: now.Add(-20 * time.Hour).UTC()}
	login := DeliveryLogin
	if users, _, err := s.Users.FindUsers(ctx, frontline.UserFilter{Login: &login}); err == nil && len(users) == 1 {
		worker.UserID = users[0].ID
	}
	if err := s.Workers.CreateWorker(ctx, worker); err != nil {
		return fail(err)
	}
	orders, _, err := s.Orders.FindOrders(ctx, frontline.OrderFilter{Under: &building.ID, Status: []frontline.OrderStatus{frontline.OrderPlaced}, Limit: 100})
	if err != nil {
		return fail(err)
	}
	if len(orders) == 0 {
		return fail(fmt.Errorf("%s has no orders", building.Name))
	}
	partners := map[int64]bool{}
	for _, o := range orders {
		fills := make([]frontline.LineFill, len(o.Lines))
		for i, l := range o.Lines {
			fills[i] = frontline.LineFill{LineID: l.ID, Filled: l.Quantity}
		}
		if _, err := s.Orders.FillOrder(ctx, o.ID, fills); err != nil {
			return fail(err)
		}
		partners[o.PartnerID] = true
	}
	day := orders[0].DeliveryDay
	for id := range partners {
		if _, err := s.Orders.HandOver(ctx, id, orders[0].CompoundID, day); err != nil {
			return fail(err)
		}
	}
	run, err := s.Deliveries.CreateRun(ctx, frontline.RunRequest{PlaceID: orders[0].CompoundID, Day: day, Buildings: []int64{building.ID},
		WorkerID: worker.ID})
	if err != nil {
		return fail(err)
	}
	// Every door but the last two delivered; one of those returned.
	for i, p := range run.Parcels {
		switch {
		case i < len(run.Parcels)-2:
			_, err = s.Deliveries.Deliver(ctx, p.ID)
		case i == len(run.Parcels)-2:
			_, err = s.Deliveries.Return(ctx, p.ID, frontline.ReturnNoAnswer, "敲门、打电话均无人应答")
		}
		if err != nil {
			return fail(err)
		}
	}
	return s.Deliveries.FindRunByID(ctx, run.ID)
}
