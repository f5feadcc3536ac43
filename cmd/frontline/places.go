package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/frontline-org/frontline/sqldb"
)

// placesCommands are the subcommands of `frontline places`.
var placesCommands = []struct{ name, args, summary string }{
	{"add", "PATH [--code CODE] [--kind KIND]", "add every missing place along a path of names"},
	{"import", "FILE [--sheet S] [--dry-run]", "load the statistics bureau's division list (统计用区划代码)"},
	{"list", "[PATH] [--depth N] [--retired]", "print the tree with its counts"},
}

func placesUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: frontline places <subcommand> [flags]\n\nSets up the place tree: city, district, subdistrict, community, compound, building, unit,\nhousehold. A real office starts here, on an empty database. Subcommands:")
	for _, c := range placesCommands {
		fmt.Fprintf(w, "  %-7s %s\n          frontline places %s %s\n", c.name, c.summary, c.name, c.args)
	}
}

func runPlaces(ctx context.Context, m *Main, args []string) error {
	switch {
	case len(args) > 0 && slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]):
		placesUsage(m.Stderr)
		return flag.ErrHelp
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		placesUsage(m.Stderr)
		return usagef("say what to do first: add, import or list")
	}
	switch args[0] {
	case "add":
		return runPlacesAdd(ctx, m, args[1:])
	case "import":
		return runPlacesImport(ctx, m, args[1:])
	case "list":
		return runPlacesList(ctx, m, args[1:])
	}
	placesUsage(m.Stderr)
	return usagef("unknown subcommand %q", args[0])
}

func runPlacesAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("places add", placesCommands[0].args,
		"Adds every place of a path of names from the top that does not exist yet, each of the kind of its\n"+
			"level: 天水市/秦州区/大城街道/罗玉新村社区 makes a city, a district, a subdistrict and a community.\n"+
			"Adding a path that exists changes nothing.")
	code := fs.String("code", "", "the last place's statistics-bureau code, 12 digits (or 4, 6, 9 without the trailing zeros)")
	kind := fs.String("kind", "", "the last place's kind when the path skips a level (a household right under a building)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: frontline places add %s", placesCommands[0].args)
	}
	names := frontline.SplitPlacePath(pos[0])
	if len(names) == 0 {
		return usagef("give the path of names to add, from the city down: 天水市/秦州区/大城街道")
	}
	if *kind != "" && !frontline.PlaceKind(*kind).Valid() {
		return usagef("unknown kind %q; kinds: %s", *kind, kindList())
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	p, n, err := sqldb.NewPlaceService(m.DB).AddPath(cliContext(ctx), names, frontline.PlaceKind(*kind), *code)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: %d new, %s %s (id %d)%s\n", strings.Join(names, "/"), n, p.Kind, p.Name, p.ID, codeNote(p.Code))
	return nil
}

func kindList() string {
	names := make([]string, len(frontline.PlaceKinds))
	for i, k := range frontline.PlaceKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func codeNote(code string) string {
	if code == "" {
		return ""
	}
	return ", code " + code
}

func runPlacesImport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("places import", placesCommands[1].args,
		"Loads the statistics bureau's division list (统计用区划代码): CSV in UTF-8 or GBK, or XLSX, with the\n"+
			"columns 统计用区划代码 and 名称 (a title above the header is fine). Each code's level and parent come\n"+
			"from its digits. Missing cities, districts, subdistricts and communities are created, existing ones\n"+
			"get their code or their new name; province rows are passed over. Every bad row is reported as\n"+
			"'row N, column C: reason' and nothing is written unless the whole file is good.")
	sheet := fs.String("sheet", "", "XLSX sheet to read (default the first)")
	dryRun := fs.Bool("dry-run", false, "check everything, write nothing")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: frontline places import %s", placesCommands[1].args)
	}
	file := pos[0]
	in, err := os.Open(file)
	if err != nil {
		return frontline.Errorf(frontline.EINVALID, "cannot open %s: %v", file, errors.Unwrap(err))
	}
	f, err := residentfile.ReadDivisions(file, in, *sheet)
	in.Close()
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if f.HeaderRow > 0 {
		fmt.Fprintf(m.Stderr, "%s: %s\n", file, frontline.TableSource(f.Sheet, f.HeaderRow))
	}
	res, err := sqldb.NewPlaceService(m.DB).ImportDivisions(cliContext(ctx), f, *dryRun)
	if res != nil {
		printRowErrors(m.Stderr, file, res.Errors, 0, 0)
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if res.DryRun {
		verb = "would import (dry run)"
	}
	header := ""
	if f.HeaderRow > 1 {
		header = fmt.Sprintf(" (header on row %d)", f.HeaderRow)
	}
	fmt.Fprintf(m.Stdout, "%s%s: %s %d rows: %d new, %d renamed, %d given their code, %d unchanged, %d province rows passed over\n",
		file, header, verb, res.Rows, res.Created, res.Renamed, res.Coded, res.Unchanged, res.Provinces)
	return nil
}

func runPlacesList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("places list", placesCommands[2].args,
		"Prints the tree from PATH (default the top) down to --depth levels below it, each place with its\n"+
			"kind, code and counts: households, residents, vulnerable residents.")
	depth := fs.Int("depth", 4, "levels to show below PATH (0: PATH alone)")
	withRetired := fs.Bool("retired", false, "show retired places too")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 || *depth < 0 {
		return usagef("usage: frontline places list %s", placesCommands[2].args)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	ctx = cliContext(ctx)
	places := sqldb.NewPlaceService(m.DB)
	var tops []*frontline.Place
	if len(pos) == 1 {
		p, err := findPlace(ctx, m.DB, pos[0])
		if err != nil {
			return err
		}
		tops = []*frontline.Place{p}
	} else if tops, _, err = places.FindPlaces(ctx, frontline.PlaceFilter{Roots: true, IncludeRetired: *withRetired}); err != nil {
		return err
	}
	if len(tops) == 0 {
		fmt.Fprintln(m.Stdout, "no places yet: add them with frontline places add 天水市/秦州区/大城街道, or frontline places import LIST.csv")
		return nil
	}
	l := &treeLister{places: places, w: m.Stdout, retired: *withRetired}
	for _, p := range tops {
		if err := l.print(ctx, p, 0, *depth); err != nil {
			return err
		}
	}
	return nil
}

// treeLister prints a subtree, one place a line, indented by depth.
type treeLister struct {
	places  *sqldb.PlaceService
	w       io.Writer
	retired bool
}

func (l *treeLister) print(ctx context.Context, p *frontline.Place, level, depth int) error {
	note := ""
	if p.Code != "" {
		note = " " + p.Code
	}
	if p.Retired() {
		note += " retired " + p.RetiredAt.Format("2006-01-02")
	}
	fmt.Fprintf(l.w, "%s%s [%s%s] households %d, residents %d, vulnerable %d (id %d)\n",
		strings.Repeat("  ", level), p.Name, p.Kind, note, p.Households, p.Residents, p.Vulnerable, p.ID)
	if level >= depth || p.Kind == frontline.KindHousehold {
		return nil
	}
	kids, _, err := l.places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &p.ID, IncludeRetired: l.retired})
	if err != nil {
		return err
	}
	for _, k := range kids {
		if err := l.print(ctx, k, level+1, depth); err != nil {
			return err
		}
	}
	return nil
}

// findPlace resolves a place given on the command line as a path of names
// or an id. A path that does not exist says how to create it, since on a
// new database nothing does yet.
func findPlace(ctx context.Context, db *sqldb.DB, path string) (*frontline.Place, error) {
	p, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, path)
	if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return p, err
	}
	if _, numeric := strconv.ParseInt(strings.TrimSpace(path), 10, 64); numeric == nil {
		return nil, err
	}
	return nil, &frontline.Error{Code: frontline.ENOTFOUND, Err: err, Message: fmt.Sprintf(
		"%s; create the places first with: frontline places add %s (or load the statistics bureau's list with frontline places import FILE)",
		frontline.ErrorMessage(err), strings.Join(frontline.SplitPlacePath(path), "/"))}
}
