package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// isolate records a returnee from a high-risk area in hh[0] today, which
// puts 王五 under home isolation, and returns the measure.
func (s *screening) isolate(t *testing.T, ctx context.Context) *frontline.Measure {
	t.Helper()
	travel := &frontline.Travel{AreaCode: "610113", ArrivedOn: "2026-01-05"}
	v := s.visit(t, ctx, s.tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true, Travel: travel})
	ms, err := sqldb.NewFollowUpService(s.db).FindMeasures(ctx, s.c.ID, s.tr.hh[0].ID)
	if err != nil || len(ms) != 1 || ms[0].VisitID != v.ID {
		t.Fatalf("measures %+v, %v", ms, err)
	}
	return ms[0]
}

func TestSelfReport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newScreening(t, db)
		grid := as(frontline.RoleGridWorker, s.tr.comp1)
		m := s.isolate(t, grid)
		fs := sqldb.NewFollowUpService(db)

		t.Run("Refusals", func(t *testing.T) {
			if _, _, err := fs.CreateSelfReportLink(as(frontline.RoleGridWorker, s.tr.comp2), m.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Errorf("a worker of another compound made a link: %v", err)
			}
			if _, _, err := fs.CreateSelfReportLink(as(frontline.RoleVolunteer, s.tr.comp1), m.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
				t.Errorf("a volunteer made a link: %v", err)
			}
			if _, err := fs.SelfReport(context.Background(), strings.Repeat("x", 43)); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Errorf("an unknown secret: %v", err)
			}
		})

		link, secret, err := fs.CreateSelfReportLink(grid, m.ID)
		if err != nil || len(secret) < 40 || link.LastDay != "2026-01-11" {
			t.Fatalf("link %+v %q, %v", link, secret, err)
		}
		tx, err := db.BeginReadTx(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var stored int
		err = tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM screening_report_links WHERE hash = ?`, secret).Scan(&stored)
		tx.Rollback()
		if err != nil || stored != 0 {
			t.Fatalf("the secret is stored as it is (%d rows), %v", stored, err)
		}

		// At 12:00 the evening report (18:00) is not open yet; no public
		// caller has a principal.
		public := frontline.WithActor(context.Background(), frontline.Actor{Name: "resident", Addr: "192.0.2.7"})
		v, err := fs.SelfReport(public, secret)
		if err != nil || v.Initial != "王" || v.Type != frontline.MeasureIsolation || v.Day != 1 || v.Days != 7 || v.Open || len(v.Today) != 1 {
			t.Fatalf("view at noon %+v, %v", v, err)
		}
		if _, err := fs.RecordSelfReport(public, secret, frontline.HealthReport{Temperature: 36.6}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("recorded with nothing open: %v", err)
		}

		db.Now = func() time.Time { return testNow.Add(3 * time.Hour) } // 15:00
		if _, err := fs.RecordSelfReport(public, secret, frontline.HealthReport{Temperature: 51}); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("51 °C accepted: %v", err)
		}
		v, err = fs.RecordSelfReport(public, secret, frontline.HealthReport{Temperature: 38.2, Symptoms: "cough", Result: "negative"})
		if err != nil || v.Recorded == nil || !v.Abnormal || v.Open || !v.Today[0].Done {
			t.Fatalf("fever %+v, %v", v, err)
		}
		if _, err := fs.RecordSelfReport(public, secret, frontline.HealthReport{Temperature: 36.5}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("a second reading for the same report: %v", err)
		}

		// The reading is the assignee's now (with the catch-up test, overdue
		// since 14:00), and the log names the link.
		items, _, err := fs.FindFollowUps(grid, frontline.FollowUpItemFilter{CampaignID: &s.c.ID, MinEscalation: frontline.EscalationAssignee})
		if err == nil && len(items) == 2 && items[0].Kind == frontline.FollowUpTest {
			items = items[1:]
		}
		if err != nil || len(items) != 1 || !items[0].Abnormal || items[0].Result != "" || items[0].DoneBy != fmt.Sprintf("resident:link-%d", link.ID) {
			t.Fatalf("escalated %+v, %v", items, err)
		}
		if items[0].Address != "枣园小区/1号楼/101" || items[0].PersonName != "王五" {
			t.Errorf("item names %q at %q", items[0].PersonName, items[0].Address)
		}
		entity, actor := "screening_followup", items[0].DoneBy
		changes, _, err := sqldb.NewAuditService(db).FindChanges(context.Background(), frontline.ChangeFilter{Entity: &entity, Actor: &actor})
		if err != nil || len(changes) != 1 || changes[0].Addr != "192.0.2.7" {
			t.Errorf("audit %+v, %v", changes, err)
		}

		// A new link ends the old one.
		if _, again, err := fs.CreateSelfReportLink(grid, m.ID); err != nil || again == secret {
			t.Fatalf("second link %q, %v", again, err)
		}
		if _, err := fs.SelfReport(public, secret); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("the replaced link still works: %v", err)
		}
		// After the measure's last day no link works or can be made.
		db.Now = func() time.Time { return testNow.Add(8 * 24 * time.Hour) }
		if _, _, err := fs.CreateSelfReportLink(grid, m.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("a link after the measure: %v", err)
		}
	})
}

func TestCampaignService_Workers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newScreening(t, db)
		mustUser(t, userService(db), "vol.zaoyuan", frontline.RoleVolunteer, s.tr.comp1)
		ws, err := s.cs.Workers(as(frontline.RoleCommunitySecretary, s.tr.comm1), s.c.ID)
		if err != nil || len(ws) != 1 || ws[0].UserID != s.grid.ID || ws[0].Name == "" {
			t.Fatalf("workers %+v, %v", ws, err)
		}
		if ws, err := s.cs.Workers(as(frontline.RoleCommunitySecretary, s.tr.comm2), s.c.ID); err != nil || len(ws) != 0 {
			t.Errorf("another community's secretary sees %+v, %v", ws, err)
		}
		if _, err := s.cs.Workers(as(frontline.RoleGridWorker, s.tr.comp1), s.c.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a grid worker listed workers: %v", err)
		}
	})
}

// TestCampaignService_AssignHouseholds gives single doors to a worker
// whose scope is below the campaign's: allowed when their scope covers
// every listed door, refused when one lies outside it.
func TestCampaignService_AssignHouseholds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newScreening(t, db)
		other := mustUser(t, userService(db), "grid.zaoyuan2", frontline.RoleGridWorker, s.tr.comp1)
		n, err := s.cs.Assign(ctx, s.c.ID, []int64{s.tr.hh[0].ID, s.unitHH[1].ID}, 0, frontline.Assignee{UserID: other.ID})
		if err != nil || n != 2 {
			t.Fatalf("assigned %d, %v", n, err)
		}
		if m := s.member(t, s.unitHH[1]); m.Assignee.UserID != other.ID {
			t.Errorf("assignee %+v", m.Assignee)
		}
		_, err = s.cs.Assign(ctx, s.c.ID, []int64{s.tr.hh[1].ID, s.tr.hh[2].ID}, 0, frontline.Assignee{UserID: other.ID})
		if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != "user_id" {
			t.Errorf("a door of 忠义巷小区 given to 枣园小区's worker: %v", err)
		}
		if m := s.member(t, s.tr.hh[1]); m.Assignee.UserID != s.grid.ID {
			t.Errorf("a refused assignment changed %+v", m.Assignee)
		}
	})
}
