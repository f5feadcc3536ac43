package frontline

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Alert kinds that Frontline raises. Kinds are data (AlertKind rows): a
// workflow that raises a new kind adds its row in a migration and its
// texts to the message catalogue; see docs/alerts.md.
const (
	AlertCase            = "case"             // a confirmed positive
	AlertFollowUpOverdue = "followup_overdue" // a follow-up test or report past its grace
	AlertHealthAbnormal  = "health_abnormal"  // a fever, a symptom or a positive in a health report
	AlertNoticeDead      = "notice_dead"      // a notice that could not be delivered
	AlertTransferOverdue = "transfer_overdue" // a transfer step not done in time
)

// AlertKind is how alerts of one kind behave: who sees them first (the
// users of the Tier level at and around the alert's place, with one of
// Roles), how soon one must be acknowledged before it escalates one level
// up, and the notice channels it goes out on. Stored as data; admins at
// the root change it.
type AlertKind struct {
	Kind string `json:"kind"`
	// Label is the kind's name in outgoing notices (Chinese, as offices
	// read them); pages name kinds from the message catalogue.
	Label string    `json:"label"`
	Tier  PlaceKind `json:"tier"`
	Roles []Role    `json:"roles"`
	// AckWithin is how long an alert may wait unacknowledged before it
	// escalates; 0 never escalates.
	AckWithin time.Duration `json:"ack_within"`
	Channels  []string      `json:"channels"`
}

// Validate checks a kind.
func (k *AlertKind) Validate() error {
	k.Kind = strings.TrimSpace(k.Kind)
	if k.Kind == "" || len(k.Kind) > 40 || strings.ContainsAny(k.Kind, " /") {
		return FieldError("kind", "a kind is a name of at most 40 characters without spaces")
	}
	k.Label = strings.TrimSpace(k.Label)
	if k.Label == "" || len([]rune(k.Label)) > 40 {
		return FieldError("label", "a kind needs a label of at most 40 characters")
	}
	if !k.Tier.Valid() || k.Tier.Rank() > KindCommunity.Rank() {
		return FieldError("tier", "the first level is a city, district, subdistrict or community, not %q", k.Tier)
	}
	if len(k.Roles) == 0 {
		return FieldError("roles", "name the roles that see and acknowledge the alert")
	}
	for _, r := range k.Roles {
		if !r.Valid() {
			return FieldError("roles", "unknown role %q", r)
		}
	}
	if k.AckWithin < 0 || k.AckWithin > 7*24*time.Hour {
		return FieldError("ack_within", "the time to acknowledge is between 0 (never escalates) and 7 days")
	}
	for _, c := range k.Channels {
		if strings.TrimSpace(c) == "" {
			return FieldError("channels", "a channel needs a name")
		}
	}
	return nil
}

// Sees reports whether a user of role r sees alerts of this kind.
func (k *AlertKind) Sees(r Role) bool { return slices.Contains(k.Roles, r) }

// DefaultAlertKinds are the kinds the migrations store, a test keeps the
// two equal. A case alerts the community's secretary and staff and the
// subdistrict above them at once and must be acknowledged within 15
// minutes (FIELD.md: an urgent request acknowledged within 15 minutes);
// the others start with the community.
func DefaultAlertKinds() []*AlertKind {
	command := []Role{RoleCityAdmin, RoleDistrictAdmin, RoleSubdistrictAdmin, RoleCommunitySecretary, RoleCommunityStaff}
	field := append(slices.Clone(command), RoleGridWorker)
	return []*AlertKind{
		{Kind: AlertCase, Label: "阳性病例", Tier: KindSubdistrict, Roles: command, AckWithin: 15 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertTransferOverdue, Label: "转运超时", Tier: KindCommunity, Roles: command, AckWithin: 15 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertHealthAbnormal, Label: "健康异常", Tier: KindCommunity, Roles: field, AckWithin: 30 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertFollowUpOverdue, Label: "随访逾期", Tier: KindCommunity, Roles: field, AckWithin: 4 * time.Hour, Channels: []string{"log"}},
		{Kind: AlertNoticeDead, Label: "通知发送失败", Tier: KindCommunity, Roles: command, AckWithin: time.Hour, Channels: []string{"log"}},
		{Kind: AlertUnfilledShift, Label: "班次缺人", Tier: KindCommunity, Roles: command, AckWithin: 30 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertNoShow, Label: "未到岗", Tier: KindCommunity, Roles: command, AckWithin: 15 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertVulnerableUnchecked, Label: "特殊人群未联系", Tier: KindCommunity, Roles: command, AckWithin: time.Hour, Channels: []string{"log"}},
		// Urgent help escalates fast: a late request is already 15 minutes
		// (or 2 hours) late when it alerts (help.go).
		{Kind: AlertHelpUnacked, Label: "紧急求助未受理", Tier: KindCommunity, Roles: field, AckWithin: 10 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertHelpLate, Label: "紧急求助超时未办结", Tier: KindCommunity, Roles: field, AckWithin: 15 * time.Minute, Channels: []string{"log"}},
		{Kind: AlertMedicineLate, Label: "慢病药送达超时", Tier: KindCommunity, Roles: field, AckWithin: 30 * time.Minute, Channels: []string{"log"}},
	}
}

// Alert is something that needs a person to act now: raised by a workflow
// about a place and a subject, seen by the users of its kind's roles at
// and around its tier, acknowledged by a named user, and escalated one
// level up when nobody does so in time.
type Alert struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	// PlaceID is where it happened (a household, a building, a round's
	// scope); the alert is in the scope of the users above it.
	PlaceID int64 `json:"place_id"`
	// Subject is what the alert is about ("case", "followup", "notice",
	// "transfer") and its id.
	Subject   string `json:"subject"`
	SubjectID int64  `json:"subject_id"`
	// Key de-duplicates: while an alert of the same kind and key is not
	// resolved, raising it again counts a repeat instead of a new alert.
	Key string `json:"key"`
	// Detail is what happened in a few words of data (a masked name, a
	// tube code), shown after the kind's sentence.
	Detail string `json:"detail"`
	// Action is the local path of the one page that handles it.
	Action string `json:"action"`
	// Since is when the thing happened (a follow-up's due time), RaisedAt
	// when the alert was raised.
	Since    time.Time `json:"since"`
	RaisedAt time.Time `json:"raised_at"`
	Repeats  int       `json:"repeats"`
	// Level counts escalations; TierPlaceID is the node whose users see
	// it now (with everyone below it). DueAt is when it escalates next
	// (zero when it never will).
	Level       int       `json:"level"`
	TierPlaceID int64     `json:"tier_place_id"`
	DueAt       time.Time `json:"due_at,omitzero"`
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	AckedAt     time.Time `json:"acked_at,omitzero"`
	AckedBy     string    `json:"acked_by,omitempty"`
	AckNote     string    `json:"ack_note,omitempty"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	ResolvedBy  string    `json:"resolved_by,omitempty"`

	// Filled by finders: the place's address and the tier's name.
	Where string `json:"where,omitempty"`
	Tier  string `json:"tier,omitempty"`
}

// Acked reports whether a named user acknowledged the alert.
func (a *Alert) Acked() bool { return !a.AckedAt.IsZero() }

// Resolved reports whether the workflow that raised it closed it.
func (a *Alert) Resolved() bool { return !a.ResolvedAt.IsZero() }

// Validate checks what a raiser sets.
func (a *Alert) Validate() error {
	a.Key, a.Detail, a.Subject = strings.TrimSpace(a.Key), strings.TrimSpace(a.Detail), strings.TrimSpace(a.Subject)
	switch {
	case a.Kind == "":
		return FieldError("kind", "an alert needs a kind")
	case a.PlaceID <= 0:
		return FieldError("place_id", "an alert needs the place where it happened")
	case a.Key == "" || len(a.Key) > 120:
		return FieldError("key", "an alert needs a de-duplication key of at most 120 characters")
	case len([]rune(a.Detail)) > 200:
		return FieldError("detail", "the detail is longer than 200 characters")
	case !strings.HasPrefix(a.Action, "/") || strings.HasPrefix(a.Action, "//") || len(a.Action) > 200:
		return FieldError("action", "the action is a local path such as /cases/12")
	}
	return nil
}

// AlertFilter selects alerts. Zero fields do not filter.
type AlertFilter struct {
	ID    *int64
	Kind  *string
	Under *int64
	// Open selects alerts not resolved; Unacked those not acknowledged
	// either.
	Open    bool
	Unacked bool
	Subject string // with SubjectID: alerts about one thing
	SubjID  int64
	Offset  int
	Limit   int
}

// AlertService keeps the one inbox. Every read is scoped: a user sees the
// alerts of the places in their scope, of kinds their role sees, once the
// alert's tier has reached their level (an alert of a community is not a
// city admin's until it escalates there).
//
// Errors: EINVALID for a bad alert or an unknown kind; ENOTFOUND for an
// alert the caller does not see; EFORBIDDEN for an acknowledgement
// without a named user (a device token), or changing a kind without
// users.manage at a root.
type AlertService interface {
	// Raise records an alert and sends it out through the notice outbox,
	// or counts a repeat of the open alert of the same kind and key.
	// Workflows in the store raise theirs in their own transaction.
	Raise(ctx context.Context, a *Alert) (*Alert, error)
	// FindAlerts lists alerts the caller sees: unacknowledged first, then
	// newest first; and the total.
	FindAlerts(ctx context.Context, f AlertFilter) ([]*Alert, int, error)
	// Unread counts the open, unacknowledged alerts the caller sees, in
	// one indexed query (every signed-in page shows it).
	Unread(ctx context.Context) (int, error)
	// Acknowledge records that the calling user has taken the alert on,
	// with a note; acknowledging again changes nothing.
	Acknowledge(ctx context.Context, id int64, note string) (*Alert, error)
	// Escalate moves every alert due for escalation one level up and
	// sends it out to that level; safe to run on several servers at once
	// (each alert escalates once). It returns how many escalated.
	Escalate(ctx context.Context) (int, error)
	// AlertKinds lists the kinds; UpdateAlertKind changes one.
	AlertKinds(ctx context.Context) ([]*AlertKind, error)
	UpdateAlertKind(ctx context.Context, k *AlertKind) error
}

// AlertTier returns the path of the node whose users see an alert about
// the node at path first: its nearest ancestor (or itself) of kind tier or
// wider. kinds gives the kind of each node on the path.
func AlertTier(path string, kinds map[int64]PlaceKind, tier PlaceKind) string {
	ids := PathIDs(path)
	for i := len(ids) - 1; i >= 0; i-- {
		if k, ok := kinds[ids[i]]; ok && k.Rank() <= tier.Rank() {
			return pathOf(ids[:i+1])
		}
	}
	return pathOf(ids[:min(1, len(ids))])
}

// AncestorPaths returns the paths of the node at path and of each of its
// ancestors, root first: the tiers at which a user scoped at path sees
// alerts.
func AncestorPaths(path string) []string {
	ids := PathIDs(path)
	out := make([]string, len(ids))
	for i := range ids {
		out[i] = pathOf(ids[:i+1])
	}
	return out
}

func pathOf(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('/')
	for _, id := range ids {
		b.WriteString(strconv.FormatInt(id, 10))
		b.WriteByte('/')
	}
	return b.String()
}
