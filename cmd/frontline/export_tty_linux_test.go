package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/frontline-org/frontline/sqldb"
)

// openPTY opens a pseudo-terminal and returns its terminal side: a real
// terminal, as a person's shell gives the command.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// TestExport_XLSXToTerminal refuses to pour a workbook's bytes onto a
// terminal, and still writes it to a pipe or file.
func TestExport_XLSXToTerminal(t *testing.T) {
	url, _ := cityDB(t, sqldb.SQLite)
	tty := openPTY(t)
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"export", "residents", "--format", "xlsx", "--db", url}, strings.NewReader(""), tty, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "cannot be shown on a terminal") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var stdout bytes.Buffer
	if code := Run(context.Background(), []string{"export", "residents", "--format", "xlsx", "--db", url}, strings.NewReader(""), &stdout, &stderr); code != 0 || !bytes.HasPrefix(stdout.Bytes(), []byte("PK")) {
		t.Fatalf("to a pipe: exit %d, %d bytes: %s", code, stdout.Len(), stderr.String())
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if code := Run(context.Background(), []string{"export", "residents", "--format", "xlsx", "--db", url}, strings.NewReader(""), null, &stderr); code != 0 {
		t.Fatalf("to /dev/null: exit %d: %s", code, stderr.String())
	}
}
