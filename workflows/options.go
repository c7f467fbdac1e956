package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// withActivityDefaults sets the timeouts and retry policy q2c's activities
// share: short attempts, retried with backoff capped at a minute for as long
// as it takes (a database outage of a day ends with every sale carrying on;
// giving up after a day used to fail the sale's workflow), and never retried
// when the error is a business one: invalid input, a conflict.
func withActivityDefaults(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        200 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{ErrTypeInvalidInput},
		},
	})
}
