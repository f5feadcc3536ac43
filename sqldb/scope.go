package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Scope rules. A context that carries a principal (a signed-in user or a
// device token) may read and change only what lies under the principal's
// scope node, and only with the permission the call needs; a context
// without one is the system (the command line, background jobs) and is not
// limited. Every service applies the rules through these helpers so that
// each rule exists once.

// authorize returns EFORBIDDEN when ctx carries a principal whose role
// lacks perm. It is checked before anything is looked up, so a refusal
// says nothing about whether the thing asked for exists.
func authorize(ctx context.Context, perm frontline.Permission) error {
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.Can(perm) {
		return nil
	}
	return forbidden(p, perm)
}

func forbidden(p *frontline.Principal, perm frontline.Permission) error {
	return frontline.Errorf(frontline.EFORBIDDEN, "your role (%s) does not have the permission %s", p.Role, perm)
}

// visible reports whether a node with the given materialized path is
// inside the scope of ctx's principal; everything is visible to the
// system. A principal without a scope path sees nothing (fail closed).
func visible(ctx context.Context, path string) bool {
	p := frontline.PrincipalFrom(ctx)
	return p == nil || p.InScope(path)
}

// aboveScope reports whether path is a strict ancestor of the principal's
// scope node: a node the principal may walk through by name but not read.
func aboveScope(ctx context.Context, path string) bool {
	p := frontline.PrincipalFrom(ctx)
	return p != nil && p.ScopePath != "" && len(path) < len(p.ScopePath) && strings.HasPrefix(p.ScopePath, path)
}

// scopeCond returns a condition limiting column (a materialized path, such
// as places.path or audit_log.place_path) to the principal's subtree, the
// scope node included, with its arguments; "" for the system. It is a
// range on the path, so it uses the same index as a subtree query.
func scopeCond(ctx context.Context, column string) (string, []any) {
	p := frontline.PrincipalFrom(ctx)
	if p == nil {
		return "", nil
	}
	if p.ScopePath == "" {
		return "1 = 0", nil
	}
	lo, hi := subtreeRange(p.ScopePath)
	return column + " >= ? AND " + column + " < ?", []any{lo, hi}
}

// andScope appends the scope condition of ctx on column to where and args.
func andScope(ctx context.Context, column string, where []string, args []any) ([]string, []any) {
	if cond, a := scopeCond(ctx, column); cond != "" {
		return append(where, cond), append(args, a...)
	}
	return where, args
}

// readTx begins a read transaction once ctx's principal has perm; the
// permission is checked first, so a refusal says nothing about the data.
func (db *DB) readTx(ctx context.Context, perm frontline.Permission) (*Tx, error) {
	if err := authorize(ctx, perm); err != nil {
		return nil, err
	}
	return db.BeginReadTx(ctx)
}

// readTxIf begins a read transaction once allowed lets ctx's principal
// read: the rule of a workflow that holders of several rights read
// (medicineReader, orderReader, deliveryReader), checked first like
// readTx's.
func (db *DB) readTxIf(ctx context.Context, allowed func(context.Context) error) (*Tx, error) {
	if err := allowed(ctx); err != nil {
		return nil, err
	}
	return db.BeginReadTx(ctx)
}

// findByID is the whole of a Find…ByID: one read transaction begun once
// allowed lets ctx's principal read, and find, the transaction helper the
// workflow's steps also use, whose second result (the record's path, for
// the scope checks of a change) a plain look-up drops.
func findByID[T any](ctx context.Context, db *DB, allowed func(context.Context) error,
	find func(*Tx, context.Context, int64) (T, string, error), id int64) (T, error) {
	tx, err := db.readTxIf(ctx, allowed)
	if err != nil {
		var zero T
		return zero, err
	}
	defer tx.Rollback()
	v, _, err := find(tx, ctx, id)
	return v, err
}

// findPage is the whole of a Find…s that answers a page and the total:
// one read transaction begun once allowed lets ctx's principal read, the
// filter's conditions (where), the total of the rows of from (a table and
// its alias) that meet them within the caller's reach, and the page, read
// by page, which adds the reach itself.
func findPage[T any](ctx context.Context, db *DB, allowed func(context.Context) error, from string,
	reach func(context.Context) (string, []any), where func(*Tx) ([]string, []any, error),
	page func(tx *Tx, where []string, args []any) ([]T, error)) ([]T, int, error) {
	tx, err := db.readTxIf(ctx, allowed)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	w, args, err := where(tx)
	if err != nil {
		return nil, 0, err
	}
	// The count takes the reach on a copy: page adds it to w itself.
	cond, a := reach(ctx)
	cw, ca := andCond(slices.Clip(w), slices.Clip(args), cond, a)
	q := `SELECT COUNT(*) FROM ` + from
	if len(cw) > 0 {
		q += ` WHERE ` + strings.Join(cw, " AND ")
	}
	var total int
	if err := tx.QueryRowContext(ctx, q, ca...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := page(tx, w, args)
	return out, total, err
}

// writeTx begins a write transaction once ctx's principal has perm.
func (db *DB) writeTx(ctx context.Context, perm frontline.Permission) (*Tx, error) {
	if err := authorize(ctx, perm); err != nil {
		return nil, err
	}
	return db.BeginTx(ctx)
}

// andUnder appends a condition limiting column (a materialized path) to
// the subtree of the node under, when under is set; a node outside the
// caller's scope is ENOTFOUND.
func (tx *Tx) andUnder(ctx context.Context, under *int64, column string, where []string, args []any) ([]string, []any, error) {
	if under == nil {
		return where, args, nil
	}
	n, err := tx.findPlaceByID(ctx, *under)
	if err != nil {
		return nil, nil, err
	}
	lo, hi := subtreeRange(n.Path)
	return append(where, column+" >= ? AND "+column+" < ?"), append(args, lo, hi), nil
}
