// Package app wires q2c's parts from one validated config: the API and the
// worker with every dependency they need. The q2c command, the dev stack and
// the integration tests all build them here, so a new dependency is added in
// one place.
package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/reconcile"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/web"
	"github.com/q2c-dev/q2c/worker"
)

// API builds the HTTP API.
func API(cfg config.Config, st *store.Store, tc client.Client, log *slog.Logger, version string) (*api.Server, error) {
	tokens, err := auth.NewTokens(cfg.JWTSecret.Reveal(), cfg.JWTTTL, nil)
	if err != nil {
		return nil, err
	}
	var codec converter.PayloadCodec
	if cfg.PayloadKeys != "" {
		ring, err := cfg.PayloadRing()
		if err != nil {
			return nil, err
		}
		codec = keyring.Codec{Ring: ring}
	}
	return api.New(api.Deps{
		Store: st, Temporal: tc, TaskQueue: cfg.TaskQueue, Tokens: tokens, Logger: log, Version: version,
		MaxBodyBytes: cfg.MaxBodyBytes, MaxOverpayment: cfg.MaxOverpayment, AnswerWait: cfg.AnswerWait,
		IdempotencyLease: cfg.IdempotencyLease, MaxInFlight: cfg.MaxInFlight, TrustedProxies: cfg.TrustedProxyList(), ReportLocation: cfg.ReportLocation(),
		Webhooks:     api.Webhooks{SendGridPublicKey: cfg.SendGridWebhookKey, TwilioAuthToken: cfg.TwilioAuthToken.Reveal(), PublicURL: cfg.PublicURL},
		MetricsToken: cfg.MetricsToken.Reveal(),
		PayloadCodec: codec,
	}), nil
}

// Sender is the notification sender the config asks for (SendGrid, Twilio
// or the outbox); tests wrap it to inject provider behaviour.
func Sender(cfg config.Config, st *store.Store) notify.Sender { return worker.Sender(cfg, st, nil) }

// Worker builds the worker with every workflow and activity, sending
// messages through sender.
func Worker(cfg config.Config, st *store.Store, tc client.Client, sender notify.Sender) sdkworker.Worker {
	return worker.New(tc, cfg.TaskQueue, newActivities(cfg, st, tc, sender), cfg.WorkerStopTimeout)
}

func newActivities(cfg config.Config, st *store.Store, tc client.Client, sender notify.Sender) *activities.Activities {
	return &activities.Activities{
		Store: st, Sender: sender, UnsubscribeURL: worker.UnsubscribeLinks(cfg), PortalURL: cfg.PublicURL,
		Temporal: tc, TaskQueue: cfg.TaskQueue, Retention: cfg.IdempotencyRetention, NotificationRetention: cfg.NotificationRetention,
		CreditOverdueDays: cfg.CreditOverdueDays,
	}
}

// ReconcileMargin is how far before the restored database's newest change
// a reconciliation starts by default: room for the clocks of the app's
// hosts and Temporal's to disagree.
const ReconcileMargin = 5 * time.Minute

// Reconcile applies again what Temporal recorded since the backup the
// database was restored from (package reconcile); a zero since starts
// ReconcileMargin before the database's newest change. Run it before the
// workers start.
func Reconcile(ctx context.Context, cfg config.Config, st *store.Store, tc client.Client, since time.Time, log *slog.Logger) (reconcile.Report, error) {
	ring, err := cfg.PayloadRing()
	if err != nil {
		return reconcile.Report{}, err
	}
	if since.IsZero() {
		latest, err := st.LatestWrite(ctx)
		if err != nil {
			return reconcile.Report{}, fmt.Errorf("reconcile: the database's newest change: %w", err)
		}
		if !latest.IsZero() {
			since = latest.Add(-ReconcileMargin)
		}
	}
	r := activities.Reapplier{A: newActivities(cfg, st, tc, Sender(cfg, st))}
	return reconcile.Run(ctx, tc, keyring.DataConverter(ring), r, reconcile.Options{TaskQueue: cfg.TaskQueue, Since: since, Log: log})
}

// StartWorker brings the reporting side up to date (the rollup's time zone,
// facts of documents recorded before they existed), starts w and makes sure
// the task queue's schedules exist.
func StartWorker(ctx context.Context, cfg config.Config, st *store.Store, tc client.Client, w sdkworker.Worker) error {
	if _, err := st.EnsureReportZone(ctx); err != nil {
		return fmt.Errorf("report zone: %w", err)
	}
	if _, _, err := activities.BackfillReporting(ctx, st); err != nil {
		return fmt.Errorf("back-fill reporting facts: %w", err)
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	if err := worker.EnsureSchedules(ctx, tc, cfg.TaskQueue); err != nil {
		w.Stop()
		return err
	}
	return nil
}

// Web builds the web app over srv: its pages take their roles from the
// API routes they stand on and call the API in-process.
func Web(cfg config.Config, srv *api.Server, log *slog.Logger, version string) *web.Server {
	roles := map[string][]models.Role{}
	for _, r := range srv.Routes() {
		roles[r.Method+" "+r.Path] = r.Roles
	}
	key := sha256.Sum256([]byte("q2c web session key:" + cfg.JWTSecret.Reveal()))
	return web.New(web.Deps{
		API: srv.Handler(), RolesOf: func(route string) []models.Role { return roles[route] }, Logger: log,
		SessionKey: key[:], SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
		TemporalUI: cfg.TemporalUIURL, Outbox: cfg.EmailProvider == "outbox", Version: version,
	})
}

// Site is everything served on the HTTP address: the JSON API under /api/v1
// (with health, metrics and webhooks) and the web app everywhere else, both
// from the same process and origin.
func Site(cfg config.Config, srv *api.Server, log *slog.Logger, version string) http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/api/", "/webhooks/", "/healthz", "/readyz", "/metrics", "/unsubscribe"} {
		mux.Handle(prefix, srv.Handler())
	}
	mux.Handle("/", Web(cfg, srv, log, version).Handler())
	return api.SecurityHeaders(mux, cfg.HTTPS())
}
