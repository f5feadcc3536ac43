package frontline

import "context"

// DuplicatePair is two registered persons in different households who may
// be one person registered twice: the same name and birth date, and no two
// documents that tell them apart (one has none, or they hold documents of
// different types).
type DuplicatePair struct {
	A *Person `json:"a"`
	B *Person `json:"b"`
}

// SuspectedDuplicate reports whether two persons of different households
// may be one: the rule DuplicateService.SuspectedDuplicates applies in SQL.
func SuspectedDuplicate(a, b *Person) bool {
	return a.HouseholdID != b.HouseholdID && a.Name == b.Name && a.BirthDate != "" && a.BirthDate == b.BirthDate &&
		(a.IDType == IDNone || b.IDType == IDNone || a.IDType != b.IDType)
}

// MergeResult says what a merge moved to the surviving person.
type MergeResult struct {
	Survivor *Person `json:"survivor"`
	MergedID int64   `json:"merged_id"`
	// Moved counts the references moved, by table; Kept those left with
	// the merged person because the survivor already had one (both were
	// members of the same round).
	Moved map[string]int `json:"moved"`
	Kept  map[string]int `json:"kept,omitempty"`
}

// DuplicateService finds persons registered twice and resolves them. Each
// call needs PermEditRegistry, and both persons must be in the caller's
// scope (ENOTFOUND otherwise).
type DuplicateService interface {
	// SuspectedDuplicates lists the pairs under a node (both persons under
	// it), except those marked as different people, by name; at most
	// limit, and the total.
	SuspectedDuplicates(ctx context.Context, under int64, limit int) ([]DuplicatePair, int, error)
	// MergePersons merges merged into survivor: every reference (round
	// memberships, bindings, visits, measures, cases, passages …) moves to
	// the survivor, who takes the document, phone, sex and birth date the
	// survivor lacks and every flag. The merged person is moved out and
	// points at the survivor. Audited. ECONFLICT when both hold different
	// documents (two people, or a wrong number to correct first).
	MergePersons(ctx context.Context, survivorID, mergedID int64) (*MergeResult, error)
	// MarkDistinct records that two persons are different people, so they
	// are no longer listed as suspected duplicates. Audited.
	MarkDistinct(ctx context.Context, aID, bID int64) error
}
