// Package worker wires workflows and activities to a Temporal worker.
package worker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/workflows"
)

// New returns a worker on taskQueue with every workflow and activity
// registered. On Stop it lets running activities finish for up to
// stopTimeout before cancelling them, so a deploy does not cut a shipment
// or a payment in half. Call Start or Run on it.
func New(c client.Client, taskQueue string, acts *activities.Activities, stopTimeout time.Duration) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{WorkerStopTimeout: stopTimeout})
	workflows.Register(w)
	w.RegisterActivity(acts)
	return w
}

// schedules are the task queue's recurring workflows. A Temporal Schedule
// lives in the cluster: it survives restarts of every worker and of the
// cluster, and runs whether or not a worker has just booted.
func schedules(taskQueue string) []client.ScheduleOptions {
	every := func(id, workflow string, d time.Duration) client.ScheduleOptions {
		return client.ScheduleOptions{
			ID:      id + ":" + taskQueue,
			Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: d}}},
			Action:  &client.ScheduleWorkflowAction{ID: id + ":" + taskQueue, Workflow: workflow, TaskQueue: taskQueue},
			Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		}
	}
	kpis := every(ScheduleKPISnapshots, workflows.KPISnapshotsName, workflows.KPISnapshotEvery)
	kpis.Action.(*client.ScheduleWorkflowAction).Args = []any{workflows.KPISnapshotRequest{}}
	kpis.TriggerImmediately = true // a new installation has today's figures at once
	return []client.ScheduleOptions{
		every(ScheduleBackorderSweep, workflows.BackorderSweepPassName, workflows.SweepEvery),
		every(SchedulePurgeExpired, workflows.PurgeExpiredName, workflows.PurgeEvery),
		every(ScheduleQuoteStarts, workflows.StartWaitingQuotesName, workflows.QuoteStartSweepEvery),
		kpis,
	}
}

// Schedule IDs, before ":<task queue>".
const (
	ScheduleBackorderSweep = "q2c-backorder-sweep"
	SchedulePurgeExpired   = "q2c-purge-expired"
	ScheduleKPISnapshots   = "q2c-kpi-snapshots"
	ScheduleQuoteStarts    = "q2c-quote-starts"
)

// EnsureSchedules creates the task queue's schedules unless they exist, and
// ends the long-running sweep that workers started before the sweep was a
// schedule. Every worker calls it at start; it is idempotent.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string) error {
	for _, o := range schedules(taskQueue) {
		if _, err := c.ScheduleClient().Create(ctx, o); err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return fmt.Errorf("schedule %s: %w", o.ID, err)
		}
	}
	err := c.TerminateWorkflow(ctx, workflows.BackorderSweepWorkflowID(taskQueue), "", "the backorder sweep runs as a schedule now")
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("end the old backorder sweep: %w", err)
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
