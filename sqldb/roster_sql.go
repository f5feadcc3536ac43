package sqldb

import "context"

// Helpers the workforce's queries share.

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
