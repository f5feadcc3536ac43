package frontline

import (
	"time"
	_ "time/tzdata" // the zones travel in the binary: an office laptop may have no zone database
)

// DefaultTimeZone is the time zone of a deployment that names none.
// Every time Frontline shows or reads is in the deployment's zone, never
// in the phone's or the server's: a sampler's phone set to another zone
// must still show the sampling at the hour the residents were called for.
const DefaultTimeZone = "Asia/Shanghai"

// LoadTimeZone returns the zone of an IANA name such as "Asia/Shanghai".
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, Errorf(EINVALID, "name the time zone, e.g. %s: the server's own zone is not the deployment's", DefaultTimeZone)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, &Error{Code: EINVALID, Message: "unknown time zone " + name + " (an IANA name such as " + DefaultTimeZone + ")", Err: err}
	}
	return loc, nil
}

// DefaultLocation returns the zone of DefaultTimeZone.
func DefaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return ChinaTime // unreachable: the zone database is in the binary
	}
	return loc
}

// Stored returns t as the database keeps it: in UTC, to the microsecond,
// PostgreSQL's precision (SQLite is cut the same way, so both engines
// keep the same time). A time compared with one read back must be cut
// alike: a site closing exactly at its round's end otherwise closes a few
// nanoseconds after it, and is refused on one engine only.
func Stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
