package frontline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RoundStatus is where a test round is in its life.
type RoundStatus string

// Round statuses. A round is planned as a draft, opened (which freezes the
// persons it must reach) and closed when sampling ends.
const (
	RoundDraft  RoundStatus = "draft"
	RoundOpen   RoundStatus = "open"
	RoundClosed RoundStatus = "closed"
)

// Round is a test round (核酸检测轮次): everyone living under a scope node is
// to be sampled on one day within set hours.
type Round struct {
	ID      int64  `json:"id"`
	ScopeID int64  `json:"scope_id"`
	Scope   *Place `json:"scope,omitempty"` // filled by finders
	Name    string `json:"name"`
	// TestType is data, not code: "PCR", "antigen", whatever the
	// outbreak calls for.
	TestType string      `json:"test_type"`
	Day      string      `json:"day"` // YYYY-MM-DD, local
	StartsAt time.Time   `json:"starts_at"`
	EndsAt   time.Time   `json:"ends_at"`
	Policy   PoolPolicy  `json:"pool_policy"`
	Status   RoundStatus `json:"status"`
	// Expected is the frozen denominator: the persons living under the
	// scope when the round opened, plus those added later by name.
	Expected int `json:"expected"`

	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	OpenedAt  time.Time `json:"opened_at,omitzero"`
	OpenedBy  string    `json:"opened_by,omitempty"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	ClosedBy  string    `json:"closed_by,omitempty"`
}

// ManagedBy reports whether p may change the round as a whole — open,
// close, re-plan, change its policy: p manages rounds and the round's
// scope is inside p's. Staff working inside a wider round see it and act
// on their own persons and sites only. The round's Scope must be filled.
func (r *Round) ManagedBy(p *Principal) bool {
	return p.Can(PermManageRounds) && r.Scope != nil && p.InScope(r.Scope.Path)
}

// CanDelete says whether a round may be deleted: only a draft, made by
// mistake or twice, whose call-up has not reached anyone (sent is how many
// of its notices went out). An open round has a frozen list of persons and
// may hold samples; it is closed, never deleted.
func (r *Round) CanDelete(sent int) error {
	if r.Status != RoundDraft {
		return Errorf(ECONFLICT, "round %s is %s: only a draft round can be deleted; close it instead", r.Name, r.Status)
	}
	if sent > 0 {
		return Errorf(ECONFLICT, "round %s has sent %d call-up notices to residents; it cannot be deleted", r.Name, sent)
	}
	return nil
}

// Validate normalizes and checks the fields a caller sets.
func (r *Round) Validate() error {
	r.Name = CleanName(r.Name)
	if r.Name == "" || len([]rune(r.Name)) > 100 {
		return FieldError("name", "a round needs a name of up to 100 characters")
	}
	r.TestType = strings.TrimSpace(r.TestType)
	if err := CheckLines("name", r.Name, "test_type", r.TestType); err != nil {
		return err
	}
	if r.TestType == "" {
		r.TestType = "PCR"
	}
	if len(r.TestType) > 40 {
		return FieldError("test_type", "the test type is longer than 40 characters")
	}
	if r.ScopeID <= 0 {
		return FieldError("scope_id", "a round needs a scope: the place whose residents it tests")
	}
	if _, err := time.Parse(DateLayout, r.Day); err != nil {
		return FieldError("day", "%q is not a date (YYYY-MM-DD)", r.Day)
	}
	r.StartsAt, r.EndsAt = Stored(r.StartsAt), Stored(r.EndsAt)
	if r.StartsAt.IsZero() || r.EndsAt.IsZero() || !r.EndsAt.After(r.StartsAt) {
		return FieldError("ends_at", "a round ends after it starts")
	}
	if r.EndsAt.Sub(r.StartsAt) > 72*time.Hour {
		return FieldError("ends_at", "a round lasts at most 72 hours")
	}
	// The pool policy is checked by the store once it has completed it
	// from the zone rules (PoolPolicy.Complete, PoolPolicyFromRules).
	return nil
}

// PoolMode says how persons share a tube.
type PoolMode string

// Pool modes (混采 / 单采 / 一户一管).
const (
	PoolSingle    PoolMode = "single"    // one person per tube
	PoolHousehold PoolMode = "household" // one tube per household
	PoolMixed     PoolMode = "pool"      // Size persons per tube
)

// PoolRule is how a tube is filled for persons of one zone level.
type PoolRule struct {
	Mode PoolMode `json:"mode"`
	Size int      `json:"size,omitempty"` // persons per tube, for PoolMixed
}

// MaxPoolSize bounds a pooled tube; labs were told not to pool further.
const MaxPoolSize = 50

// MaxHouseholdTube bounds a household tube: a household larger than this
// is split over tubes of single persons.
const MaxHouseholdTube = 20

// Validate checks a rule.
func (r PoolRule) Validate() error { return r.validate("pool_policy") }

// validate checks a rule, naming its fields under field.
func (r PoolRule) validate(field string) error {
	switch r.Mode {
	case PoolSingle, PoolHousehold:
		return nil
	case PoolMixed:
		if r.Size < 2 || r.Size > MaxPoolSize {
			return FieldError(field+".size", "a pool holds 2 to %d persons, not %d", MaxPoolSize, r.Size)
		}
		return nil
	}
	return FieldError(field+".mode", "unknown pool mode %q (single, household, pool)", r.Mode)
}

// Capacity returns how many persons a tube under the rule holds, for a
// household of householdSize persons in household mode.
func (r PoolRule) Capacity(householdSize int) int {
	switch r.Mode {
	case PoolMixed:
		return r.Size
	case PoolHousehold:
		return max(1, min(householdSize, MaxHouseholdTube))
	}
	return 1
}

// String returns "pool 10", "single" or "household".
func (r PoolRule) String() string {
	if r.Mode == PoolMixed {
		return fmt.Sprintf("pool %d", r.Size)
	}
	return string(r.Mode)
}

// PoolPolicy gives the pool rule for each zone level. Keys are the zone
// levels of the zones workflow ("sealed", "controlled", "precaution") and ""
// for households in no zone. It is data: each round carries its own.
type PoolPolicy map[string]PoolRule

// PoolPolicyLevels lists the keys a policy has, strictest first: the zone
// levels and "" for households in no zone.
var PoolPolicyLevels = []string{string(LevelSealed), string(LevelControlled), string(LevelPrecaution), string(LevelNone)}

// DefaultPoolPolicy is the 2022 practice (FIELD.md): a sealed zone is
// sampled singly, a controlled zone 10 to a tube, a precaution zone 20, and
// everywhere else 10. Rounds take their policy from the zone rules
// (PoolPolicyFromRules); this is what stands for a level without a rule.
func DefaultPoolPolicy() PoolPolicy {
	return PoolPolicy{
		"sealed":     {Mode: PoolSingle},
		"controlled": {Mode: PoolMixed, Size: 10},
		"precaution": {Mode: PoolMixed, Size: 20},
		"":           {Mode: PoolMixed, Size: 10},
	}
}

// PoolPolicyFromRules is the pool policy the zone rules in force call for,
// so that a round's default and the zone board say the same: a rule that
// pools per household is a household tube, a pool size of 1 single
// sampling, any other size a pool of it. HomeSampling says where samplers
// work (at the door), not how tubes are filled, so it does not enter the
// policy. A level without a rule, and households in no zone (which have no
// rule), keep DefaultPoolPolicy's.
func PoolPolicyFromRules(rules ZoneRuleSet) PoolPolicy {
	p := DefaultPoolPolicy()
	for _, level := range ZoneLevels {
		r := rules[level]
		switch {
		case r == nil:
		case r.PoolPerHousehold:
			p[string(level)] = PoolRule{Mode: PoolHousehold}
		case r.PoolSize <= 1:
			p[string(level)] = PoolRule{Mode: PoolSingle}
		default:
			p[string(level)] = PoolRule{Mode: PoolMixed, Size: r.PoolSize}
		}
	}
	return p
}

// Complete returns a copy of p with a rule for every level p lacks taken
// from base: a policy that names only some levels keeps the others as
// base has them, rather than leaving them to fall back to the rule for no
// zone. A nil p is base.
func (p PoolPolicy) Complete(base PoolPolicy) PoolPolicy {
	out := PoolPolicy{}
	for level, r := range base {
		out[level] = r
	}
	for level, r := range p {
		out[level] = r
	}
	return out
}

// policyLevelName names a level in error fields: "" is "none".
func policyLevelName(level string) string {
	if level == "" {
		return "none"
	}
	return level
}

// levelPhrase names a level in a message.
func levelPhrase(level string) string {
	if level == "" {
		return "households in no zone"
	}
	return "the " + level + " zone"
}

// Validate checks that every key is a zone level or "" (no zone), that
// every one has a rule, and every rule. A key the policy lacks, or one
// misspelt, would leave its residents to the rule for no zone: a sealed
// zone pooled 10 to a tube. Errors name the level, as in
// pool_policy.sealed.size.
func (p PoolPolicy) Validate() error {
	for level := range p {
		if !slices.Contains(PoolPolicyLevels, level) {
			return FieldError("pool_policy."+level, "unknown zone level %q; the levels are sealed, controlled, precaution and \"\" for no zone", level)
		}
	}
	for _, level := range PoolPolicyLevels {
		field := "pool_policy." + policyLevelName(level)
		r, ok := p[level]
		if !ok {
			return FieldError(field, "the pool policy has no rule for %s", levelPhrase(level))
		}
		if err := r.validate(field); err != nil {
			return err
		}
	}
	return nil
}

// Rule returns the rule for a zone level; a level the policy does not
// name gets the rule for no zone.
func (p PoolPolicy) Rule(level string) PoolRule {
	if r, ok := p[level]; ok {
		return r
	}
	return p[""]
}

// Levels returns the policy's keys in PoolPolicyLevels order, then any
// others sorted.
func (p PoolPolicy) Levels() []string {
	var out, rest []string
	for _, l := range PoolPolicyLevels {
		if _, ok := p[l]; ok {
			out = append(out, l)
		}
	}
	for l := range p {
		if !slices.Contains(PoolPolicyLevels, l) {
			rest = append(rest, l)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// MemberStatus is where one person of a round stands.
type MemberStatus string

// Member statuses. Every person of a round has exactly one; the round is
// done when none is pending.
const (
	MemberPending MemberStatus = "pending"
	MemberSampled MemberStatus = "sampled"
	MemberExcused MemberStatus = "excused"
)

// FollowUp is where a sampled person stands after their tube's result.
type FollowUp string

// Follow-up states of a sampled person.
const (
	FollowNone     FollowUp = ""                // no result yet, or a negative tube
	FollowAwaiting FollowUp = "awaiting_retest" // pool positive or invalid: re-sample singly at home
	FollowReleased FollowUp = "released"        // the single re-test was negative
	FollowPositive FollowUp = "positive"        // the single re-test was positive
)

// ExcuseReason says why a person is not sampled at the site.
type ExcuseReason string

// Excuse reasons. A bedridden person is not skipped: the reason sends the
// home sampling team, and the person stays pending (not excused) with a
// home task until the team samples them.
const (
	ExcuseHomeSampling ExcuseReason = "home_sampling"
	ExcuseAway         ExcuseReason = "away"
	ExcuseInfant       ExcuseReason = "infant"
	ExcuseHospital     ExcuseReason = "hospital"
	ExcuseOther        ExcuseReason = "other"
)

// ExcuseReasons lists the reasons in the order forms show them.
var ExcuseReasons = []ExcuseReason{ExcuseHomeSampling, ExcuseAway, ExcuseInfant, ExcuseHospital, ExcuseOther}

// Member is one person of a round's frozen denominator.
type Member struct {
	RoundID     int64        `json:"round_id"`
	PersonID    int64        `json:"person_id"`
	HouseholdID int64        `json:"household_id"`
	Name        string       `json:"name,omitempty"` // filled by finders
	Status      MemberStatus `json:"status"`
	TubeCode    string       `json:"tube_code,omitempty"`
	SampledAt   time.Time    `json:"sampled_at,omitzero"`
	Result      TubeResult   `json:"result,omitempty"`
	FollowUp    FollowUp     `json:"follow_up,omitempty"`
	Excuse      ExcuseReason `json:"excuse,omitempty"`
	ExcuseNote  string       `json:"excuse_note,omitempty"`
	ExcusedBy   string       `json:"excused_by,omitempty"`
	ExcusedAt   time.Time    `json:"excused_at,omitzero"`
	// Address is the household's names below the listed node, filled by
	// lists of members.
	Address string `json:"address,omitempty"`
	// AddedBy is set for a person added after the round opened (moved in
	// later), with AddedAt.
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at,omitzero"`
}

// joinReasons lists reasons as "a, b or c".
func joinReasons(rs []ExcuseReason) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = string(r)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Excusal excuses one person from a round, with a reason and a note.
type Excusal struct {
	PersonID int64        `json:"person_id"`
	Reason   ExcuseReason `json:"reason"`
	Note     string       `json:"note,omitempty"`
}

// Validate checks the reason and the note.
func (e *Excusal) Validate() error {
	if !slices.Contains(ExcuseReasons, e.Reason) {
		return FieldError("reason", "unknown excuse reason %q; the reasons are %s", e.Reason, joinReasons(ExcuseReasons))
	}
	e.Note = strings.TrimSpace(e.Note)
	if err := CheckText("note", e.Note); err != nil {
		return err
	}
	if e.Reason == ExcuseOther && e.Note == "" {
		return FieldError("note", "say why the person is excused")
	}
	if len([]rune(e.Note)) > 200 {
		return FieldError("note", "the note is longer than 200 characters")
	}
	return nil
}

// RoundFilter selects rounds. Zero fields do not filter.
type RoundFilter struct {
	ID     *int64
	Under  *int64 // rounds whose scope is at or under this node
	Status *RoundStatus
	Offset int
	Limit  int
}

// RoundUpdate changes a round. Nil fields are left as they are; the scope
// never changes once a round exists.
type RoundUpdate struct {
	Name     *string
	TestType *string
	StartsAt *time.Time
	EndsAt   *time.Time
	Policy   PoolPolicy // nil leaves the policy
}

// RoundService plans, opens and closes test rounds and keeps their
// denominators.
//
// Errors: ENOTFOUND for an unknown round or person (or one outside the
// caller's scope), EINVALID for a bad field, ECONFLICT for a change the
// round's status forbids (opening an open round, excusing a sampled person),
// EFORBIDDEN without PermManageRounds.
type RoundService interface {
	CreateRound(ctx context.Context, r *Round) error
	FindRoundByID(ctx context.Context, id int64) (*Round, error)
	FindRounds(ctx context.Context, f RoundFilter) ([]*Round, int, error)
	UpdateRound(ctx context.Context, id int64, upd RoundUpdate) (*Round, error)
	// OpenRound freezes the denominator: every person living under the
	// scope becomes a pending member, and the coverage counters start.
	OpenRound(ctx context.Context, id int64) (*Round, error)
	CloseRound(ctx context.Context, id int64) (*Round, error)
	// DeleteRound deletes a draft round with its sites, stations (their
	// tokens are revoked), plan and call-up notices not yet sent; see
	// Round.CanDelete (ECONFLICT).
	DeleteRound(ctx context.Context, id int64) error
	// AddMember adds a person who moved in after the round opened.
	AddMember(ctx context.Context, roundID, personID int64) (*Member, error)
	// Excuse marks a pending person excused, recording who did it; with
	// ExcuseHomeSampling the person stays pending and gets a home task.
	Excuse(ctx context.Context, roundID int64, e Excusal) (*Member, error)
	// Unexcuse makes an excused person pending again, or withdraws a home
	// task that was not sampled yet.
	Unexcuse(ctx context.Context, roundID, personID int64) (*Member, error)
	// FindMember returns one person's standing in a round.
	FindMember(ctx context.Context, roundID, personID int64) (*Member, error)
}
