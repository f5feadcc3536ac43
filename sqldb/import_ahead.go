package sqldb

import (
	"context"
	"errors"

	"github.com/frontline-org/frontline"
)

// eachFunc hands a file's good rows on in chunks, as
// frontline.ResidentFile.Each does.
type eachFunc = func(fn func([]frontline.ResidentRow) error) error

// aheadChunks is how many chunks of rows (of about a thousand) the reader
// of a streamed file may be ahead of the import: while the writer inserts
// and commits a batch, the reader parses and checks the next rows on the
// other core. Every chunk held costs memory (360 bytes a row, and the
// row's text): a whole batch ahead (25 chunks) added 25 MiB to the peak
// of a 300,000-row import, so it goes eight ahead.
const aheadChunks = 8

// errReadStopped stops the reader once the import has failed.
var errReadStopped = errors.New("the import stopped reading the file")

// readAhead returns each run on a goroutine of its own, so that reading
// and checking the file (CSV or XLSX parsing, validation, the search for
// duplicates: one core) overlaps what fn does with the rows read before
// (the database's work, on the other core). fn still gets the chunks in
// the file's order, one at a time, on the caller's goroutine; each chunk
// is a copy it may keep until it returns. The first error of fn stops the
// reader and is returned; so is the reader's, once fn has had every chunk
// read before it. Nothing of the reader outlives the call: what the first
// pass of a streamed file leaves in the file (its problems, its bad rows)
// is there when it returns, and a panic in the reader is raised again on
// the caller's goroutine.
func readAhead(ctx context.Context, each eachFunc, depth int) eachFunc {
	return func(fn func([]frontline.ResidentRow) error) error {
		full := make(chan []frontline.ResidentRow, depth)
		free := make(chan []frontline.ResidentRow, depth+2)
		stop := make(chan struct{})
		var readErr error
		var panicked any
		go func() {
			defer close(full)
			defer func() { panicked = recover() }()
			readErr = each(func(rows []frontline.ResidentRow) error {
				// Checked first: below, with room in full as the caller
				// drains it, select would pick either case.
				select {
				case <-stop:
					return errReadStopped
				default:
				}
				var buf []frontline.ResidentRow
				select {
				case buf = <-free:
				default:
				}
				buf = append(buf[:0], rows...)
				select {
				case full <- buf:
					return nil
				case <-stop:
					return errReadStopped
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}()
		var err error
		for buf := range full {
			if err == nil {
				if err = fn(buf); err != nil {
					close(stop)
				}
			}
			clear(buf) // the rows' strings are garbage once handled
			select {
			case free <- buf:
			default:
			}
		}
		// full is closed: the reader has returned, and what it wrote
		// (readErr, panicked, the file's first-pass results) is visible.
		if panicked != nil {
			panic(panicked)
		}
		if err != nil {
			return err
		}
		return readErr
	}
}
