package sqldb

import (
	"context"
	"errors"
	"testing"

	"github.com/frontline-org/frontline"
)

// chunks is a file's Each that hands on n chunks of 3 rows, numbered from
// 1, reusing one slice as the reader does; it fails with fail after
// failAfter chunks when fail is set, and counts the chunks handed on.
func chunks(n int, failAfter int, fail error, handed *int) eachFunc {
	return func(fn func([]frontline.ResidentRow) error) error {
		buf := make([]frontline.ResidentRow, 3)
		for c := range n {
			if fail != nil && c == failAfter {
				return fail
			}
			for i := range buf {
				buf[i] = frontline.ResidentRow{Row: c*3 + i + 1}
			}
			*handed++
			if err := fn(buf); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestReadAhead hands the rows on in order, as copies; stops the reader at
// fn's first error and returns it; returns the reader's error after the
// chunks before it; and raises a panic of the reader on the caller's
// goroutine.
func TestReadAhead(t *testing.T) {
	ctx := context.Background()
	t.Run("InOrder", func(t *testing.T) {
		var handed int
		var got []int
		err := readAhead(ctx, chunks(50, 0, nil, &handed), 4)(func(rows []frontline.ResidentRow) error {
			for _, r := range rows {
				got = append(got, r.Row)
			}
			return nil
		})
		if err != nil || len(got) != 150 {
			t.Fatalf("%v, %d rows", err, len(got))
		}
		for i, r := range got {
			if r != i+1 {
				t.Fatalf("row %d at %d: the rows were overwritten or reordered", r, i)
			}
		}
	})
	t.Run("WriterFails", func(t *testing.T) {
		var handed, seen int
		boom := errors.New("the disk is full")
		err := readAhead(ctx, chunks(1000, 0, nil, &handed), 4)(func(rows []frontline.ResidentRow) error {
			if seen++; seen == 3 {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) || seen != 3 {
			t.Fatalf("%v after %d chunks", err, seen)
		}
		if handed > 3+4+2 {
			t.Fatalf("the reader went on: %d chunks read", handed)
		}
	})
	t.Run("ReaderFails", func(t *testing.T) {
		var handed, seen int
		bad := errors.New("line 7 cannot be read as CSV")
		err := readAhead(ctx, chunks(10, 5, bad, &handed), 4)(func(rows []frontline.ResidentRow) error {
			seen++
			return nil
		})
		if !errors.Is(err, bad) || seen != 5 {
			t.Fatalf("%v after %d chunks", err, seen)
		}
	})
	t.Run("ReaderPanics", func(t *testing.T) {
		defer func() {
			if r := recover(); r != "broken" {
				t.Fatalf("recovered %v", r)
			}
		}()
		readAhead(ctx, func(fn func([]frontline.ResidentRow) error) error { panic("broken") }, 4)(
			func([]frontline.ResidentRow) error { return nil })
		t.Fatal("no panic")
	})
}
