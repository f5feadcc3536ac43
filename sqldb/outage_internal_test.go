package sqldb

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestOutageOf tells outages from refusals by the drivers' codes and the
// network's errors.
func TestOutageOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want Outage
	}{
		{&pgconn.PgError{Code: "53100"}, OutageFull},
		{&pgconn.PgError{Code: "25006"}, OutageReadOnly},
		{&pgconn.PgError{Code: "08006"}, OutageUnreachable},
		{&pgconn.PgError{Code: "57P01"}, OutageUnreachable},
		{&pgconn.PgError{Code: "53300"}, OutageBusy},
		{&pgconn.PgError{Code: "58030"}, OutageIO},
		{&pgconn.PgError{Code: "23505"}, OutageNone},
		{&pgconn.PgError{Code: "40P01"}, OutageNone},
		{fmt.Errorf("begin: %w", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), OutageUnreachable},
		{fmt.Errorf("write: %w", syscall.ENOSPC), OutageFull},
		{fmt.Errorf("open: %w", syscall.EROFS), OutageReadOnly},
		{errors.New("sql: no rows in result set"), OutageNone},
	} {
		if got := OutageOf(tt.err); got != tt.want {
			t.Errorf("OutageOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
