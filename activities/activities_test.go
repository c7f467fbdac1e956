package activities_test

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/workflows"
)

type fakeSender struct{ err error }

func (f fakeSender) Send(context.Context, notify.Message) (notify.Receipt, error) {
	return notify.Receipt{Provider: "fake", MessageID: "m1"}, f.err
}

func TestSendNotificationRetriesOnlyTransientFailures(t *testing.T) {
	msg := workflows.Notification{Channel: models.ChannelSMS, To: "+14155550100", Text: "hi", IdempotencyKey: "k"}
	tests := []struct {
		name         string
		err          error
		wantErr      bool
		nonRetryable bool
	}{
		{"delivered", nil, false, false},
		{"provider down", errors.New("twilio is unavailable (HTTP 503)"), true, false},
		{"bad address", &notify.PermanentError{Provider: "twilio", Status: 400, Reason: "invalid To"}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(&activities.Activities{Sender: fakeSender{err: tc.err}})
			_, err := env.ExecuteActivity((&activities.Activities{}).SendNotification, msg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			var appErr *temporal.ApplicationError
			if tc.wantErr && errors.As(err, &appErr) && appErr.NonRetryable() != tc.nonRetryable {
				t.Fatalf("non-retryable = %v, want %v", appErr.NonRetryable(), tc.nonRetryable)
			}
			if tc.nonRetryable && !errors.As(err, &appErr) {
				t.Fatalf("permanent failure is not an ApplicationError: %v", err)
			}
		})
	}
}
