// Package worker wires workflows and activities to a Temporal worker.
package worker

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/workflows"
)

// New returns a worker on taskQueue with every workflow and activity
// registered. Call Start or Run on it.
func New(c client.Client, taskQueue string, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	workflows.Register(w)
	w.RegisterActivity(acts)
	return w
}

// StartSweep starts the task queue's backorder sweep unless it runs already.
func StartSweep(ctx context.Context, c client.Client, taskQueue string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.BackorderSweepWorkflowID(taskQueue), TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, workflows.BackorderSweepName)
	if err != nil {
		return fmt.Errorf("start backorder sweep: %w", err)
	}
	return nil
}

// Sender builds the notification sender the config asks for: SendGrid and
// Twilio in production, the outbox recorder by default.
func Sender(cfg config.Config, rec notify.Recorder, transport http.RoundTripper) notify.Sender {
	var r notify.Router
	outbox := notify.Outbox{Recorder: rec}
	r.Email, r.SMS = outbox, outbox
	if cfg.EmailProvider == "sendgrid" {
		r.Email = notify.SendGrid{APIKey: cfg.SendGridAPIKey.Reveal(), BaseURL: cfg.SendGridBaseURL,
			From: cfg.EmailFrom, FromName: cfg.EmailFromName, Transport: transport}
	}
	if cfg.SMSProvider == "twilio" {
		r.SMS = notify.Twilio{AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken.Reveal(),
			BaseURL: cfg.TwilioBaseURL, From: cfg.SMSFrom, Transport: transport}
	}
	return r
}

// UnsubscribeLinks builds one-click unsubscribe links signed with the token
// secret, or returns nil (no marketing can be sent) when there is none.
func UnsubscribeLinks(cfg config.Config) func(customerID string) string {
	tokens, err := auth.NewTokens(cfg.JWTSecret.Reveal(), cfg.JWTTTL, nil)
	if err != nil {
		return nil
	}
	base := strings.TrimRight(cfg.PublicURL, "/")
	return func(customerID string) string {
		return base + "/unsubscribe?c=" + url.QueryEscape(customerID) + "&t=" + tokens.UnsubscribeToken(customerID)
	}
}
