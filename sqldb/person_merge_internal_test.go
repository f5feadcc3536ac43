package sqldb

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPersonRefs_Complete reads the migrations: every column that holds a
// person id (person_id, or REFERENCES persons) must be in personRefs, or a
// merge would leave rows pointing at the merged person.
func TestPersonRefs_Complete(t *testing.T) {
	files, err := filepath.Glob("migrations/sqlite/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	known := map[string]bool{}
	for _, r := range personRefs {
		known[r.table+"."+r.column] = true
	}
	table := regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?(\w+)`)
	column := regexp.MustCompile(`(?i)^\s*(\w+)\s+(?:INTEGER|BIGINT)\b.*`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		current := ""
		for _, line := range strings.Split(string(data), "\n") {
			if m := table.FindStringSubmatch(line); m != nil {
				current = strings.TrimSuffix(m[1], "_new") // a table rebuilt under a temporary name
				continue
			}
			m := column.FindStringSubmatch(line)
			if current == "" || m == nil || current == "persons" {
				continue
			}
			name := m[1]
			if name == "person_id" || strings.HasSuffix(name, "_person_id") || strings.Contains(line, "REFERENCES persons") {
				if !known[current+"."+name] {
					t.Errorf("%s: %s.%s holds a person id but is not in personRefs (sqldb/person_merge.go): a merge would leave it behind", filepath.Base(f), current, name)
				}
			}
		}
	}
}
