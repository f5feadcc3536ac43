package frontline

import "time"

// HealthCode is the colour of a person's health code as shown at a
// checkpoint; empty when none was shown (an old person without a phone).
type HealthCode string

// Health code colours.
const (
	CodeGreen  HealthCode = "green"
	CodeYellow HealthCode = "yellow"
	CodeRed    HealthCode = "red"
)

// Checks are what staff checked at a checkpoint.
type Checks struct {
	// Temperature in °C; 0 when none was taken.
	Temperature float64    `json:"temperature,omitempty"`
	HealthCode  HealthCode `json:"health_code,omitempty"`
	// NegativeTestAt is when the sample of the latest negative result the
	// person showed was taken; zero when none was shown.
	NegativeTestAt time.Time `json:"negative_test_at,omitzero"`
}

// Validate checks the values staff entered; now bounds the test time.
func (c *Checks) Validate(now time.Time) error {
	if c.Temperature != 0 && (c.Temperature < 30 || c.Temperature > 45) {
		return FieldError("temperature", "%.1f °C is not a body temperature; enter it again", c.Temperature)
	}
	switch c.HealthCode {
	case "", CodeGreen, CodeYellow, CodeRed:
	default:
		return FieldError("health_code", "the health code is green, yellow or red, not %q", c.HealthCode)
	}
	if c.NegativeTestAt.After(now.Add(time.Minute)) {
		return FieldError("negative_test_at", "a test cannot be taken in the future")
	}
	return nil
}

// EntrySettings are the checks every checkpoint makes whatever the zones,
// set per deployment: the fever line, whether a temperature and a green
// code are required, and a negative test window (0 for none) that applies
// even between places in no zone.
type EntrySettings struct {
	FeverAt            float64 `json:"fever_at"`
	RequireTemperature bool    `json:"require_temperature"`
	RequireGreenCode   bool    `json:"require_green_code"`
	TestWithinHours    int     `json:"test_within_hours"`
	// Restrictions say what a person's measures and case do at a gate;
	// nil is DefaultRestrictionPolicy.
	Restrictions RestrictionPolicy `json:"-"`
}

// DefaultEntrySettings: 37.3 °C is the fever line Chinese clinics used;
// temperature and code were checked at every checkpoint; the negative test
// window comes from the zone rules.
var DefaultEntrySettings = EntrySettings{FeverAt: 37.3, RequireTemperature: true, RequireGreenCode: true}

// EntryRequest is one passage to decide: a person crossing from a place of
// one effective level into a place of another.
type EntryRequest struct {
	From, To ZoneLevel
	// LivesInside is true when the person lives on the To side: a
	// resident returning home, whom a zone admitting residents lets in.
	LivesInside bool
	// Emergency is a passage staff accept as an emergency (a hospital
	// trip): zones that admit emergencies let it through, without checks.
	Emergency bool
	Checks    Checks
	// At is when the person passes, in the checkpoint's time zone: its
	// wall-clock time is read against Hours.
	At time.Time
	// Hours are the checkpoint's opening hours ("" round the clock).
	Hours string
	// Restrictions are the person's restrictions now (nil for a visitor).
	Restrictions *Restrictions
}

// EntryResult is the decision on an EntryRequest and its grounds.
type EntryResult struct {
	Allowed bool      `json:"allowed"`
	From    ZoneLevel `json:"from"`
	To      ZoneLevel `json:"to"`
	// Reasons are the grounds of a refusal, every one of them, so staff
	// can say all that is missing at once; empty when allowed.
	Reasons []Reason `json:"reasons"`
	// The rules applied, recorded with the passage; 0 for no zone.
	FromRuleID int64 `json:"from_rule_id,omitempty"`
	ToRuleID   int64 `json:"to_rule_id,omitempty"`
	// TestWithinHours is the negative test window applied, 0 for none.
	TestWithinHours int `json:"test_within_hours,omitempty"`
	// Notes are what staff should know about a passage allowed, or about
	// one refused besides its reasons (health monitoring, an isolated
	// person going home).
	Notes []Reason `json:"notes,omitempty"`
	// Restriction is the measure, case or transfer that decided or noted
	// the passage; nil when the person has none.
	Restriction *Restriction `json:"restriction,omitempty"`
}

// EntryDecision decides a passage: the checkpoint must be open at that
// hour, the zone left must let the person out, the zone entered must let
// them in, and unless it is an emergency the checks must pass — a
// temperature below the fever line, a green code, and a negative test
// within the shortest window any side asks for. A level without a rule in
// rules refuses everyone: a missing rule fails closed. Outside its hours a
// post refuses emergencies too: they go through a round-the-clock post,
// which the refusal sends them to.
func EntryDecision(req EntryRequest, rules ZoneRuleSet, s EntrySettings) EntryResult {
	res := EntryResult{From: req.From, To: req.To, Reasons: []Reason{}}
	if req.Restrictions.Trip() != nil {
		// A hospital trip on now is an emergency the community arranged:
		// the gate lets it through as one (emergency treatment is never
		// blocked), with a note staff read.
		req.Emergency = true
		res.Notes = append(res.Notes, Reason{Code: ReasonHospitalTrip})
	}
	if !OpenDuring(req.Hours, req.At) {
		res.Reasons = append(res.Reasons, Reason{Code: ReasonOutsideHours, Hours: req.Hours})
	}
	hours := s.TestWithinHours
	for _, side := range []struct {
		level ZoneLevel
		enter bool
		id    *int64
	}{{req.From, false, &res.FromRuleID}, {req.To, true, &res.ToRuleID}} {
		if side.level == LevelNone {
			continue
		}
		rule := rules[side.level]
		if rule == nil {
			res.Reasons = append(res.Reasons, Reason{Code: ReasonNoRule, Level: side.level})
			continue
		}
		*side.id = rule.ID
		if r, ok := admitted(rule, side.enter, req); !ok {
			res.Reasons = append(res.Reasons, r)
		}
		hours = shortestWindow(hours, rule.Entry.TestWithinHours)
	}
	res.TestWithinHours = hours
	if !req.Emergency {
		res.Reasons = append(res.Reasons, failedChecks(req.Checks, req.At, hours, s)...)
	}
	restrict(&res, req, s.Restrictions)
	res.Allowed = len(res.Reasons) == 0
	return res
}

// restrict applies the person's restrictions: someone who may not leave
// home is refused anywhere but on the way home, unless staff accept an
// emergency (emergency treatment is never blocked); what is only noted
// (health monitoring, an isolated person going home) is noted. The
// restriction that decided is recorded either way.
func restrict(res *EntryResult, req EntryRequest, p RestrictionPolicy) {
	if p == nil {
		p = DefaultRestrictionPolicy()
	}
	d := req.Restrictions.Decide(ActLeave, p)
	if d.By == nil {
		return
	}
	by := *d.By
	res.Restriction = &by
	r := Reason{Code: ReasonRestrictionNote, Restriction: by.Kind}
	if d.Effect == EffectRefuse && !req.LivesInside && !req.Emergency {
		r.Code = ReasonRestricted
		res.Reasons = append(res.Reasons, r)
		return
	}
	res.Notes = append(res.Notes, r)
}

// admitted applies one side's admission to the request.
func admitted(rule *ZoneRule, enter bool, req EntryRequest) (Reason, bool) {
	adm, code := rule.Entry.Leave, ReasonLeave
	if enter {
		adm, code = rule.Entry.Enter, ReasonEnter
	}
	ok := false
	switch adm {
	case AdmitAll:
		ok = true
	case AdmitResidents:
		ok = req.Emergency || (enter && req.LivesInside)
	case AdmitEmergency:
		ok = req.Emergency
	}
	return Reason{Code: code, Level: rule.Level}, ok
}

// shortestWindow returns the stricter of two test windows, 0 meaning none.
func shortestWindow(a, b int) int {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// failedChecks lists the checks that fail.
func failedChecks(c Checks, at time.Time, hours int, s EntrySettings) []Reason {
	var out []Reason
	switch {
	case c.Temperature == 0 && s.RequireTemperature:
		out = append(out, Reason{Code: ReasonNoTemperature})
	case c.Temperature != 0 && s.FeverAt > 0 && c.Temperature >= s.FeverAt:
		out = append(out, Reason{Code: ReasonFever, Have: c.Temperature, Need: s.FeverAt})
	}
	if c.HealthCode == CodeRed || c.HealthCode == CodeYellow || (s.RequireGreenCode && c.HealthCode != CodeGreen) {
		out = append(out, Reason{Code: ReasonHealthCode})
	}
	if hours > 0 {
		age := at.Sub(c.NegativeTestAt)
		switch {
		case c.NegativeTestAt.IsZero():
			out = append(out, Reason{Code: ReasonNoTest, Need: float64(hours)})
		case age > time.Duration(hours)*time.Hour:
			out = append(out, Reason{Code: ReasonTestTooOld, Have: float64(int(age.Hours())), Need: float64(hours)})
		}
	}
	return out
}
