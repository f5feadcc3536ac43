package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/frontline-org/frontline/sqldb"
	"golang.org/x/term"
)

func runExport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("export", "residents [--under PATH_OR_ID] --format csv|xlsx [--full] [--output FILE]",
		"Exports residents in the resident list format, which imports back. ID numbers and phones are masked\n"+
			"(6205**********123X, 138****5678) unless --full is given; a full export is recorded in the audit log.")
	under := fs.String("under", "", "export only the residents under this place (path of names or id); default all")
	format := fs.String("format", "csv", "csv or xlsx")
	full := fs.Bool("full", false, "write full ID numbers and phones (recorded in the audit log)")
	output := fs.String("output", "-", "file to write, - for standard output")
	movedOut := fs.Bool("include-moved-out", false, "also export persons who moved out")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "residents" {
		return usagef("usage: frontline export residents [--under PATH_OR_ID] --format csv|xlsx [--full]")
	}
	if *format != "csv" && *format != "xlsx" {
		return usagef("--format must be csv or xlsx")
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	ctx = cliContext(ctx)
	places := sqldb.NewPlaceService(m.DB)
	filter := frontline.PersonFilter{IncludeMoved: *movedOut}
	var scope *frontline.Place
	if *under != "" {
		if scope, err = places.FindPlaceByPath(ctx, *under); err != nil {
			return err
		}
	}
	var out io.Writer = m.Stdout
	if *output == "-" && *format == "xlsx" && isTerminal(m.Stdout) {
		// A workbook is bytes of a ZIP: on a terminal they garble the screen.
		return usagef("an XLSX workbook cannot be shown on a terminal: give --output FILE.xlsx, or redirect it (> FILE.xlsx)")
	}
	if *output != "-" {
		f, err := os.Create(*output)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	n, err := residentfile.Export(ctx, places, sqldb.NewPersonService(m.DB),
		residentfile.ExportOptions{Scope: scope, Filter: filter, Format: *format, Full: *full}, out)
	if err != nil {
		return err
	}
	if *full {
		if err := recordFullExport(ctx, m.DB, scope, n); err != nil {
			return err
		}
	}
	if *output != "-" {
		fmt.Fprintf(m.Stderr, "exported %d residents to %s\n", n, *output)
	}
	return nil
}

// recordFullExport writes the audit entry for an export of unmasked data.
func recordFullExport(ctx context.Context, db *sqldb.DB, scope *frontline.Place, n int) error {
	c := &frontline.Change{Action: "export_full", Entity: "place", After: map[string]any{"residents": n}}
	if scope != nil {
		c.EntityID = scope.ID
	}
	return sqldb.NewAuditService(db).Record(ctx, c)
}

// isTerminal reports whether w is a terminal (not a file, a pipe or
// /dev/null).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
