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
		RetryPolicy:         retryPolicy(),
	})
}

func retryPolicy() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:        200 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{ErrTypeInvalidInput},
	}
}

// localRetryLimit bounds a local activity's retries, which the SDK would
// otherwise bound by one attempt's timeout. A local activity runs inside the
// workflow task (no round trip through the server's queues: the quote's
// answer waits on two of them); past a minute of failures the SDK retries it
// on a durable timer, so an outage of days still ends with the work done,
// as with the regular activities.
const localRetryLimit = 10 * 365 * 24 * time.Hour

// withLocalActivityDefaults is withActivityDefaults for local activities:
// short database work the workflow waits on before it can answer.
func withLocalActivityDefaults(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: localRetryLimit,
		RetryPolicy:            retryPolicy(),
	})
}
