package web

import (
	"time"

	"github.com/frontline-org/frontline"
)

// placeJSON is a node as the API and the pages show it. Timestamps are
// left out: clients do not need them, and without them a response depends
// on the data alone.
type placeJSON struct {
	ID         int64  `json:"id"`
	ParentID   *int64 `json:"parent_id"` // null for a root
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Code       string `json:"code"`
	Path       string `json:"path"`
	Households int    `json:"households"`
	Residents  int    `json:"residents"`
	Vulnerable int    `json:"vulnerable"`
	// Retired is set for a place no longer in use, reached through the
	// history that points at it.
	Retired bool `json:"retired,omitempty"`
}

func newPlaceJSON(p *frontline.Place) placeJSON {
	out := placeJSON{
		ID: p.ID, Kind: string(p.Kind), Name: p.Name, Code: p.Code, Path: p.Path,
		Households: p.Households, Residents: p.Residents, Vulnerable: p.Vulnerable, Retired: p.Retired(),
	}
	if p.ParentID != 0 {
		parent := p.ParentID
		out.ParentID = &parent
	}
	return out
}

// placesJSON converts a list, never returning nil so an empty list is []
// in JSON.
func placesJSON(ps []*frontline.Place) []placeJSON {
	out := make([]placeJSON, len(ps))
	for i, p := range ps {
		out[i] = newPlaceJSON(p)
	}
	return out
}

// householdJSON is a household node with the address people use for it.
type householdJSON struct {
	placeJSON
	Address string `json:"address"`
}

// personJSON is a person as the API and the pages show them. It is built
// only by newPersonJSON, which masks the ID number and phone: the full
// values are never copied into it, so no template or encoder can leak
// them. The birth date is replaced by the age because, next to the
// masked number's visible first and last four characters, the birth date
// would give back all but two digits of the number.
type personJSON struct {
	ID          int64    `json:"id"`
	HouseholdID int64    `json:"household_id"`
	Name        string   `json:"name"`
	Sex         string   `json:"sex"`
	Age         *int     `json:"age"` // null when the birth date is unknown
	IDType      string   `json:"id_type"`
	IDNumber    string   `json:"id_number"` // masked
	Phone       string   `json:"phone"`     // masked
	Relation    string   `json:"relation"`
	Flags       []string `json:"flags"`
	Status      string   `json:"status"`
	Address     string   `json:"address,omitempty"` // of the household
}

func newPersonJSON(p *frontline.Person, now time.Time) personJSON {
	flags := make([]string, len(p.Flags))
	for i, f := range p.Flags {
		flags[i] = string(f)
	}
	return personJSON{
		ID: p.ID, HouseholdID: p.HouseholdID, Name: p.Name, Sex: string(p.Sex),
		Age: age(p.BirthDate, now), IDType: string(p.IDType),
		IDNumber: frontline.MaskIDNumber(p.IDNumber), Phone: frontline.MaskPhone(p.Phone),
		Relation: string(p.Relation), Flags: flags, Status: string(p.Status),
	}
}

// age returns the age in whole years on now's date, or nil for a missing
// or malformed birth date.
func age(birth string, now time.Time) *int {
	b, err := time.Parse(frontline.DateLayout, birth)
	if err != nil {
		return nil
	}
	years := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		years--
	}
	years = max(years, 0)
	return &years
}

// listJSON is the paging part of every list response.
type listJSON struct {
	Total int `json:"total"`
	page
}
