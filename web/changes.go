package web

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// changeRow is an audit entry as a page shows it: every label and value
// already in the page's language.
type changeRow struct {
	ID       int64
	At       time.Time
	Actor    string
	Addr     string
	Action   string
	Entity   string
	EntityID int64
	// Link is the page of the entity, when it has one.
	Link   string
	Fields []fieldChange
}

// changeTable is audit rows with the language of the page, as the
// "changes" part shows them.
type changeTable struct {
	Lang string
	Rows []changeRow
}

// fieldChange is one field of an entry, before and after.
type fieldChange struct{ Label, Before, After string }

// changeRows turns audit entries into rows in lang.
func (s *Server) changeRows(lang string, cs []*frontline.Change) []changeRow {
	rows := make([]changeRow, len(cs))
	for i, c := range cs {
		rows[i] = changeRow{
			ID: c.ID, At: c.At, Actor: c.Actor, Addr: c.Addr, EntityID: c.EntityID,
			Action: s.label(lang, "action."+c.Action, c.Action),
			Entity: s.label(lang, "entity."+c.Entity, c.Entity),
		}
		switch c.Entity {
		case "person":
			rows[i].Link = fmt.Sprintf("/persons/%d", c.EntityID)
		case "place":
			rows[i].Link = fmt.Sprintf("/places/%d", c.EntityID)
		case "user":
			rows[i].Link = fmt.Sprintf("/users/%d", c.EntityID)
		}
		keys := slices.Sorted(maps.Keys(c.After))
		for k := range c.Before {
			if _, ok := c.After[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			fc := fieldChange{Label: s.label(lang, "field."+k, k),
				Before: s.fieldValue(lang, k, c.Before[k]), After: s.fieldValue(lang, k, c.After[k])}
			if fc.Before != "" || fc.After != "" {
				rows[i].Fields = append(rows[i].Fields, fc)
			}
		}
	}
	return rows
}

// label returns message id in lang, or fallback when the catalogue has no
// such message: an entry written by a newer version may name an action
// this one does not know, and the page still shows it.
func (s *Server) label(lang, id, fallback string) string {
	if t, err := s.text(lang, id); err == nil {
		return t
	}
	return fallback
}

// fieldValue shows one recorded value in lang: codes by their labels,
// times in the server's zone, and a birth date by its year only (next to
// the masked ID number in the same entry it would give back most of the
// number).
func (s *Server) fieldValue(lang, key string, v any) string {
	str := plainValue(v)
	if str == "" {
		return ""
	}
	switch key {
	case "birth_date":
		return maskDate(str)
	case "sex", "relation", "status", "role", "kind", "language":
		return s.label(lang, key+"."+str, str)
	case "id_type":
		return s.label(lang, "idtype."+str, str)
	case "disabled":
		return s.label(lang, "value."+str, str)
	case "flags", "fields":
		prefix := map[string]string{"flags": "flag.", "fields": "field."}[key]
		var out []string
		for _, f := range strings.Split(str, ",") {
			out = append(out, s.label(lang, prefix+f, f))
		}
		return strings.Join(out, s.label(lang, "list.sep", ","))
	case "locked_until", "revoked_at":
		if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
			return s.formatTime(lang, t)
		}
	}
	return str
}

// plainValue writes a value decoded from the log's JSON: whole numbers
// without an exponent, everything else as fmt writes it.
func plainValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// maskDate keeps the year of a date: "1970-03-12" → "1970-**-**".
func maskDate(d string) string {
	if len(d) == len(frontline.DateLayout) {
		return d[:4] + "-**-**"
	}
	return strings.Repeat("*", len(d))
}

// maskedChange returns a copy of c whose birth dates are masked, for the
// API and the CSV export. ID numbers and phones are masked by the store
// before they are recorded.
func maskedChange(c *frontline.Change) *frontline.Change {
	out := *c
	out.Before, out.After = maskedFields(c.Before), maskedFields(c.After)
	return &out
}

func maskedFields(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	if d, ok := out["birth_date"].(string); ok && d != "" {
		out["birth_date"] = maskDate(d)
	}
	return out
}
