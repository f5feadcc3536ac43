package demo

import (
	"context"
	"fmt"

	"github.com/frontline-org/frontline"
)

// An office's registry has people without an ID card — an infant whose
// hukou is not registered yet — and, when two family members each list
// the same child, a suspected duplicate. The demo registers 韩小宝, born
// this spring with no document, in two households of 枣园小区, so that
// /duplicates shows a pair to merge or mark as different people.

// RegistryServices are what Registry writes through.
type RegistryServices struct {
	Places  frontline.PlaceService
	Persons frontline.PersonService
}

// Registry adds the infant without a document in two households of
// 枣园小区 and returns them; run again it finds them (the same name and
// birth date in a household is one person).
func Registry(ctx context.Context, s RegistryServices) ([]*frontline.Person, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	zaoyuan, err := s.Places.FindPlaceByPath(ctx, PathZaoyuan)
	if err != nil {
		return nil, fmt.Errorf("demo registry: %w", err)
	}
	kind := frontline.KindHousehold
	homes, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &zaoyuan.ID, Kind: &kind, Limit: 2})
	if err != nil || len(homes) < 2 {
		return nil, fmt.Errorf("demo registry: two households of 枣园小区: %v", err)
	}
	var out []*frontline.Person
	for _, h := range homes {
		p := &frontline.Person{HouseholdID: h.ID, Name: "韩小宝", Sex: frontline.SexMale, BirthDate: "2026-03-15",
			IDType: frontline.IDNone, Relation: frontline.RelGrandchild, Status: frontline.StatusResident}
		err := s.Persons.CreatePerson(ctx, p)
		if frontline.ErrorCode(err) == frontline.ECONFLICT {
			name := p.Name
			found, _, ferr := s.Persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &h.ID, Name: &name, Limit: 1})
			if ferr != nil || len(found) == 0 {
				return nil, fmt.Errorf("demo registry: %v (%v)", err, ferr)
			}
			p, err = found[0], nil
		}
		if err != nil {
			return nil, fmt.Errorf("demo registry: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}
