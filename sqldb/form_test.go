package sqldb_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestFormService claims a form's token three times on both engines: new,
// then pending while the first is acted on, then done with where it led;
// a released token is new again, and a malformed one is refused.
func TestFormService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewFormService(db)
		claim := func(token string, want frontline.FormState) frontline.FormClaim {
			t.Helper()
			c, err := s.ClaimForm(ctx, token)
			if err != nil || c.State != want {
				t.Fatalf("claim %s: %v %+v, want %s", token, err, c, want)
			}
			return c
		}
		const tok = "AAAAAAAAAAAAAAAAAAAAAA"
		claim(tok, frontline.FormNew)
		claim(tok, frontline.FormPending)
		if err := s.CompleteForm(ctx, tok, "/rounds/7"); err != nil {
			t.Fatal(err)
		}
		if c := claim(tok, frontline.FormDone); c.Location != "/rounds/7" {
			t.Fatalf("done at %q", c.Location)
		}
		// A done form is not released by a later refusal.
		if err := s.ReleaseForm(ctx, tok); err != nil {
			t.Fatal(err)
		}
		claim(tok, frontline.FormDone)

		const other = "BBBBBBBBBBBBBBBBBBBBBB"
		claim(other, frontline.FormNew)
		if err := s.ReleaseForm(ctx, other); err != nil {
			t.Fatal(err)
		}
		claim(other, frontline.FormNew)

		for _, bad := range []string{"short", "has spaces in it, many of them", "<script>alert(1)</script>"} {
			if _, err := s.ClaimForm(ctx, bad); frontline.ErrorCode(err) != frontline.EINVALID {
				t.Errorf("token %q: %v", bad, err)
			}
		}
	})
}
