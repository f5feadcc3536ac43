package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/frontline-org/frontline"
)

// Outage is why the database cannot do anything now, whatever was asked:
// the same request may work once the outage ends.
type Outage string

// The outages an error of the database is taken for.
const (
	OutageNone        Outage = ""
	OutageFull        Outage = "full"        // the disk (or a quota) is full
	OutageReadOnly    Outage = "read-only"   // the file, the disk or the server refuses writes
	OutageUnreachable Outage = "unreachable" // the server cannot be reached or is shutting down
	OutageBusy        Outage = "busy"        // locked or out of connections for longer than a request waits
	OutageIO          Outage = "i/o"         // the disk fails to read or write
)

// OutageOf tells an outage of the database apart from a refusal of one
// request, by the drivers' codes (SQLite result codes, PostgreSQL
// SQLSTATE classes) and the network's errors, never by message text.
func OutageOf(err error) Outage {
	if err == nil {
		return OutageNone
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_FULL:
			return OutageFull
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
			return OutageReadOnly
		case sqlite3.SQLITE_CANTOPEN:
			return OutageUnreachable
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_PROTOCOL:
			return OutageBusy
		case sqlite3.SQLITE_IOERR:
			return OutageIO
		}
		return OutageNone
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return OutageFull
		case pe.Code == "25006": // read_only_sql_transaction: a standby, or default_transaction_read_only
			return OutageReadOnly
		case strings.HasPrefix(pe.Code, "08"), pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			return OutageUnreachable // connection exceptions, shutdowns, "cannot connect now"
		case strings.HasPrefix(pe.Code, "53"): // out of memory, too many connections
			return OutageBusy
		case strings.HasPrefix(pe.Code, "58"): // system and I/O errors
			return OutageIO
		}
		return OutageNone
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return OutageFull
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES):
		return OutageReadOnly
	case errors.Is(err, context.DeadlineExceeded):
		return OutageBusy // no answer within the time a request waits
	case errors.As(err, new(*pgconn.ConnectError)), errors.As(err, new(*net.OpError)), errors.As(err, new(*net.DNSError)),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, driver.ErrBadConn):
		return OutageUnreachable
	}
	return OutageNone
}

// OutageError returns err as an EUNAVAILABLE error when it is an outage
// of the database, and nil otherwise. The services translate the errors
// they see; this is for the caller that meets one they passed on as it
// was (web's last look before it answers 500).
func OutageError(err error) error {
	if frontline.ErrorCode(err) == frontline.EUNAVAILABLE {
		return err
	}
	if o := OutageOf(err); o != OutageNone {
		return outageError(o, err)
	}
	return nil
}

// outageError is the EUNAVAILABLE answer to an outage: its message says
// what is wrong in words a person at a station can pass on, and that
// nothing of the request was kept.
func outageError(o Outage, err error) error {
	msg := map[Outage]string{
		OutageFull:        "the database's disk is full: nothing was saved; try again once space is freed",
		OutageReadOnly:    "the database refuses writes (read-only): nothing was saved; try again later",
		OutageUnreachable: "the database cannot be reached: nothing was saved; try again in a moment",
		OutageBusy:        "the database is too busy: nothing was saved; try again in a moment",
		OutageIO:          "the database's disk fails to read or write: nothing was saved; try again later",
	}[o]
	return &frontline.Error{Code: frontline.EUNAVAILABLE, Message: msg, Err: err}
}

// startWords say what an outage means when the server starts: nothing was
// asked yet, so they say what to fix.
var startWords = map[Outage]string{
	OutageFull:        "its disk is full; free some space and start again",
	OutageReadOnly:    "it refuses writes: the file, its directory or its disk is read-only, or the server is a read-only standby",
	OutageUnreachable: "it cannot be reached",
	OutageBusy:        "it is too busy or out of connections",
	OutageIO:          "its disk fails to read or write",
}

// StartError says why a database could not be opened or migrated: where
// (the file, or the server's address), what (a full disk, a read-only
// file, an unreachable host) and the driver's own words last. It is
// EUNAVAILABLE when the cause is an outage, EINTERNAL otherwise.
func StartError(rawURL, step string, err error) error {
	where, why := "", ""
	if path, ok := sqlitePath(rawURL); ok {
		where, why = "the database file "+path, sqliteCause(path, err)
	} else {
		where, why = "the PostgreSQL database at "+hostOf(rawURL), postgresCause(err)
	}
	code := frontline.EUNAVAILABLE
	if why == "" {
		if o := OutageOf(err); o != OutageNone {
			why = startWords[o]
		} else {
			code, why = frontline.EINTERNAL, "it answered with an error"
		}
	}
	return &frontline.Error{Code: code, Message: "cannot " + step + " " + where + ": " + why + " (" + innermost(err) + ")", Err: err}
}

// sqlitePath returns the file of an SQLite URL.
func sqlitePath(rawURL string) (string, bool) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return "", false
	}
	return strings.TrimPrefix(rawURL, "sqlite:"), true
}

// sqliteCause looks at the file and its directory once SQLite could not
// open or write them, since its own code for both is "cannot open".
func sqliteCause(path string, err error) string {
	dir := filepath.Dir(path)
	if info, serr := os.Stat(dir); serr != nil {
		return "the directory " + dir + " does not exist"
	} else if !info.IsDir() {
		return dir + " is not a directory"
	}
	if f, ferr := os.OpenFile(path, os.O_RDWR, 0); ferr == nil {
		f.Close()
	} else if !errors.Is(ferr, os.ErrNotExist) {
		return "the file cannot be written (" + innermost(ferr) + ")"
	}
	// SQLite writes its journal beside the file.
	if f, terr := os.CreateTemp(dir, ".frontline-probe-*"); terr != nil {
		return "the directory " + dir + " cannot be written (" + innermost(terr) + "); SQLite keeps its journal beside the file"
	} else {
		f.Close()
		os.Remove(f.Name())
	}
	if OutageOf(err) == OutageFull || errors.Is(err, syscall.ENOSPC) {
		return "the disk is full; free some space and start again"
	}
	return ""
}

// postgresCause names the usual reasons a PostgreSQL server is not there.
func postgresCause(err error) string {
	var dns *net.DNSError
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &dns):
		return "no such host"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens there: is PostgreSQL running, and on that port?"
	case errors.As(err, &pe) && pe.Code == "28P01", errors.As(err, &pe) && pe.Code == "28000":
		return "the server refused the user or the password"
	case errors.As(err, &pe) && pe.Code == "3D000":
		return "the database does not exist"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer in time: a firewall, or the wrong address?"
	}
	return ""
}

// hostOf returns host:port of a database URL, without its user and
// password.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "(the address in the URL)"
	}
	return u.Host
}

// innermost returns the first line of the words of the deepest error err
// wraps: the driver's or the system's own.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			line, _, _ := strings.Cut(err.Error(), "\n")
			return line
		}
		err = next
	}
}
