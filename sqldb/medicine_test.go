package sqldb_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// medicineFixture is the supply fixture with the pharmacy's user, a second
// pharmacy (another user) serving the same compound, a delivery volunteer
// of 自治巷社区 and a link of hh[2] (2号楼/101 of 忠义巷小区).
type medicineFixture struct {
	*supplyFixture
	medicine   *sqldb.MedicineService
	pharmCtx   context.Context // the user of 自治巷药房
	otherCtx   context.Context // the user of the other pharmacy
	other      *frontline.Partner
	worker     *frontline.Worker
	farWorker  *frontline.Worker // of 罗玉新村社区
	secret     string
	hh         *frontline.Place
	jpeg       []byte
	alertsOpen func(t *testing.T) int
}

func newMedicine(t *testing.T, db *sqldb.DB) *medicineFixture {
	t.Helper()
	f := &medicineFixture{supplyFixture: newSupply(t, db), medicine: sqldb.NewMedicineService(db)}
	f.hh = f.tr.hh[2]
	users := userService(db)
	pharm := mustUser(t, users, "pharm1", frontline.RolePharmacy, f.tr.comm2)
	if err := f.partners.LinkPartnerUser(f.ctx, f.pharmacy.ID, "pharm1"); err != nil {
		t.Fatal(err)
	}
	f.pharmCtx = asUser(pharm, f.tr.comm2)
	f.other = &frontline.Partner{Kind: frontline.PartnerPharmacy, Name: "忠义巷大药房", PlaceID: f.tr.comm2.ID, Areas: []int64{f.tr.comp2.ID}}
	if err := f.partners.CreatePartner(f.ctx, f.other); err != nil {
		t.Fatal(err)
	}
	otherUser := mustUser(t, users, "pharm2", frontline.RolePharmacy, f.tr.comm2)
	if err := f.partners.LinkPartnerUser(f.ctx, f.other.ID, "pharm2"); err != nil {
		t.Fatal(err)
	}
	f.otherCtx = asUser(otherUser, f.tr.comm2)
	workers := sqldb.NewWorkerService(db)
	f.worker = &frontline.Worker{PlaceID: f.tr.comm2.ID, Name: "送药志愿者", Kind: frontline.WorkerVolunteer}
	f.farWorker = &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: "别处志愿者", Kind: frontline.WorkerVolunteer}
	for _, w := range []*frontline.Worker{f.worker, f.farWorker} {
		if err := workers.CreateWorker(context.Background(), w); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if _, f.secret, err = sqldb.NewOrderService(db).CreateOrderLink(f.ctx, f.hh.ID); err != nil {
		t.Fatal(err)
	}
	f.jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, 2000)...)
	return f
}

func (f *medicineFixture) openAlerts(t *testing.T, id int64) int {
	t.Helper()
	return count(t, f.db, `SELECT COUNT(*) FROM alerts WHERE kind = 'medicine_late' AND subject_id = ? AND resolved_at IS NULL`, id)
}

func (f *medicineFixture) byLink(t *testing.T, key string, chronic bool) *frontline.MedicineRequest {
	t.Helper()
	m, err := f.medicine.RequestMedicineByLink(context.Background(), f.secret, frontline.MedicineRequestInput{PartnerID: f.pharmacy.ID,
		Medicine: "硝苯地平缓释片", Strength: "30mg×7片", Quantity: 2, Chronic: chronic, For: "本人", Key: key,
		Photo: &frontline.MedicinePhoto{Data: f.jpeg}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMedicineByLinkFilledDelivered: a household asks through its link
// (a retry acts once), the pharmacy sees it oldest first and fills it, a
// worker of the community delivers it; a worker of another community may
// not.
func TestMedicineByLinkFilledDelivered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMedicine(t, db)
		m := f.byLink(t, "k1", false)
		if m.Status != frontline.MedicineRequested || m.Source != frontline.SourceLink || !m.HasPhoto || m.Unit != "盒" || !m.DueAt.IsZero() {
			t.Fatalf("request: %+v", m)
		}
		if again := f.byLink(t, "k1", false); again.ID != m.ID {
			t.Fatalf("a retry made request %d beside %d", again.ID, m.ID)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM medicine_requests`); n != 1 {
			t.Fatalf("%d requests after a retry", n)
		}
		second := f.byLink(t, "k2", true)
		list, n, err := f.medicine.FindMedicineRequests(f.pharmCtx, frontline.MedicineFilter{Open: true})
		if err != nil || n != 2 || list[0].ID != m.ID || list[1].ID != second.ID || list[0].Address != "忠义巷小区/2号楼/101" {
			t.Fatalf("the pharmacy's list: %+v (%d), %v", list, n, err)
		}
		if _, err := f.medicine.DeliverMedicine(f.pharmCtx, m.ID, f.worker.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("delivered before it was filled: %v", err)
		}
		filled, err := f.medicine.FillMedicine(f.pharmCtx, m.ID, frontline.MedicineFill{Given: "硝苯地平缓释片 30mg×7片 2盒", Amount: 2560})
		if err != nil || filled.Status != frontline.MedicineFilled || filled.Amount != 2560 || filled.Paid || filled.FilledAt.IsZero() {
			t.Fatalf("filled: %+v, %v", filled, err)
		}
		if _, err := f.medicine.FillMedicine(f.pharmCtx, m.ID, frontline.MedicineFill{Given: "again"}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("filled twice: %v", err)
		}
		if paid, err := f.medicine.SetMedicinePaid(f.pharmCtx, m.ID, true); err != nil || !paid.Paid {
			t.Fatalf("paid: %+v, %v", paid, err)
		}
		if _, err := f.medicine.DeliverMedicine(f.pharmCtx, m.ID, f.farWorker.ID); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Fatalf("a worker of another community: %v", err)
		}
		ws, err := f.medicine.MedicineWorkers(f.pharmCtx, m.ID)
		if err != nil || len(ws) != 1 || ws[0].ID != f.worker.ID {
			t.Fatalf("workers: %+v, %v", ws, err)
		}
		f.advance(3 * time.Hour)
		d, err := f.medicine.DeliverMedicine(f.pharmCtx, m.ID, f.worker.ID)
		if err != nil || d.Status != frontline.MedicineDelivered || d.WorkerName != "送药志愿者" || !d.DeliveredAt.Equal(time.Date(2022, 3, 29, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("delivered: %+v, %v", d, err)
		}
		v, err := f.medicine.MedicineLinkView(context.Background(), f.secret)
		if err != nil || len(v.Pharmacies) != 2 || len(v.Requests) != 2 || v.Requests[1].Status != frontline.MedicineDelivered || v.Requests[1].Address != "" {
			t.Fatalf("the link's view: %+v, %v", v, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'medicine_request' AND actor LIKE 'household:link-%'`); n != 2 {
			t.Errorf("%d requests audited as the link's", n)
		}
		if _, err := f.medicine.RequestMedicineByLink(context.Background(), f.secret, frontline.MedicineRequestInput{PartnerID: f.shop.ID,
			Medicine: "布洛芬", Quantity: 1, For: "孩子"}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("medicine from a shop: %v", err)
		}
		if _, err := f.medicine.RequestMedicineByLink(context.Background(), f.secret, frontline.MedicineRequestInput{PartnerID: f.pharmacy.ID,
			Medicine: "布洛芬", Quantity: 1, For: "孩子", Photo: &frontline.MedicinePhoto{Data: []byte("GIF89a......")}}); frontline.ErrorField(err) != "photo" {
			t.Fatalf("a GIF: %v", err)
		}
	})
}

// TestMedicineConsultation: the pharmacy asks for a doctor's consultation;
// the request waits with its note, then is filled.
func TestMedicineConsultation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMedicine(t, db)
		grid := as(frontline.RoleGridWorker, f.tr.comp2)
		m, err := f.medicine.RequestMedicine(grid, frontline.MedicineRequestInput{HouseholdID: f.hh.ID, PartnerID: f.pharmacy.ID,
			Medicine: "阿莫西林胶囊", Strength: "0.25g×24粒", Quantity: 1, For: "母亲", Note: "处方药"})
		if err != nil || m.Source != frontline.SourceStaff {
			t.Fatalf("on behalf: %+v, %v", m, err)
		}
		if _, err := f.medicine.AskConsultation(f.pharmCtx, m.ID, ""); frontline.ErrorField(err) != "consult_note" {
			t.Fatalf("a consultation without a note: %v", err)
		}
		c, err := f.medicine.AskConsultation(f.pharmCtx, m.ID, "处方药，需社区医生问诊后开方")
		if err != nil || c.Status != frontline.MedicineConsultation || c.ConsultAt.IsZero() {
			t.Fatalf("consultation: %+v, %v", c, err)
		}
		open, n, _ := f.medicine.FindMedicineRequests(f.pharmCtx, frontline.MedicineFilter{Open: true})
		if n != 1 || open[0].ConsultNote != "处方药，需社区医生问诊后开方" {
			t.Fatalf("waiting: %+v", open)
		}
		if _, err := f.medicine.DeliverMedicine(grid, m.ID, f.worker.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("delivered while waiting for the doctor: %v", err)
		}
		if _, err := f.medicine.FillMedicine(grid, m.ID, frontline.MedicineFill{Given: "x"}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a grid worker filled: %v", err)
		}
		filled, err := f.medicine.FillMedicine(f.pharmCtx, m.ID, frontline.MedicineFill{Given: "阿莫西林胶囊 1盒（医生已开方）", Amount: 1850, Paid: true})
		if err != nil || filled.Status != frontline.MedicineFilled || !filled.Paid || filled.ConsultNote == "" {
			t.Fatalf("filled after the consultation: %+v, %v", filled, err)
		}
	})
}

// TestMedicineRefused: a refusal needs a reason, which the household's
// link shows; a refused request is no longer filled.
func TestMedicineRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMedicine(t, db)
		m := f.byLink(t, "r1", false)
		if _, err := f.medicine.RefuseMedicine(f.pharmCtx, m.ID, " "); frontline.ErrorField(err) != "reason" {
			t.Fatalf("a refusal without a reason: %v", err)
		}
		r, err := f.medicine.RefuseMedicine(f.pharmCtx, m.ID, "本店无此药，请改选其他药房")
		if err != nil || r.Status != frontline.MedicineRefused {
			t.Fatalf("refused: %+v, %v", r, err)
		}
		if _, err := f.medicine.FillMedicine(f.pharmCtx, m.ID, frontline.MedicineFill{Given: "x"}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("filled after a refusal: %v", err)
		}
		v, err := f.medicine.MedicineLinkView(context.Background(), f.secret)
		if err != nil || v.Requests[0].RefuseReason != "本店无此药，请改选其他药房" {
			t.Fatalf("the household reads: %+v, %v", v, err)
		}
	})
}

// TestMedicineChronicTarget: chronic medicine is due 24 hours after the
// request; the job raises no alert before, one after (once, however often
// it runs), and the delivery resolves it. The daily report counts it late.
func TestMedicineChronicTarget(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMedicine(t, db)
		m := f.byLink(t, "c1", true)
		if want := time.Date(2022, 3, 30, 6, 0, 0, 0, time.UTC); !m.DueAt.Equal(want) {
			t.Fatalf("due %v, want %v", m.DueAt, want)
		}
		if left, ok := m.TimeLeft(time.Date(2022, 3, 29, 20, 0, 0, 0, time.UTC)); !ok || left != 10*time.Hour {
			t.Fatalf("time left: %v %v", left, ok)
		}
		if _, err := f.medicine.FillMedicine(f.pharmCtx, m.ID, frontline.MedicineFill{Given: "硝苯地平缓释片 2盒", Amount: 2560}); err != nil {
			t.Fatal(err)
		}
		f.advance(23*time.Hour + 59*time.Minute)
		if n, err := f.medicine.AlertLateMedicine(context.Background()); err != nil || n != 0 || f.openAlerts(t, m.ID) != 0 {
			t.Fatalf("before 24 h: %d raised, %v", n, err)
		}
		f.advance(2 * time.Minute)
		if n, err := f.medicine.AlertLateMedicine(context.Background()); err != nil || n != 1 || f.openAlerts(t, m.ID) != 1 {
			t.Fatalf("after 24 h: %d raised, %v", n, err)
		}
		if n, _ := f.medicine.AlertLateMedicine(context.Background()); n != 0 || f.openAlerts(t, m.ID) != 1 {
			t.Fatalf("raised again: %d", n)
		}
		alerts, _, err := sqldb.NewAlertService(db).FindAlerts(as(frontline.RoleCommunitySecretary, f.tr.comm2),
			frontline.AlertFilter{Kind: ptr(frontline.AlertMedicineLate), Open: true})
		if err != nil || len(alerts) != 1 || alerts[0].Action != "/medicine/"+strconv.FormatInt(m.ID, 10) || !strings.Contains(alerts[0].Detail, "硝苯地平") {
			t.Fatalf("the secretary's inbox: %+v, %v", alerts, err)
		}
		late, _, _ := f.medicine.FindMedicineRequests(f.pharmCtx, frontline.MedicineFilter{ID: &m.ID})
		if !late[0].Late(db.Now()) {
			t.Errorf("not late on the list")
		}
		report, err := sqldb.NewDailyReportService(db).DailyReport(as(frontline.RoleCommunitySecretary, f.tr.comm2), f.tr.comm2.ID, "2022-03-30")
		if err != nil {
			t.Fatal(err)
		}
		if got := medicineFigures(report); got != [4]int{0, 0, 0, 1} {
			t.Errorf("daily medicine figures %v, want late 1", got)
		}
		if _, err := f.medicine.DeliverMedicine(f.pharmCtx, m.ID, f.worker.ID); err != nil {
			t.Fatal(err)
		}
		if f.openAlerts(t, m.ID) != 0 {
			t.Errorf("the alert is open after the delivery")
		}
	})
}

// medicineFigures sums the medicine section of a report.
func medicineFigures(r *frontline.DailyReport) [4]int {
	var out [4]int
	for _, s := range r.Sections {
		if s.Key != frontline.DailyMedicine {
			continue
		}
		for _, row := range s.Rows {
			for i := range out {
				out[i] += row.Values[i]
			}
		}
	}
	return out
}

// TestMedicineScope: a pharmacy sees and fills only its own requests, and
// its photo is read by no other pharmacy nor by staff of another
// community; each read of the photo is audited; a purge past the rule
// empties the request and drops the photo.
func TestMedicineScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMedicine(t, db)
		m := f.byLink(t, "s1", false)
		if _, n, err := f.medicine.FindMedicineRequests(f.otherCtx, frontline.MedicineFilter{}); err != nil || n != 0 {
			t.Fatalf("another pharmacy sees %d, %v", n, err)
		}
		for name, ctx := range map[string]context.Context{"another pharmacy": f.otherCtx,
			"another community": as(frontline.RoleCommunitySecretary, f.tr.comm1), "a shop": asUser(f.shopUser, f.tr.comm2)} {
			if _, err := f.medicine.MedicinePhoto(ctx, m.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND && frontline.ErrorCode(err) != frontline.EFORBIDDEN {
				t.Errorf("%s read the photo: %v", name, err)
			}
			if _, err := f.medicine.FillMedicine(ctx, m.ID, frontline.MedicineFill{Given: "x"}); err == nil {
				t.Errorf("%s filled the request", name)
			}
		}
		ph, err := f.medicine.MedicinePhoto(f.pharmCtx, m.ID)
		if err != nil || ph.Type != "image/jpeg" || !bytes.Equal(ph.Data, f.jpeg) {
			t.Fatalf("the pharmacy's photo: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'medicine_request' AND action = 'read_photo'`); n != 1 {
			t.Errorf("%d photo reads audited", n)
		}
		if _, err := f.medicine.RefuseMedicine(f.pharmCtx, m.ID, "缺货"); err != nil {
			t.Fatal(err)
		}
		f.advance(31 * 24 * time.Hour)
		run, err := sqldb.NewRetentionService(db).Purge(context.Background(), frontline.PurgeRequest{Reason: frontline.PurgeRetention})
		if err != nil || run.ID == 0 {
			t.Fatalf("purge: %+v, %v", run, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM medicine_requests WHERE photo IS NULL AND medicine = '' AND purged_at IS NOT NULL`); n != 1 {
			t.Errorf("the purge left the request's data (%d emptied)", n)
		}
		if _, err := f.medicine.MedicinePhoto(f.pharmCtx, m.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("a purged photo: %v", err)
		}
	})
}
