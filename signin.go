package frontline

import "time"

// LoginLimitKind names what a sign-in limit counts.
type LoginLimitKind string

// The three limits of a sign-in (see LoginPolicy). Their order is the
// order in which a sign-in takes their counters, the same everywhere, so
// two sign-ins never wait on each other's rows in a cycle.
const (
	LimitAccount LoginLimitKind = "account" // one account, every client
	LimitClient  LoginLimitKind = "client"  // one account from one client
	LimitAddress LoginLimitKind = "address" // one client, every account
)

// LoginLimit is one limit: at most Max attempts that did not succeed
// within Window; the failure of the last one locks for LockFor.
type LoginLimit struct {
	Max     int
	Window  time.Duration
	LockFor time.Duration
}

// LoginCount is the counter of one limit. Attempts counts the attempts of
// the window that did not succeed: the failed ones and those still being
// checked. Counting an attempt before its password is hashed is what
// makes the limit hold against attempts sent at once: the ones past the
// limit are refused before any is checked.
type LoginCount struct {
	WindowStart time.Time
	Attempts    int
	LockedUntil time.Time
}

// Take counts one more attempt at now. It returns the new counter and,
// when the attempt is refused, until when: while a lock holds, and while
// the attempts of the window already fill the limit (some still being
// checked; if they fail they lock it for LockFor from about now).
func (l LoginLimit) Take(c LoginCount, now time.Time) (LoginCount, time.Time) {
	if c.LockedUntil.After(now) {
		return c, c.LockedUntil
	}
	if c.WindowStart.IsZero() || !now.Before(c.WindowStart.Add(l.Window)) {
		c = LoginCount{WindowStart: now}
	}
	if c.Attempts >= l.Max {
		return c, now.Add(l.LockFor)
	}
	c.Attempts++
	return c, time.Time{}
}

// Locks reports whether the failure of the attempt counted as the
// attempts'th of its window locks the limit.
func (l LoginLimit) Locks(attempts int) bool { return attempts >= l.Max }

// Lock returns the counter locked from now: the count starts again when
// the lock ends.
func (l LoginLimit) Lock(now time.Time) LoginCount {
	return LoginCount{WindowStart: now, LockedUntil: now.Add(l.LockFor)}
}

// LockError is the reason of a sign-in refused by a lock; it says until
// when. errors.Is(err, ErrLocked) holds for it, so callers that only ask
// whether a lock refused need not know the type.
type LockError struct {
	Until time.Time
}

// Error implements error.
func (e *LockError) Error() string {
	return "locked after too many wrong passwords until " + e.Until.UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockError) Is(target error) bool { return target == ErrLocked }

// LockEndMinute rounds the end of a lock up to the minute, for a message:
// trying again at the minute shown works.
func LockEndMinute(until time.Time) time.Time {
	return until.Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
}
