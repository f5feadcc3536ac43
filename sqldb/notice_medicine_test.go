package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestNotice_MedicineDelivered: a medicine request delivered by a named
// worker, and one delivered on a run, each tell their household by SMS,
// in the transaction of the delivery: once per number on file (two
// members sharing a number get one), none to a number that opted out,
// none again when the delivery is retried, and never the medicine's name.
// The fake gateway receives them with the provider's medicine template.
// On both engines.
func TestNotice_MedicineDelivered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDelivery(t, db)
		wall := db.Now
		sc := newSMSScene(t, db)
		db.Now, sc.worker.Now = wall, wall // the fixture's clock, not the scene's
		hh2, hh3 := f.tr.hh[2], f.tr.hh[3]
		personWith(t, db, hh2.ID, "李梅", "13922230001")
		personWith(t, db, hh2.ID, "张大山", "13922230001") // the same phone
		personWith(t, db, hh2.ID, "张小明", "")            // a child
		optedOut := personWith(t, db, hh3.ID, "王芳", "13922230003")
		personWith(t, db, hh3.ID, "赵强", "13922230004")
		if _, err := sqldb.NewNoticeOptOutService(db).OptOut(ctx, optedOut.Phone, ""); err != nil {
			t.Fatal(err)
		}
		ms := f.medicineAtGate(t, db, hh2, hh3)
		meds := sqldb.NewMedicineService(db)
		medicine := func() []*frontline.Notice {
			return slices.DeleteFunc(smsNotices(t, db, frontline.NoticePending), func(n *frontline.Notice) bool { return n.Topic != frontline.TopicMedicine })
		}
		// A named worker delivers hh2's; the retry is refused and tells nobody again.
		if _, err := meds.DeliverMedicine(f.ctx, ms[0].ID, f.worker.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := meds.DeliverMedicine(f.ctx, ms[0].ID, f.worker.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("delivered twice: %v", err)
		}
		if got := medicine(); len(got) != 1 || got[0].Recipient != "13922230001" || got[0].PlaceID != hh2.ID {
			t.Fatalf("after the named worker: %+v", got)
		}
		// A run takes hh3's medicine with its order; one tap at the door
		// delivers both, and a tap retried tells nobody again.
		orders := f.atGate(t, hh3)
		r := f.run(t, orders[0].DeliveryDay)
		doors := frontline.DoorsOf(r.Parcels)
		if len(doors) != 1 || len(doors[0].Parcels) != 2 {
			t.Fatalf("run: %+v", r.Parcels)
		}
		for range 2 {
			if _, err := f.runs.DeliverDoor(f.vol, doors[0].Parcels[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		got := medicine()
		if want := []string{"13922230001", "13922230004"}; !slices.Equal(recipients(got), want) {
			t.Fatalf("medicine notices to %v, want %v", recipients(got), want)
		}
		for _, n := range got {
			if strings.Contains(n.Body, "二甲双胍") || !strings.Contains(n.Body, "自治巷药房") || n.Params["partner"] != "自治巷药房" {
				t.Errorf("notice %+v", n)
			}
		}
		for sc.worker.RunOnce(ctx) > 0 {
		}
		var sent int
		for _, m := range sc.gateway.Messages() {
			if m.Template != "SMS_MEDICINE_01" {
				continue
			}
			sent++
			if strings.Contains(m.Text, "二甲双胍") || m.Phone == optedOut.Phone {
				t.Errorf("gateway took %+v", m)
			}
		}
		if sent != 2 {
			t.Errorf("the gateway took %d medicine notices, want 2", sent)
		}
	})
}

// TestNotice_MedicineWithoutSMS: a server without the SMS channel writes
// no medicine notice (it could only end dead).
func TestNotice_MedicineWithoutSMS(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		db.Channels = []string{"log"}
		personWith(t, db, f.tr.hh[2].ID, "李梅", "13922230001")
		ms := f.medicineAtGate(t, db, f.tr.hh[2])
		if _, err := sqldb.NewMedicineService(db).DeliverMedicine(f.ctx, ms[0].ID, f.worker.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE topic = 'medicine'`); n != 0 {
			t.Fatalf("%d medicine notices without an SMS channel", n)
		}
	})
}
