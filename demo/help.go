package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// The report's worst harm under lockdown was urgent medical need left
// unmet. The demo raises one open urgent request in sealed 忠义巷小区: a
// dialysis resident who needs a car to hospital tomorrow morning, raised
// on the household's behalf and not yet taken on, so 自治巷社区's
// secretary (zhangbin) finds it on the home page and the unmet-needs board.

// HelpServices are what Help writes through.
type HelpServices struct {
	Places  frontline.PlaceService
	Persons frontline.PersonService
	Help    frontline.HelpService
}

// Help raises the demo's open dialysis request in 忠义巷小区; run again it
// finds the same request (its key).
func Help(ctx context.Context, s HelpServices, now time.Time) (*frontline.HelpRequest, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	zhong, err := s.Places.FindPlaceByPath(ctx, PathZhongyixiang)
	if err != nil {
		return nil, fmt.Errorf("demo help: %w", err)
	}
	flagged, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{Under: &zhong.ID, OnlyFlagged: true, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("demo help: %w", err)
	}
	var patient *frontline.Person
	for _, p := range flagged {
		if slices.Contains(p.Flags, frontline.FlagDialysis) {
			patient = p
			break
		}
	}
	if patient == nil {
		if len(flagged) == 0 {
			return nil, fmt.Errorf("demo help: 忠义巷小区 has no flagged resident")
		}
		patient = flagged[0]
	}
	phone := patient.Phone
	if phone == "" {
		phone = "13909381234"
	}
	leave := now.Add(24 * time.Hour).Format("01-02")
	h, err := s.Help.RaiseHelp(ctx, &frontline.HelpRequest{HouseholdID: patient.HouseholdID, PersonID: patient.ID,
		Category: frontline.HelpDialysis, Need: "每周一三五血液透析，" + leave + " 早上7点需车辆送市第一人民医院，家属陪同",
		Phone: phone, Key: "demo:dialysis"})
	if err != nil {
		return nil, fmt.Errorf("demo help: %w", err)
	}
	return h, nil
}
