package sqldb_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/notify"
	"github.com/frontline-org/frontline/notify/fakesms"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// smsScene is an outbox on a real database, a fake gateway, the SMS
// channel over the provider file of docs/examples pointed at the gateway,
// and a worker, all on one clock the test moves.
type smsScene struct {
	db      *sqldb.DB
	gateway *fakesms.Gateway
	worker  *notify.Worker
	now     time.Time
}

func newSMSScene(t *testing.T, db *sqldb.DB) *smsScene {
	t.Helper()
	sc := &smsScene{db: db, gateway: fakesms.Start(), now: time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)}
	t.Cleanup(sc.gateway.Close)
	sc.gateway.APIKey = "k-123"
	p, err := notify.LoadSMSProvider(filepath.Join("..", "docs", "examples", "sms-provider.json"))
	if err != nil {
		t.Fatal(err)
	}
	p.URL = sc.gateway.SendURL()
	ch := notify.SMSChannel{Provider: p, Getenv: func(k string) string {
		if k == "FRONTLINE_SMS_API_KEY" {
			return "k-123"
		}
		return ""
	}}
	db.Now = func() time.Time { return sc.now }
	db.Channels = []string{"log", "sms"}
	sc.worker = notify.NewWorker(sqldb.NewOutboxService(db), nil, notify.LogChannel{}, ch)
	sc.worker.Now = func() time.Time { return sc.now }
	return sc
}

// notice reads a notice back from the outbox.
func (sc *smsScene) notice(t *testing.T, id int64) *frontline.Notice {
	t.Helper()
	list, _, err := sqldb.NewOutboxService(sc.db).FindNotices(frontline.AsSystem(context.Background()), frontline.NoticeFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("notice %d not found", id)
	return nil
}

func (sc *smsScene) enqueue(t *testing.T, n *frontline.Notice) int64 {
	t.Helper()
	if err := sqldb.EnqueueForTest(context.Background(), sc.db, n); err != nil {
		t.Fatal(err)
	}
	// The outbox writes notices in batches and does not hand ids back;
	// each notice of these tests has a recipient of its own.
	list, _, err := sqldb.NewOutboxService(sc.db).FindNotices(frontline.AsSystem(context.Background()), frontline.NoticeFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range list {
		if got.Recipient == n.Recipient {
			return got.ID
		}
	}
	t.Fatalf("notice to %s not written", n.Recipient)
	return 0
}

// TestNotice_SMSDelivery sends a notice through the SMS channel to the
// fake gateway: the provider's signature, its template id for the topic
// and the notice's params arrive, the key from the environment is sent,
// and the outbox records the notice delivered. On both engines.
func TestNotice_SMSDelivery(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newSMSScene(t, db)
		id := sc.enqueue(t, &frontline.Notice{Channel: "sms", Topic: "callup", Recipient: "139 0000 0001", Subject: "全员核酸",
			Body: "请于07:30到枣园小区采样点做核酸", Params: map[string]string{"time": "07:30", "site": "枣园小区采样点"}})
		if n := sc.worker.RunOnce(context.Background()); n != 1 {
			t.Fatalf("claimed %d notices, want 1", n)
		}
		msgs := sc.gateway.Messages()
		if len(msgs) != 1 {
			t.Fatalf("gateway took %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.Phone != "13900000001" || m.Sign != "秦州区疫情防控" || m.Template != "SMS_CALLUP_01" || m.Params["site"] != "枣园小区采样点" ||
			m.Text != "请于07:30到枣园小区采样点做核酸" || m.Ref != id {
			t.Errorf("gateway took %+v", m)
		}
		if n := sc.notice(t, id); n.Status != frontline.NoticeDelivered || n.Attempts != 1 || n.Params["time"] != "07:30" {
			t.Errorf("notice after delivery: %+v", n)
		}
	})
}

// TestNotice_SMSRetry has the gateway fail: a 503 and a lost answer are
// tried again later and delivered once; a refusal (400) and a landline
// end on the dead-letter list at once, with the reason, without a retry.
// On both engines.
func TestNotice_SMSRetry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sc := newSMSScene(t, db)
		id := sc.enqueue(t, &frontline.Notice{Channel: "sms", Topic: "result", Recipient: "13900000002", Subject: "结果", Body: "您的核酸检测结果为阴性"})
		sc.gateway.FailNext(http.StatusServiceUnavailable, http.StatusBadGateway)
		sc.worker.RunOnce(ctx)
		n := sc.notice(t, id)
		if n.Status != frontline.NoticePending || n.Attempts != 1 || !strings.Contains(n.LastError, "503") {
			t.Fatalf("after a 503: %+v", n)
		}
		if sc.worker.RunOnce(ctx) != 0 {
			t.Fatal("a failed notice was tried again before its time")
		}
		sc.now = sc.now.Add(time.Hour)
		sc.worker.RunOnce(ctx) // 502
		sc.now = sc.now.Add(time.Hour)
		sc.worker.RunOnce(ctx)
		if n := sc.notice(t, id); n.Status != frontline.NoticeDelivered || n.Attempts != 3 {
			t.Fatalf("after two failures and a success: %+v", n)
		}
		if msgs := sc.gateway.Messages(); len(msgs) != 1 || msgs[0].Template != "SMS_RESULT_01" {
			t.Fatalf("gateway took %+v", msgs)
		}

		refused := sc.enqueue(t, &frontline.Notice{Channel: "sms", Topic: "result", Recipient: "13900000003", Subject: "结果", Body: "x"})
		landline := sc.enqueue(t, &frontline.Notice{Channel: "sms", Topic: "result", Recipient: "0938-8211234", Subject: "结果", Body: "x"})
		sc.gateway.FailNext(http.StatusBadRequest)
		before, _ := sc.gateway.Requests()
		sc.worker.RunOnce(ctx)
		if n := sc.notice(t, refused); n.Status != frontline.NoticeDead || n.Attempts != 1 || !strings.Contains(n.LastError, "refused") {
			t.Errorf("a refused message: %+v", n)
		}
		if n := sc.notice(t, landline); n.Status != frontline.NoticeDead || !strings.Contains(n.LastError, "not a mobile number") ||
			strings.Contains(n.LastError, "8211234") {
			t.Errorf("a landline (its number masked in the reason): %+v", n)
		}
		if after, _ := sc.gateway.Requests(); after != before+1 {
			t.Errorf("%d requests for a refusal and a landline, want 1", after-before)
		}
	})
}
