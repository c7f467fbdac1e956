package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// withActivityDefaults sets the timeouts and retry policy q2c's activities
// share: short attempts, retried with backoff for up to a day, and never
// retried when the error says the input is invalid.
func withActivityDefaults(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        200 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{ErrTypeInvalidInput},
		},
	})
}

// Notification is a message for the SendNotification activity (activities
// turns it into a notify.Message; workflows import no I/O packages).
type Notification struct {
	Channel        string `json:"channel"`
	To             string `json:"to"`
	ToName         string `json:"to_name,omitempty"`
	Subject        string `json:"subject,omitempty"`
	Text           string `json:"text"`
	HTML           string `json:"html,omitempty"`
	IdempotencyKey string `json:"idempotency_key"`
}
