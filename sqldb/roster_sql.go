package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"
)

// Helpers the workforce's queries share.

// scanIn runs query, whose one IN list is written "IN (?)", for ids a
// chunk at a time (maxInList), and calls scan for every row.
func (tx *Tx) scanIn(ctx context.Context, query string, ids []int64, scan func(rows *sql.Rows) error) error {
	for chunk := range slices.Chunk(ids, maxInList) {
		rows, err := tx.QueryContext(ctx, strings.Replace(query, "IN (?)", "IN "+inList(len(chunk)), 1), int64Args(chunk)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// andUnder appends to where the condition that column (a node's
// materialized path) lies at or under the node id, which must be in the
// caller's scope; nothing when id is nil.
func (tx *Tx) andUnder(ctx context.Context, id *int64, column string, where []string, args []any) ([]string, []any, error) {
	if id == nil {
		return where, args, nil
	}
	top, err := tx.findPlaceByID(ctx, *id)
	if err != nil {
		return nil, nil, err
	}
	lo, hi := subtreeRange(top.Path)
	return append(where, column+" >= ? AND "+column+" < ?"), append(args, lo, hi), nil
}
