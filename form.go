package frontline

import (
	"context"
	"time"
)

// A form sent twice, by a double tap or by going back and sending it
// again, must not make two rounds, two passages or two ledger entries.
// Each form a page renders carries a token of its own; the server claims
// the token before it acts on the form and remembers where the answer
// led, so the second sending of the same token is led there too instead
// of acting again. The tokens are kept in the database: the second
// sending may reach another app server.

// FormState is what a form's token says about earlier sendings.
type FormState string

// The states of a claim.
const (
	// FormNew: the token was claimed now; act on the form.
	FormNew FormState = "new"
	// FormPending: another sending of it is being acted on (a double tap),
	// or was and its answer was lost.
	FormPending FormState = "pending"
	// FormDone: the form was acted on; Location is where its answer led.
	FormDone FormState = "done"
)

// FormClaim is the answer to a claim of a form's token.
type FormClaim struct {
	State     FormState
	Location  string
	ClaimedAt time.Time
}

// FormKeep is how long a sent form's token is remembered: a page left
// open over a night shift and sent again still finds it.
const FormKeep = 7 * 24 * time.Hour

// CheckFormToken checks the shape of a form token: 16 to 64 URL-safe
// characters, as the pages make them.
func CheckFormToken(token string) error {
	if len(token) < 16 || len(token) > 64 {
		return FieldError("form_token", "the form's token has 16 to 64 characters")
	}
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return FieldError("form_token", "the form's token has only letters, digits, '-' and '_'")
		}
	}
	return nil
}

// FormService remembers the forms that were sent. Errors: EINVALID (a
// malformed token).
type FormService interface {
	// ClaimForm claims token for one sending of its form, or says how an
	// earlier sending of it stands.
	ClaimForm(ctx context.Context, token string) (FormClaim, error)
	// CompleteForm records where the answer of a claimed form led.
	CompleteForm(ctx context.Context, token, location string) error
	// ReleaseForm forgets a claim whose form was refused (the page came
	// back with the input and an error), so it may be sent again.
	ReleaseForm(ctx context.Context, token string) error
}
