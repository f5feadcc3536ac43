package frontline

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestGoMod_DirectDependencies keeps go.mod as `go mod tidy` leaves it:
// every module the code imports is a direct requirement, and every direct
// requirement is imported. It reads the files instead of running the go
// command, so it needs no network.
func TestGoMod_DirectDependencies(t *testing.T) {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	self, required := parseGoMod(string(data))
	imported := map[string]string{} // module → a file importing it
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == self || strings.HasPrefix(p, self+"/") {
				continue
			}
			if mod := moduleOf(p, required); mod != "" {
				imported[mod] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for mod := range required {
		mods = append(mods, mod)
	}
	sort.Strings(mods)
	for _, mod := range mods {
		indirect := required[mod]
		if file, ok := imported[mod]; ok && indirect {
			t.Errorf("go.mod marks %s indirect, but %s imports it: run go mod tidy", mod, file)
		} else if !ok && !indirect {
			t.Errorf("go.mod requires %s directly, but nothing imports it: run go mod tidy", mod)
		}
	}
}

// parseGoMod returns the module path and the required modules, each with
// whether it is marked indirect.
func parseGoMod(text string) (string, map[string]bool) {
	var self string
	required := map[string]bool{}
	inBlock := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "module "):
			self = strings.TrimSpace(strings.TrimPrefix(line, "module "))
		case line == "require (":
			inBlock = true
		case inBlock && line == ")":
			inBlock = false
		case inBlock || strings.HasPrefix(line, "require "):
			fields := strings.Fields(strings.TrimPrefix(line, "require "))
			if len(fields) >= 2 {
				required[fields[0]] = strings.Contains(line, "// indirect")
			}
		}
	}
	return self, required
}

// moduleOf returns the required module that provides import path p: the
// longest module path p starts with, or "" for the standard library.
func moduleOf(p string, required map[string]bool) string {
	best := ""
	for mod := range required {
		if (p == mod || strings.HasPrefix(p, mod+"/")) && len(mod) > len(best) {
			best = mod
		}
	}
	return best
}
