package sqldb

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// inList returns "(?,?,?)" for n values.
func inList(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")" }

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// limitClause returns " LIMIT n OFFSET m" for paging; limit 0 means no limit.
func limitClause(offset, limit int) string {
	if limit <= 0 && offset <= 0 {
		return ""
	}
	if limit <= 0 {
		limit = 1 << 30
	}
	return " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(max(offset, 0))
}

// sortSiblings orders the children of one node by kind, then naturally by
// name ("2号楼" before "10号楼").
func sortSiblings(places []*frontline.Place) {
	slices.SortStableFunc(places, func(a, b *frontline.Place) int {
		if d := a.Kind.Rank() - b.Kind.Rank(); d != 0 {
			return d
		}
		return NaturalCompare(a.Name, b.Name)
	})
}

// NaturalCompare compares strings so that runs of digits compare by value.
func NaturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.ParseUint(strings.TrimLeft(da, "0")+"0", 10, 64)
			nb, _ := strconv.ParseUint(strings.TrimLeft(db, "0")+"0", 10, 64)
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return strings.Compare(a[:1], b[:1])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitPrefix(s string) string {
	i := 0
	for i < len(s) && i < 18 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// optionalTime is t for a nullable time column, NULL when t is zero. It
// passes the time itself, so the column is written as every time the
// driver writes, and compares with them.
func optionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
