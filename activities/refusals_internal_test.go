package activities

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// TestRefusalsAreBenign: a refusal the rules make (bad input, a conflict)
// is not retried, keeps what the API needs to answer, and is benign, so the
// worker does not log a person's mistake as an error.
func TestRefusalsAreBenign(t *testing.T) {
	for _, tc := range []struct {
		name, errType string
		err           error
	}{
		{"invalid input", workflows.ErrTypeInvalidInput, models.Invalid("amount", "is more than the invoice's balance")},
		{"conflict", "Conflict", models.Conflict("invoice INV-1 is cancelled")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var appErr *temporal.ApplicationError
			if !errors.As(businessError(tc.err), &appErr) {
				t.Fatalf("not an application error: %v", businessError(tc.err))
			}
			if appErr.Type() != tc.errType || !appErr.NonRetryable() || appErr.Category() != temporal.ApplicationErrorCategoryBenign {
				t.Fatalf("type %s, non-retryable %v, category %v", appErr.Type(), appErr.NonRetryable(), appErr.Category())
			}
			var fields []models.FieldError
			if tc.errType == workflows.ErrTypeInvalidInput && (appErr.Details(&fields) != nil || len(fields) != 1 || fields[0].Field != "amount") {
				t.Fatalf("field errors lost: %+v", fields)
			}
		})
	}
}
