package frontline

import (
	"context"
	"slices"
	"time"
)

// RetentionKind is a kind of personal record with a retention rule of its
// own: how long after its workflow ends its personal fields are kept.
type RetentionKind string

// Kinds of personal record. Each names the workflow end its days count
// from (RetentionKindInfo).
const (
	RetainRounds     RetentionKind = "rounds"     // round members, bindings, re-tests, excusals: from the round's close
	RetainScreening  RetentionKind = "screening"  // household visits and travel declarations: from the campaign's close
	RetainMeasures   RetentionKind = "measures"   // measures and health reports: from the measure's end
	RetainPassages   RetentionKind = "passages"   // checkpoint passages: from the passage
	RetainCases      RetentionKind = "cases"      // cases, contacts, transfers: from the case's close
	RetainOrders     RetentionKind = "orders"     // orders from partners (notes, group leaders): from delivery, return or cancellation
	RetainDeliveries RetentionKind = "deliveries" // delivery runs (who carried which door, return notes): from the run's close
	RetainHelp       RetentionKind = "help"       // help requests and their hospital trips: from resolution
	RetainMedicine   RetentionKind = "medicine"   // medicine requests and their photos: from delivery, refusal or cancellation
	RetainNotices    RetentionKind = "notices"    // notices sent and alerts resolved: from delivery or resolution
	RetainWorkers    RetentionKind = "workers"    // workers' names and phones: from the worker's retirement
	RetainVulnerable RetentionKind = "vulnerable" // daily checks of the vulnerable and the needs found: from the check
	RetainResidents  RetentionKind = "residents"  // the registry entry (name, ID, phone, birth date): from the end of the person's last workflow
)

// RetentionKinds lists every kind, in the order pages show them. The
// residents come last: a person's registry entry goes only once every
// record of theirs above is past its own rule.
var RetentionKinds = []RetentionKind{RetainRounds, RetainScreening, RetainMeasures, RetainPassages, RetainCases,
	RetainOrders, RetainDeliveries, RetainHelp, RetainMedicine, RetainNotices, RetainWorkers, RetainVulnerable, RetainResidents}

// Valid reports whether k is a known kind.
func (k RetentionKind) Valid() bool { return slices.Contains(RetentionKinds, k) }

// DefaultRetention is the rule set that holds until an office saves its
// own (version 0): days after the workflow ends.
var DefaultRetention = map[RetentionKind]int{
	RetainRounds: 30, RetainScreening: 30, RetainMeasures: 30, RetainPassages: 14,
	RetainCases: 180, RetainOrders: 30, RetainDeliveries: 30, RetainHelp: 30, RetainMedicine: 30, RetainNotices: 30, RetainWorkers: 30, RetainVulnerable: 30, RetainResidents: 30,
}

// MaxRetentionDays bounds a rule: ten years.
const MaxRetentionDays = 3650

// RetentionRules is one version of the rules: keep days per kind.
type RetentionRules struct {
	// Version is 0 for the defaults, then 1, 2, … as offices save rules.
	Version   int
	Days      map[RetentionKind]int
	Note      string
	CreatedAt time.Time
	CreatedBy string
}

// Validate checks that every kind has a rule within bounds.
func (r *RetentionRules) Validate() error {
	for k, d := range r.Days {
		if !k.Valid() {
			return FieldError("kind", "unknown kind of record %q", k)
		}
		if d < 0 || d > MaxRetentionDays {
			return FieldError(string(k), "keep between 0 and %d days, not %d", MaxRetentionDays, d)
		}
	}
	for _, k := range RetentionKinds {
		if _, ok := r.Days[k]; !ok {
			return FieldError(string(k), "no rule for %s", k)
		}
	}
	return nil
}

// Cutoff returns the end time before which a kind's records are due at now.
func (r *RetentionRules) Cutoff(k RetentionKind, now time.Time) time.Time {
	return now.AddDate(0, 0, -r.Days[k])
}

// RetentionDue is what is due when for one kind under a node.
type RetentionDue struct {
	Kind RetentionKind
	Days int
	// Now is the number of records due now.
	Now int
	// Upcoming are later due days with their counts, soonest first, for
	// records whose workflow has ended.
	Upcoming []DueDay
	// Purged counts the records of the kind purged already.
	Purged int
}

// DueDay is a day on which records become due.
type DueDay struct {
	Day     string // YYYY-MM-DD in the deployment's time zone
	Records int
}

// PurgeReason says why a purge ran.
type PurgeReason string

// Purge reasons.
const (
	PurgeRetention PurgeReason = "retention"  // records past their rule
	PurgeStandDown PurgeReason = "stand-down" // everything under a node, regardless of rules
)

// PurgeRequest asks for a purge under a node (0: everywhere).
type PurgeRequest struct {
	UnderID int64
	Reason  PurgeReason
	// DryRun counts what would be purged and changes nothing.
	DryRun bool
}

// PurgeRun is one purge: its certificate. It holds no personal values.
type PurgeRun struct {
	ID          int64
	Reason      PurgeReason
	UnderID     int64
	UnderName   string
	RuleVersion int
	StartedAt   time.Time
	FinishedAt  *time.Time
	By          string
	Kinds       []PurgedKind
	DryRun      bool
}

// Records is the total of records the run purged.
func (r *PurgeRun) Records() int {
	n := 0
	for _, k := range r.Kinds {
		n += k.Records
	}
	return n
}

// PurgedKind is what one run purged of one kind.
type PurgedKind struct {
	Kind    RetentionKind
	Records int
	// FirstDay and LastDay are the range of the records' workflow end days.
	FirstDay, LastDay string
}

// PurgeStat is an anonymised count kept before records are purged: so
// many records of a kind under a community whose workflow ended that day.
type PurgeStat struct {
	Kind    RetentionKind
	PlaceID int64
	Place   string
	Day     string
	Records int
}

// RetentionService keeps the retention rules and purges personal data.
//
// Errors: EINVALID (a bad rule), ENOTFOUND (no such run or node),
// EFORBIDDEN (outside the principal's scope).
type RetentionService interface {
	// Rules returns the rules in force: the newest saved version, or the
	// defaults.
	Rules(ctx context.Context) (*RetentionRules, error)
	// SaveRules stores a new version of the rules (audited).
	SaveRules(ctx context.Context, r *RetentionRules) error
	// Due returns, per kind, what is due now and when the rest falls due,
	// under a node (0: everywhere).
	Due(ctx context.Context, underID int64) ([]RetentionDue, error)
	// Purge removes the personal data that is due (or, for a stand-down,
	// all of it under the node), counting it first in the anonymised
	// statistics, and returns the run's certificate (ID 0, none written,
	// when a retention purge found nothing due).
	Purge(ctx context.Context, req PurgeRequest) (*PurgeRun, error)
	// FindPurgeRuns lists the certificates, newest first.
	FindPurgeRuns(ctx context.Context) ([]*PurgeRun, error)
	// FindPurgeRun returns one certificate.
	FindPurgeRun(ctx context.Context, id int64) (*PurgeRun, error)
	// PurgeStats returns the anonymised statistics under a node.
	PurgeStats(ctx context.Context, underID int64) ([]PurgeStat, error)
}

// RetentionKindLabels name the kinds in the reports offices exchange
// (pages take their words from the message catalogue).
var RetentionKindLabels = map[RetentionKind]string{
	RetainRounds: "核酸检测轮次人员与绑管", RetainScreening: "摸排走访与行程", RetainMeasures: "管控措施与健康报告",
	RetainPassages: "卡点通行记录", RetainCases: "病例、密接与转运", RetainOrders: "保供订单", RetainDeliveries: "配送记录",
	RetainHelp: "紧急求助与就医出行", RetainMedicine: "购药送药需求", RetainNotices: "已发通知与已处理提醒",
	RetainWorkers: "工作人员信息", RetainVulnerable: "特殊人群每日联系记录", RetainResidents: "居民登记信息",
}

// PurgeReasonLabels name the reasons in reports.
var PurgeReasonLabels = map[PurgeReason]string{PurgeRetention: "保存期限届满", PurgeStandDown: "应急响应结束"}

// StandDownResult is what a stand-down closed and purged under a node.
type StandDownResult struct {
	Node *Place
	// Closed counts what was closed, by what: rounds, campaigns, measures,
	// zones, alerts.
	Closed map[string]int
	// Run is the purge's certificate.
	Run *PurgeRun
}

// StandDownService ends an emergency under a node at once.
//
// Errors: ECONFLICT (something is still in progress: the message lists
// it), ENOTFOUND, EFORBIDDEN.
type StandDownService interface {
	// StandDown closes what is open under the node (refusing while
	// anything is in progress), then purges every personal record under it
	// regardless of retention, keeping the place tree and the anonymised
	// statistics.
	StandDown(ctx context.Context, underID int64) (*StandDownResult, error)
}
