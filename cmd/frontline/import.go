package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/frontline-org/frontline/sqldb"
)

func runImport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("import", "residents FILE [--under PATH_OR_ID] [--dry-run] [--skip-bad] [--sync]",
		"Imports a resident list (居民花名册): CSV in UTF-8 or GBK, or XLSX. Every bad row is reported as\n"+
			"'row N, column C: reason' and nothing is written unless the whole file is good, or --skip-bad is given.\n"+
			"Exit status: 0 all imported, 1 nothing imported, 2 bad usage, 3 imported with rows skipped.")
	under := fs.String("under", "", "the place the file is imported under: a path of names (天水市/秦州区/大城街道) or an id")
	dryRun := fs.Bool("dry-run", false, "check everything, write nothing; list what would be added, updated, moved and moved out")
	sync := fs.Bool("sync", false, "the file is the whole list of --under: move out the registered persons it no longer names")
	skipBad := fs.Bool("skip-bad", false, "import the good rows and write the bad ones to --skipped-file")
	skippedFile := fs.String("skipped-file", "", "where --skip-bad writes the skipped rows (default: the file's name with .skipped.csv for its extension, 名单.xlsx → 名单.skipped.csv)")
	sheet := fs.String("sheet", "", "XLSX sheet to read (default the first whose top rows name the columns)")
	// Flags may follow the positional arguments, as people type them.
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "residents" {
		return usagef("usage: frontline import residents FILE [--under PATH_OR_ID] [--dry-run] [--skip-bad] [--sync]")
	}
	file := pos[1]
	if err := m.open(ctx); err != nil {
		return err
	}
	ctx = cliContext(ctx)
	node, err := importNode(ctx, m.DB, *under)
	if err != nil {
		return err
	}
	f, err := readResidentFile(file, node.Kind, *sheet)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%s: %s\n", file, f.Source())
	res, err := sqldb.NewImportService(m.DB).ImportResidents(ctx, f, frontline.ImportOptions{Under: node.ID, DryRun: *dryRun, SkipBad: *skipBad, Sync: *sync})
	if res != nil {
		printRowErrors(m.Stderr, file, res.Errors, res.MoreErrors, res.Skipped)
		for _, u := range f.Unknown {
			fmt.Fprintf(m.Stderr, "%s: column %q is not a resident list column and was ignored\n", file, u)
		}
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if res.DryRun {
		verb = "would import (dry run)"
	}
	printChanges(m.Stdout, file, res.Changes)
	fmt.Fprintf(m.Stdout, "%s: %s %d of %d rows under %s, %d new places, %d skipped: %d added, %d updated, %d moved, %d unchanged, %d moved out\n",
		file, verb, res.Imported, res.Rows, node.Name, res.PlacesCreated, res.Skipped, res.Added, res.Updated, res.Moved, res.Unchanged, res.MovedOut)
	if res.Skipped == 0 {
		return nil
	}
	if *skippedFile == "" {
		*skippedFile = strings.TrimSuffix(file, filepath.Ext(file)) + ".skipped.csv"
	}
	if !res.DryRun {
		if err := writeSkipped(*skippedFile, file, *sheet, f, res); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "skipped rows written to %s with the reason in the last column\n", *skippedFile)
	}
	return errPartial
}

// importNode resolves --under; without it, the only district in the
// database is used, since a file has no city or district column.
func importNode(ctx context.Context, db *sqldb.DB, under string) (*frontline.Place, error) {
	places := sqldb.NewPlaceService(db)
	if under != "" {
		return findPlace(ctx, db, under)
	}
	kind := frontline.KindDistrict
	districts, n, err := places.FindPlaces(ctx, frontline.PlaceFilter{Kind: &kind, Limit: 2})
	if err != nil {
		return nil, err
	}
	switch {
	case n == 0:
		return nil, usagef("there is no district yet: create the places first with frontline places add 天水市/秦州区 (or frontline places import the statistics bureau's list), then say where the file goes with --under")
	case n > 1:
		return nil, usagef("say where the file goes with --under (a district, subdistrict, community or compound, e.g. 天水市/秦州区/大城街道)")
	}
	return districts[0], nil
}

func readResidentFile(name string, under frontline.PlaceKind, sheet string) (*frontline.ResidentFile, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, frontline.Errorf(frontline.EINVALID, "cannot open %s: %v", name, errors.Unwrap(err))
	}
	// Streamed: the import reads the rows twice (check, then write) rather
	// than holding them all.
	return residentfile.Open(name, data, residentfile.ReadOptions{Under: under, Sheet: sheet})
}

// writeSkipped writes the skipped rows with their reasons.
func writeSkipped(name, file, sheet string, f *frontline.ResidentFile, res *frontline.ImportResult) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := residentfile.WriteSkipped(out, data, sheet, f, res.Errors, res.SkippedRows); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// maxShownErrors bounds the problems printed: a file typed wrong in one
// column has a problem on every row, and ten thousand lines scroll the
// first ones, the ones that explain, out of sight.
const maxShownErrors = 100

// printRowErrors prints the first maxShownErrors problems, one a line,
// then how many more there are on how many more rows. unlisted counts the
// problems past those errs lists, and badRows the bad rows when known
// (0: the rows of errs).
func printRowErrors(w io.Writer, file string, errs []frontline.RowError, unlisted, badRows int) {
	for _, e := range errs[:min(len(errs), maxShownErrors)] {
		fmt.Fprintf(w, "%s: %s\n", file, e.Error())
	}
	if len(errs) <= maxShownErrors && unlisted == 0 {
		return
	}
	shown := map[int]bool{}
	for _, e := range errs[:min(len(errs), maxShownErrors)] {
		shown[e.Row] = true
	}
	more := map[int]bool{}
	for _, e := range errs[min(len(errs), maxShownErrors):] {
		if !shown[e.Row] {
			more[e.Row] = true
		}
	}
	rows := len(more)
	if badRows > 0 {
		rows = max(0, badRows-len(shown))
	}
	fmt.Fprintf(w, "%s: … and %d more problems on %d more rows, not shown (--skip-bad writes every bad row with its reason to a file)\n",
		file, len(errs)-min(len(errs), maxShownErrors)+unlisted, rows)
}

// printChanges lists what an import did or would do to each person, at
// most maxShownErrors lines, then how many more.
func printChanges(w io.Writer, file string, changes []frontline.ImportChange) {
	for _, c := range changes[:min(len(changes), maxShownErrors)] {
		where := ""
		if c.Row > 0 {
			where = fmt.Sprintf("row %d: ", c.Row)
		}
		line := fmt.Sprintf("%s: %s%s %s", file, where, c.Outcome, c.Name)
		if len(c.Fields) > 0 {
			line += " (" + strings.Join(c.Fields, ", ") + ")"
		}
		switch {
		case c.From != "" && c.To != "":
			line += ": " + c.From + " → " + c.To
		case c.From != "":
			line += ": " + c.From
		case c.To != "":
			line += ": " + c.To
		}
		fmt.Fprintln(w, line)
	}
	if n := len(changes) - maxShownErrors; n > 0 {
		fmt.Fprintf(w, "%s: … and %d more, not shown\n", file, n)
	}
}
