package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// deliveryFixture is the order fixture with a volunteer of 忠义巷小区 who
// signs in (login vol1, a worker of 自治巷社区) and the delivery service.
type deliveryFixture struct {
	*orderFixture
	runs      *sqldb.DeliveryService
	volunteer *frontline.User
	worker    *frontline.Worker
	vol       context.Context
}

func newDelivery(t *testing.T, db *sqldb.DB) *deliveryFixture {
	t.Helper()
	f := &deliveryFixture{orderFixture: newOrders(t, db), runs: sqldb.NewDeliveryService(db)}
	f.volunteer = mustUser(t, userService(db), "vol1", frontline.RoleVolunteer, f.tr.comp2)
	f.worker = &frontline.Worker{PlaceID: f.tr.comm2.ID, Name: "王志愿", Kind: frontline.WorkerVolunteer, UserID: f.volunteer.ID}
	if err := sqldb.NewWorkerService(db).CreateWorker(f.ctx, f.worker); err != nil {
		t.Fatal(err)
	}
	f.vol = asUser(f.volunteer, f.tr.comp2)
	return f
}

// atGate orders greens for each household (through staff), packs and hands
// them over at 忠义巷小区's gate, and returns the orders.
func (f *deliveryFixture) atGate(t *testing.T, households ...*frontline.Place) []*frontline.Order {
	t.Helper()
	shop := asUser(f.shopUser, f.tr.comm2)
	var out []*frontline.Order
	for _, hh := range households {
		o, err := f.orders.PlaceOrder(f.ctx, frontline.OrderRequest{HouseholdID: hh.ID, PartnerID: f.shop.ID, Quantities: map[int64]int{f.greens.ID: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.orders.FillOrder(shop, o.ID, []frontline.LineFill{{LineID: o.Lines[0].ID, Filled: 2}}); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	if _, err := f.orders.HandOver(shop, f.shop.ID, f.tr.comp2.ID, out[0].DeliveryDay); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *deliveryFixture) run(t *testing.T, day string) *frontline.Run {
	t.Helper()
	r, err := f.runs.CreateRun(f.ctx, frontline.RunRequest{PlaceID: f.tr.comp2.ID, Day: day, Buildings: []int64{f.tr.bld2.ID}, WorkerID: f.worker.ID})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *deliveryFixture) order(t *testing.T, id int64) *frontline.Order {
	t.Helper()
	o, err := f.orders.FindOrderByID(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestDeliveryFromLinkToDelivered: a household orders by its link, the shop
// packs and hands over at the gate (an SMS tells the household), a run
// takes it out, the volunteer ticks it delivered to the building front (an
// SMS again, through the fake gateway), and the household confirms and
// complains through its link; the office and the shop see the complaint.
func TestDeliveryFromLinkToDelivered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		mustPerson(t, db, f.tr.hh[2].ID, "李梅", false)
		sc := newSMSScene(t, db)
		_, secret, err := f.orders.CreateOrderLink(f.ctx, f.tr.hh[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		o, err := f.orders.OrderByLink(f.ctx, secret, frontline.OrderRequest{PartnerID: f.shop.ID, Quantities: map[int64]int{f.greens.ID: 3}, Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		shop := asUser(f.shopUser, f.tr.comm2)
		if _, err := f.orders.FillOrder(shop, o.ID, []frontline.LineFill{{LineID: o.Lines[0].ID, Filled: 3}}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.orders.HandOver(shop, f.shop.ID, f.tr.comp2.ID, o.DeliveryDay); err != nil || n != 1 {
			t.Fatalf("hand-over: %d, %v", n, err)
		}
		r := f.run(t, o.DeliveryDay)
		if len(r.Parcels) != 1 || r.Parcels[0].Drop != frontline.DropFront || r.Parcels[0].Door != "101" || f.order(t, o.ID).Status != frontline.OrderOut {
			t.Fatalf("run: %+v", r.Parcels[0])
		}
		p, err := f.runs.Deliver(f.vol, r.Parcels[0].ID)
		if err != nil || p.Status != frontline.ParcelDelivered || p.WorkerID != f.worker.ID || p.Drop != frontline.DropFront {
			t.Fatalf("delivered: %+v, %v", p, err)
		}
		got := f.order(t, o.ID)
		if got.Status != frontline.OrderDelivered || got.DeliveredAt.IsZero() || got.Drop != frontline.DropFront {
			t.Fatalf("order: %+v", got)
		}
		if n := sc.worker.RunOnce(context.Background()); n != 2 {
			t.Fatalf("%d notices sent", n)
		}
		msgs := sc.gateway.Messages()
		if len(msgs) != 2 || msgs[0].Template != "SMS_DELIVERY_01" || msgs[0].Params["stage"] != "gate" || msgs[1].Params["stage"] != "front" ||
			!strings.Contains(msgs[1].Text, "楼栋前") || msgs[1].Phone != "13800138000" {
			t.Fatalf("SMS: %+v", msgs)
		}
		if _, err := f.runs.ComplainByLink(f.ctx, secret, o.ID, " "); frontline.ErrorField(err) != "text" {
			t.Fatalf("an empty complaint: %v", err)
		}
		c, err := f.runs.ComplainByLink(f.ctx, secret, o.ID, "青菜少了一斤")
		if err != nil {
			t.Fatal(err)
		}
		if again, err := f.runs.ComplainByLink(f.ctx, secret, o.ID, "青菜少了一斤"); err != nil || again.ID != c.ID {
			t.Fatalf("a complaint sent twice: %+v, %v", again, err)
		}
		confirmed, err := f.runs.ConfirmByLink(f.ctx, secret, o.ID)
		if err != nil || confirmed.ReceivedAt.IsZero() || confirmed.Complaints != 1 {
			t.Fatalf("confirmed: %+v, %v", confirmed, err)
		}
		for name, ctx := range map[string]context.Context{"office": f.ctx, "shop": shop} {
			list, err := f.runs.FindComplaints(ctx, nil)
			if err != nil || len(list) != 1 || list[0].Text != "青菜少了一斤" {
				t.Fatalf("%s's complaints: %+v, %v", name, list, err)
			}
		}
		if list, err := f.runs.FindComplaints(as(frontline.RoleCommunitySecretary, f.tr.comm1), nil); err != nil || len(list) != 0 {
			t.Fatalf("another community's complaints: %+v, %v", list, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'delivery_complaint' AND actor LIKE 'household:link-%'`); n != 1 {
			t.Errorf("%d complaints audited", n)
		}
		if _, err := f.runs.Reopen(f.vol, p.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("reopened after the household confirmed: %v", err)
		}
		if closed, err := f.runs.CloseRun(f.vol, r.ID); err != nil || closed.Status != frontline.RunClosed {
			t.Fatalf("close: %+v, %v", closed, err)
		}
	})
}

// TestDeliveryReturned: one parcel goes back to the gate with a reason; the
// run cannot close while the other is open; the returned order goes out
// again on a later run and is delivered.
func TestDeliveryReturned(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		orders := f.atGate(t, f.tr.hh[2], f.tr.hh[3])
		day := orders[0].DeliveryDay
		r := f.run(t, day)
		if len(r.Parcels) != 2 || r.Counts.Out != 2 {
			t.Fatalf("run: %+v", r)
		}
		first, second := r.Parcels[0], r.Parcels[1]
		if _, err := f.runs.Return(f.vol, first.ID, frontline.ReturnOther, ""); frontline.ErrorField(err) != "note" {
			t.Fatalf("other without a note: %v", err)
		}
		if _, err := f.runs.Return(f.vol, first.ID, "lost", ""); frontline.ErrorField(err) != "reason" {
			t.Fatalf("an unknown reason: %v", err)
		}
		back, err := f.runs.Return(f.vol, first.ID, frontline.ReturnNoAnswer, "敲门无人应")
		if err != nil || back.Status != frontline.ParcelReturned || back.Reason != frontline.ReturnNoAnswer {
			t.Fatalf("returned: %+v, %v", back, err)
		}
		if o := f.order(t, first.OrderID); o.Status != frontline.OrderReturned || o.ReturnReason != frontline.ReturnNoAnswer {
			t.Fatalf("the returned order: %+v", o)
		}
		runs, err := f.runs.FindRuns(f.vol, frontline.RunFilter{Day: day})
		if err != nil || len(runs) != 1 || runs[0].Counts.Returned != 1 || runs[0].Counts.Reasons[frontline.ReturnNoAnswer] != 1 || len(runs[0].Counts.Reasons) != 1 {
			t.Fatalf("the day's runs, returns by reason: %+v, %v", runs, err)
		}
		if seen, err := f.runs.FindRunByID(f.vol, r.ID); err != nil || seen.Counts.Reasons[frontline.ReturnNoAnswer] != 1 ||
			len(seen.Counts.ByReason()) != 1 || seen.Counts.ByReason()[0] != (frontline.ReasonCount{Reason: frontline.ReturnNoAnswer, N: 1}) {
			t.Fatalf("the run's returns by reason: %+v, %v", seen.Counts, err)
		}
		if _, err := f.runs.CloseRun(f.vol, r.ID); frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "2号楼 102") {
			t.Fatalf("closed with a parcel out: %v", err)
		}
		if _, err := f.runs.Deliver(f.vol, first.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a returned parcel ticked delivered: %v", err)
		}
		if _, err := f.runs.Deliver(f.vol, second.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.runs.CloseRun(f.vol, r.ID); err != nil {
			t.Fatal(err)
		}
		again := f.run(t, frontline.AddDays(day, 1))
		if len(again.Parcels) != 1 || again.Parcels[0].OrderID != first.OrderID {
			t.Fatalf("the next run: %+v", again.Parcels)
		}
		if _, err := f.runs.Deliver(f.vol, again.Parcels[0].ID); err != nil {
			t.Fatal(err)
		}
		if o := f.order(t, first.OrderID); o.Status != frontline.OrderDelivered || o.ReturnReason != "" {
			t.Fatalf("sent again: %+v", o)
		}
		if _, err := f.runs.Reopen(f.vol, first.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a parcel of a closed run reopened: %v", err)
		}
		if _, err := f.runs.CreateRun(f.ctx, frontline.RunRequest{PlaceID: f.tr.comp2.ID, Day: day, Buildings: []int64{f.tr.bld2.ID},
			WorkerID: f.worker.ID}); frontline.ErrorField(err) != "buildings" {
			t.Fatalf("a run with nothing at the gate: %v", err)
		}
	})
}

// TestDeliveryDoorFollowsZone: a parcel goes to the building front until
// the building is sealed; then the same run's next parcel says door, and
// is delivered to the door.
func TestDeliveryDoorFollowsZone(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		orders := f.atGate(t, f.tr.hh[2], f.tr.hh[3])
		r := f.run(t, orders[0].DeliveryDay)
		p, err := f.runs.Deliver(f.vol, r.Parcels[0].ID)
		if err != nil || p.Drop != frontline.DropFront {
			t.Fatalf("before the seal: %+v, %v", p, err)
		}
		if _, err := sqldb.NewZoneService(db).SetZone(f.ctx, &frontline.Zone{PlaceID: f.tr.bld2.ID, Level: frontline.LevelSealed, Reason: "case"}); err != nil {
			t.Fatal(err)
		}
		seen, err := f.runs.FindRunByID(f.vol, r.ID)
		if err != nil || seen.Parcels[0].Drop != frontline.DropFront || seen.Parcels[1].Drop != frontline.DropDoor {
			t.Fatalf("after the seal: %+v, %+v, %v", seen.Parcels[0], seen.Parcels[1], err)
		}
		p, err = f.runs.Deliver(f.vol, r.Parcels[1].ID)
		if err != nil || p.Drop != frontline.DropDoor || f.order(t, p.OrderID).Drop != frontline.DropDoor {
			t.Fatalf("delivered after the seal: %+v, %v", p, err)
		}
	})
}

// TestDeliveryRetryOnce: "delivered" tapped twice acts once (one audit
// entry, one status change); a run made twice with one key is one run.
func TestDeliveryRetryOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		orders := f.atGate(t, f.tr.hh[2])
		req := frontline.RunRequest{PlaceID: f.tr.comp2.ID, Day: orders[0].DeliveryDay, Buildings: []int64{f.tr.bld2.ID}, WorkerID: f.worker.ID, Key: "tok-1"}
		r, err := f.runs.CreateRun(f.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := f.runs.CreateRun(f.ctx, req); err != nil || again.ID != r.ID {
			t.Fatalf("a run made twice: %+v, %v", again, err)
		}
		first, err := f.runs.Deliver(f.vol, r.Parcels[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		second, err := f.runs.Deliver(f.vol, r.Parcels[0].ID)
		if err != nil || !second.At.Equal(first.At) {
			t.Fatalf("a retry: %+v, %v", second, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'delivery_parcel'`); n != 1 {
			t.Errorf("%d parcel changes audited", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM delivery_runs`); n != 1 {
			t.Errorf("%d runs", n)
		}
		if _, err := f.runs.Reopen(f.vol, first.ID); err != nil {
			t.Fatalf("reopen a tap by mistake: %v", err)
		}
		if o := f.order(t, first.OrderID); o.Status != frontline.OrderOut || !o.DeliveredAt.IsZero() {
			t.Fatalf("reopened: %+v", o)
		}
	})
}

// TestDeliveryScope: a volunteer of another community finds neither the
// run nor its parcels; a shop's user cannot carry runs; the run lists as
// the volunteer's own for the day.
func TestDeliveryScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		orders := f.atGate(t, f.tr.hh[2])
		r := f.run(t, orders[0].DeliveryDay)
		other := asUser(mustUser(t, userService(db), "vol2", frontline.RoleVolunteer, f.tr.comp1), f.tr.comp1)
		if _, err := f.runs.FindRunByID(other, r.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's volunteer reads the run: %v", err)
		}
		if _, err := f.runs.Deliver(other, r.Parcels[0].ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's volunteer delivers: %v", err)
		}
		if _, err := f.runs.CreateRun(other, frontline.RunRequest{PlaceID: f.tr.comp2.ID, Day: r.Day, Buildings: []int64{f.tr.bld2.ID},
			WorkerID: f.worker.ID}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's volunteer makes a run: %v", err)
		}
		if _, err := f.runs.Deliver(asUser(f.shopUser, f.tr.comm2), r.Parcels[0].ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a shop delivers: %v", err)
		}
		mine, err := f.runs.FindRuns(f.vol, frontline.RunFilter{Day: r.Day, Mine: true})
		if err != nil || len(mine) != 1 || mine[0].Counts.Out != 1 || mine[0].WorkerName != "王志愿" {
			t.Fatalf("the volunteer's runs: %+v, %v", mine, err)
		}
		if theirs, err := f.runs.FindRuns(other, frontline.RunFilter{Day: r.Day}); err != nil || len(theirs) != 0 {
			t.Fatalf("another community's runs: %+v, %v", theirs, err)
		}
	})
}

// medicineAtGate asks 自治巷药房 (its user pharm1 fills) for chronic
// medicine for each household, through staff, and fills it.
func (f *deliveryFixture) medicineAtGate(t *testing.T, db *sqldb.DB, households ...*frontline.Place) []*frontline.MedicineRequest {
	t.Helper()
	pharm := mustUser(t, userService(db), "pharm1", frontline.RolePharmacy, f.tr.comm2)
	if err := f.partners.LinkPartnerUser(f.ctx, f.pharmacy.ID, "pharm1"); err != nil {
		t.Fatal(err)
	}
	meds := sqldb.NewMedicineService(db)
	var out []*frontline.MedicineRequest
	for _, hh := range households {
		m, err := meds.RequestMedicine(f.ctx, frontline.MedicineRequestInput{HouseholdID: hh.ID, PartnerID: f.pharmacy.ID,
			Medicine: "二甲双胍片", Strength: "0.5g×48片", Quantity: 1, Chronic: true, For: "本人"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := meds.FillMedicine(asUser(pharm, f.tr.comm2), m.ID, frontline.MedicineFill{Given: "二甲双胍片 1盒", Amount: 1200}); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestDeliveryMedicineOnRun: filled medicine goes out on a run with the
// households' orders; one tap delivers 101's order and medicine together
// (the medicine is delivered at the tap's time, within its 24-hour
// target, by the volunteer); one tap returns 102's both with a reason, the
// medicine waits at the gate filled and alerts once past its target, and
// a named worker then delivers it late. A medicine out on a run is not
// delivered by a named worker; a tap by mistake is undone.
func TestDeliveryMedicineOnRun(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		meds := sqldb.NewMedicineService(db)
		ms := f.medicineAtGate(t, db, f.tr.hh[2], f.tr.hh[3])
		orders := f.atGate(t, f.tr.hh[2], f.tr.hh[3])
		today := db.Now().In(db.Location).Format(frontline.DateLayout)
		counts, err := f.orders.GateCounts(f.ctx, f.tr.comp2.ID, today)
		if err != nil || len(counts) == 0 || !counts[len(counts)-1].Medicine || counts[len(counts)-1].AtGate != 2 {
			t.Fatalf("the gate's medicine before the run: %+v, %v", counts, err)
		}
		r := f.run(t, orders[0].DeliveryDay)
		if len(r.Parcels) != 4 || r.Counts.Out != 4 {
			t.Fatalf("run: %+v", r.Parcels)
		}
		doors := frontline.DoorsOf(r.Parcels)
		if len(doors) != 2 || len(doors[0].Parcels) != 2 || doors[0].Parcels[1].MedicineID != ms[0].ID || doors[0].Parcels[1].DueAt.IsZero() ||
			doors[0].Parcels[1].PartnerName != "自治巷药房" {
			t.Fatalf("doors: %+v", doors[0].Parcels)
		}
		m, err := meds.FindMedicineRequestByID(f.ctx, ms[0].ID)
		if err != nil || m.Status != frontline.MedicineOut || m.RunID != r.ID {
			t.Fatalf("the medicine on the run: %+v, %v", m, err)
		}
		if _, err := meds.DeliverMedicine(f.ctx, ms[0].ID, f.worker.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a named worker delivers medicine out on a run: %v", err)
		}
		f.advance(2 * time.Hour)
		door, err := f.runs.DeliverDoor(f.vol, doors[0].Parcels[0].ID)
		if err != nil || len(door) != 2 || door[0].Status != frontline.ParcelDelivered || door[1].Status != frontline.ParcelDelivered {
			t.Fatalf("one tap at 101: %+v, %v", door, err)
		}
		if again, err := f.runs.DeliverDoor(f.vol, doors[0].Parcels[0].ID); err != nil || len(again) != 2 {
			t.Fatalf("the tap retried: %+v, %v", again, err)
		}
		m, err = meds.FindMedicineRequestByID(f.ctx, ms[0].ID)
		if err != nil || m.Status != frontline.MedicineDelivered || !m.DeliveredAt.Equal(door[1].At) || m.WorkerName != "王志愿" || m.Late(db.Now()) {
			t.Fatalf("the medicine delivered by the run: %+v, %v", m, err)
		}
		if o := f.order(t, orders[0].ID); o.Status != frontline.OrderDelivered {
			t.Fatalf("101's order: %+v", o)
		}
		if _, err := f.runs.Reopen(f.vol, door[1].ID); err != nil {
			t.Fatal(err)
		}
		if m, _ = meds.FindMedicineRequestByID(f.ctx, ms[0].ID); m.Status != frontline.MedicineOut || !m.DeliveredAt.IsZero() {
			t.Fatalf("reopened: %+v", m)
		}
		if _, err := f.runs.Deliver(f.vol, door[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.runs.ReturnDoor(f.vol, doors[1].Parcels[0].ID, frontline.ReturnOther, ""); frontline.ErrorField(err) != "note" {
			t.Fatalf("other without a note: %v", err)
		}
		back, err := f.runs.ReturnDoor(f.vol, doors[1].Parcels[0].ID, frontline.ReturnNoAnswer, "")
		if err != nil || len(back) != 2 || back[1].Status != frontline.ParcelReturned || back[1].Reason != frontline.ReturnNoAnswer {
			t.Fatalf("one tap returns 102: %+v, %v", back, err)
		}
		m, err = meds.FindMedicineRequestByID(f.ctx, ms[1].ID)
		if err != nil || m.Status != frontline.MedicineFilled || m.ReturnReason != frontline.ReturnNoAnswer {
			t.Fatalf("the returned medicine: %+v, %v", m, err)
		}
		if _, err := f.runs.CloseRun(f.vol, r.ID); err != nil {
			t.Fatal(err)
		}
		f.advance(23 * time.Hour)
		if n, err := meds.AlertLateMedicine(context.Background()); err != nil || n != 1 {
			t.Fatalf("late alerts: %d, %v", n, err)
		}
		late, err := meds.DeliverMedicine(f.ctx, ms[1].ID, f.worker.ID)
		if err != nil || late.Status != frontline.MedicineDelivered || !late.Late(db.Now()) {
			t.Fatalf("a named worker delivers it late: %+v, %v", late, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM alerts WHERE kind = 'medicine_late' AND resolved_at IS NULL`); n != 0 {
			t.Errorf("%d late alerts open after the deliveries", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'medicine_request' AND action IN ('out', 'deliver', 'return', 'reopen')`); n != 7 {
			t.Errorf("%d medicine moves audited, want 7 (2 out, 3 deliver, 1 reopen, 1 return)", n)
		}
	})
}

// TestDeliveryMedicineLateAgain: chronic medicine out on a run past its
// target alerts; its delivery resolves the alert; the delivery undone
// (the parcel put back out) makes it late again and the job raises a new
// alert, once however often it runs, which the next delivery resolves.
func TestDeliveryMedicineLateAgain(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		meds := sqldb.NewMedicineService(db)
		ms := f.medicineAtGate(t, db, f.tr.hh[2])
		r := f.run(t, db.Now().In(db.Location).Format(frontline.DateLayout))
		if len(r.Parcels) != 1 || r.Parcels[0].MedicineID != ms[0].ID {
			t.Fatalf("run: %+v", r.Parcels)
		}
		open := func() int {
			t.Helper()
			return count(t, db, `SELECT COUNT(*) FROM alerts WHERE kind = 'medicine_late' AND subject_id = ? AND resolved_at IS NULL`, ms[0].ID)
		}
		job := func(want int) {
			t.Helper()
			if n, err := meds.AlertLateMedicine(context.Background()); err != nil || n != want {
				t.Fatalf("the job raised %d, want %d (%v)", n, want, err)
			}
		}
		f.advance(25 * time.Hour)
		job(1)
		if _, err := f.runs.Deliver(f.vol, r.Parcels[0].ID); err != nil {
			t.Fatal(err)
		}
		if open() != 0 {
			t.Fatalf("the alert is open after the delivery")
		}
		job(0)
		if _, err := f.runs.Reopen(f.vol, r.Parcels[0].ID); err != nil {
			t.Fatal(err)
		}
		if m, err := meds.FindMedicineRequestByID(f.ctx, ms[0].ID); err != nil || m.Status != frontline.MedicineOut || !m.Late(db.Now()) {
			t.Fatalf("put back out: %+v, %v", m, err)
		}
		job(1)
		job(0)
		if open() != 1 {
			t.Fatalf("%d alerts open for the request put back out, want 1", open())
		}
		if n := count(t, db, `SELECT COUNT(*) FROM alerts WHERE kind = 'medicine_late' AND subject_id = ?`, ms[0].ID); n != 2 {
			t.Errorf("%d alerts in all, want the resolved one and the new one", n)
		}
		if _, err := f.runs.Deliver(f.vol, r.Parcels[0].ID); err != nil {
			t.Fatal(err)
		}
		if open() != 0 {
			t.Errorf("the new alert is open after the second delivery")
		}
		job(0)
	})
}

// TestDeliveryDoorFollowsRestrictions: in an open zone a parcel goes to
// the building front, but a household with a resident who may not come
// down (a case, and the household contacts it puts under home isolation)
// takes it at the door; a resident who moved out does not count.
func TestDeliveryDoorFollowsRestrictions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		mustPerson(t, db, f.tr.hh[2].ID, "李梅", false)
		patient := mustPerson(t, db, f.tr.hh[3].ID, "王强", false)
		mustPerson(t, db, f.tr.hh[3].ID, "王丽", false)
		hh103 := mustPlace(t, db, f.tr.bld2.ID, frontline.KindHousehold, "103")
		gone := mustPerson(t, db, hh103.ID, "赵迁", false)
		cases := sqldb.NewCaseService(db)
		for _, p := range []*frontline.Person{patient, gone} {
			if _, err := cases.ReportCase(f.ctx, &frontline.CaseReport{PersonID: p.ID, Source: frontline.SourceHospital,
				ExternalRef: "H-" + p.Name, Reporter: "市第一人民医院", ConfirmedAt: db.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sqldb.NewPersonService(db).UpdatePerson(f.ctx, gone.ID, frontline.PersonUpdate{Status: ptr(frontline.StatusMovedOut)}); err != nil {
			t.Fatal(err)
		}
		orders := f.atGate(t, f.tr.hh[2], f.tr.hh[3], hh103)
		r := f.run(t, orders[0].DeliveryDay)
		drops := map[int64]frontline.Drop{}
		for _, p := range r.Parcels {
			drops[p.HouseholdID] = p.Drop
		}
		if drops[f.tr.hh[2].ID] != frontline.DropFront || drops[f.tr.hh[3].ID] != frontline.DropDoor || drops[hh103.ID] != frontline.DropFront {
			t.Fatalf("drops in an open zone with a case in 102: %v", drops)
		}
		for _, p := range r.Parcels {
			if p.HouseholdID != f.tr.hh[3].ID {
				continue
			}
			got, err := f.runs.Deliver(f.vol, p.ID)
			if err != nil || got.Drop != frontline.DropDoor || f.order(t, p.OrderID).Drop != frontline.DropDoor {
				t.Fatalf("delivered to the isolated household: %+v, %v", got, err)
			}
		}
	})
}

// TestDeliveryComplaintHandled: two complaints through the link; the
// office handles one with a note (audited, retried once, refused with
// another note or an empty one); the list shows the open one first; the
// household's order shows one of two handled with the note; a shop's user
// may not handle, nor another community's secretary find it.
func TestDeliveryComplaintHandled(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		orders := f.atGate(t, f.tr.hh[2])
		r := f.run(t, orders[0].DeliveryDay)
		if _, err := f.runs.Deliver(f.vol, r.Parcels[0].ID); err != nil {
			t.Fatal(err)
		}
		_, secret, err := f.orders.CreateOrderLink(f.ctx, f.tr.hh[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		first, err := f.runs.ComplainByLink(f.ctx, secret, orders[0].ID, "青菜烂了一半")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.runs.ComplainByLink(f.ctx, secret, orders[0].ID, "送晚了三小时"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.runs.HandleComplaint(f.ctx, first.ID, " "); frontline.ErrorField(err) != "note" {
			t.Fatalf("handled without a note: %v", err)
		}
		if _, err := f.runs.HandleComplaint(asUser(f.shopUser, f.tr.comm2), first.ID, "已补送"); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a shop handles: %v", err)
		}
		if _, err := f.runs.HandleComplaint(as(frontline.RoleCommunitySecretary, f.tr.comm1), first.ID, "已补送"); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community handles: %v", err)
		}
		c, err := f.runs.HandleComplaint(f.ctx, first.ID, "已联系超市补送青菜两斤")
		if err != nil || !c.Handled() || c.HandledNote != "已联系超市补送青菜两斤" || c.HandledBy == "" {
			t.Fatalf("handled: %+v, %v", c, err)
		}
		if again, err := f.runs.HandleComplaint(f.ctx, first.ID, "已联系超市补送青菜两斤"); err != nil || !again.HandledAt.Equal(c.HandledAt) {
			t.Fatalf("a retry: %+v, %v", again, err)
		}
		if _, err := f.runs.HandleComplaint(f.ctx, first.ID, "另一个说法"); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("handled twice: %v", err)
		}
		list, err := f.runs.FindComplaints(f.ctx, nil)
		if err != nil || len(list) != 2 || list[0].Handled() || !list[1].Handled() || list[1].ID != first.ID {
			t.Fatalf("open first: %+v, %v", list, err)
		}
		o := f.order(t, orders[0].ID)
		if o.Complaints != 2 || o.ComplaintsHandled != 1 || o.ComplaintAnswer != "已联系超市补送青菜两斤" {
			t.Fatalf("the household's order: %+v", o)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'delivery_complaint' AND action = 'handle'`); n != 1 {
			t.Errorf("%d handlings audited", n)
		}
	})
}
