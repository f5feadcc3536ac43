// Command frontline runs a community's outbreak response: the household
// registry, screening, testing rounds, sealed zones, supplies and rosters.
// One binary serves the web pages and the JSON API and carries the
// administrative commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/frontline-org/frontline"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, m *Main, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "start the web server (pages and JSON API)", runServe},
		{"migrate", "apply database migrations, optionally check the counts", runMigrate},
		{"places", "set up the place tree: add, import the division list, list", runPlaces},
		{"import", "import a resident list (CSV or XLSX)", runImport},
		{"export", "export residents as CSV or XLSX", runExport},
		{"user", "manage users: add, list, passwd, disable, enable", runUser},
		{"demo", "build the demo city into the database", runDemo},
		{"backup", "copy the SQLite database while it serves, optionally encrypted", runBackup},
		{"restore", "check a backup and restore it to a new database file", runRestore},
		{"retention", "show the retention rules and what falls due when; set new ones", runRetention},
		{"purge", "remove the personal data whose retention has run out (certificate written)", runPurge},
		{"stand-down", "end the emergency for a place: close, export anonymised statistics, purge all personal data", runStandDown},
		{"bench", "measure the sampling hot path (bench sampling)", runBench},
		{"version", "print the version", runVersion},
	}
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // the command failed; nothing was changed by a failed import
	exitUsage   = 2 // bad flags or arguments
	exitPartial = 3 // import --skip-bad wrote the good rows and skipped some
)

// errPartial makes Run exit with exitPartial.
var errPartial = errors.New("some rows were skipped")

// Run runs the command line args and returns the exit status.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		m := &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr}
		defer m.Close()
		err := c.run(ctx, m, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errPartial):
			return exitPartial
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "frontline %s: %v\n", c.name, err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "frontline %s: %s\n", c.name, describe(err))
		return exitFailed
	}
	fmt.Fprintf(stderr, "frontline: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// describe returns the message to print for err: the domain message when
// there is one, the whole chain otherwise.
func describe(err error) string {
	if code := frontline.ErrorCode(err); code != frontline.EINTERNAL {
		if f := frontline.ErrorField(err); f != "" {
			return f + ": " + frontline.ErrorMessage(err)
		}
		return frontline.ErrorMessage(err)
	}
	return err.Error()
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func usage(w io.Writer) {
	fmt.Fprintln(w, "Frontline: a community's outbreak response — registry, screening, testing, zones, supplies, rosters.")
	fmt.Fprintln(w, "\nUsage: frontline <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'frontline <command> --help' for the flags of a command.")
	fmt.Fprintln(w, "Every flag can also be set as FRONTLINE_<FLAG> in the environment, e.g. FRONTLINE_DB=postgres://...")
}
