package frontline

import (
	"context"
	"time"
)

// One named person per household (包户到人): every household of a
// community has one responsible worker. Responsibility is given to a node
// — a grid worker takes a compound, a staff member a building, a cadre a
// few households — and a household's responsible worker is the one given
// the deepest node on its path, as a household's zone level is the
// strictest zone on its path. When that worker is off for the day, the
// cover named with the responsibility takes over, else the responsible
// worker of the node above.

// Responsibility is one node given to a worker, with the worker who
// covers when they are off.
type Responsibility struct {
	PlaceID    int64     `json:"place_id"`
	Place      *Place    `json:"place,omitempty"`
	WorkerID   int64     `json:"worker_id"`
	WorkerName string    `json:"worker_name,omitempty"`
	CoverID    int64     `json:"cover_id,omitempty"`
	CoverName  string    `json:"cover_name,omitempty"`
	SetAt      time.Time `json:"set_at"`
	SetBy      string    `json:"set_by"`
}

// WorkerRef is a worker as other workflows show them beside a household.
type WorkerRef struct {
	ID     int64      `json:"id"`
	Name   string     `json:"name"`
	Phone  string     `json:"-"` // masked by pages unless the reader may see it
	Kind   WorkerKind `json:"kind"`
	Unit   string     `json:"unit,omitempty"`
	UserID int64      `json:"user_id,omitempty"`
}

// ResponsibleWorker answers, for one household, who is responsible for it
// and who acts today.
type ResponsibleWorker struct {
	HouseholdID int64 `json:"household_id"`
	// Worker is the responsible worker; nil when nobody is.
	Worker *WorkerRef `json:"worker,omitempty"`
	// ViaPlaceID is the node whose responsibility applies.
	ViaPlaceID int64 `json:"via_place_id,omitempty"`
	// Off: the responsible worker is off today; Cover is who acts for
	// them (nil when nobody available was found).
	Off   bool       `json:"off"`
	Cover *WorkerRef `json:"cover,omitempty"`
}

// Acting returns who acts for the household today: the cover when the
// worker is off, else the worker; nil when nobody does.
func (r *ResponsibleWorker) Acting() *WorkerRef {
	if r == nil {
		return nil
	}
	if r.Off {
		return r.Cover
	}
	return r.Worker
}

// ResponsibilityService gives households their responsible workers and
// answers who they are.
//
// Giving and reading responsibilities needs PermManageWorkforce;
// ResponsibleWorkers needs PermReadRegistry (every workflow that shows a
// household asks it). The node and the workers must be in the caller's
// scope.
//
// Errors: EINVALID (a unit-less node, the cover being the worker);
// ENOTFOUND for a node, household or worker that does not exist or is
// outside the scope; EFORBIDDEN.
type ResponsibilityService interface {
	// SetResponsible gives a node (a community, compound, building, unit or
	// household) to a worker, with an optional cover (0 for none).
	SetResponsible(ctx context.Context, placeID, workerID, coverID int64) (*Responsibility, error)
	// ClearResponsible takes a node's responsibility away; its households
	// fall back to the node above.
	ClearResponsible(ctx context.Context, placeID int64) error
	// FindResponsibilities returns the responsibilities at or under a node
	// in path order.
	FindResponsibilities(ctx context.Context, under int64) ([]*Responsibility, error)
	// ResponsibleWorkers returns, for each household, its responsible
	// worker and today's cover: the one call every workflow asks. Every id
	// must be a household in scope, or the call fails.
	ResponsibleWorkers(ctx context.Context, householdIDs []int64) (map[int64]*ResponsibleWorker, error)
	// Unassigned returns the households at or under a node that have no
	// responsible worker (up to limit), and how many there are.
	Unassigned(ctx context.Context, under int64, limit int) ([]*Place, int, error)
}
