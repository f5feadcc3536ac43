package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// The case. One of the demo round's positive pool comes back positive on
// the home team's single re-test, the moment the source document's
// community feared most: the lab's result opens the case (its household
// to centralised isolation, its building under health monitoring, the
// alert to 罗玉新村社区 and 大城街道), and the transfer desk has sent a
// vehicle. Nobody has acknowledged the alert yet, so xiahong's inbox shows
// it, the case page proposes sealing the building, and the gate of 枣园小区
// already turns the household back.

// CaseServices are what Cases writes through.
type CaseServices struct {
	Lab       frontline.LabService
	Cases     frontline.CaseService
	Transfers frontline.TransferService
}

// CaseScene says what Cases created.
type CaseScene struct {
	Case     *frontline.Case
	Transfer *frontline.Transfer
}

// Cases confirms the first re-test of the demo round's positive pool (see
// Testing, which must have run) and sends the case's vehicle.
func Cases(ctx context.Context, s CaseServices, testing *TestingScene, now time.Time) (*CaseScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	fail := func(step string, err error) (*CaseScene, error) {
		return nil, fmt.Errorf("demo case: %s: %w", step, err)
	}
	open := frontline.RetestOpen
	tasks, _, err := s.Lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &testing.Round.ID, Status: &open, Limit: 50})
	if err != nil {
		return fail("re-tests", err)
	}
	var task *frontline.RetestTask
	for _, t := range tasks {
		if t.Kind == frontline.KindRetest {
			task = t
			break
		}
	}
	if task == nil {
		return fail("re-tests", fmt.Errorf("the round has no re-test to confirm"))
	}
	const tube = "ZYRT-0001"
	if _, err := s.Lab.SampleRetest(ctx, task.ID, tube); err != nil {
		return fail("re-sample", err)
	}
	sum, err := s.Lab.PostResults(ctx, []frontline.ResultRow{{Row: 2, TubeCode: tube, Result: frontline.ResultPositive}})
	if err != nil {
		return fail("result", err)
	}
	if len(sum.Cases) != 1 {
		return fail("result", fmt.Errorf("the positive opened %d cases", len(sum.Cases)))
	}
	c, err := s.Cases.FindCaseByID(ctx, sum.Cases[0])
	if err != nil {
		return fail("case", err)
	}
	scene := &CaseScene{Case: c}
	transfers, _, err := s.Transfers.FindTransfers(ctx, frontline.TransferFilter{CaseID: &c.ID})
	if err != nil {
		return fail("transfers", err)
	}
	for _, t := range transfers {
		if t.PersonID != c.PersonID {
			continue
		}
		if scene.Transfer, err = s.Transfers.StepTransfer(ctx, t.ID, frontline.TransferStep{To: frontline.TransferAssigned,
			Vehicle: "甘E·A1203", Crew: "秦州区120急救站 王师傅、李护士"}); err != nil {
			return fail("vehicle", err)
		}
	}
	return scene, nil
}
