package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// The backorder sweep: a safety net for lost wake-ups. A change that gives
// a SKU's backorders news (a supply date moved through the API, say) wakes
// the SKU's allocator after it commits; if that wake-up is lost, the sweep
// finds the SKU (untold news, unsent pick lists, an unescalated overdue
// backorder) and wakes it, so nothing stays untold longer than SweepEvery.
const (
	BackorderSweepName           = "BackorderSweep"
	ActivitySKUsNeedingAttention = "SKUsNeedingAttention"
	ActivityWakeAllocator        = "WakeAllocator"
	SweepEvery                   = 5 * time.Minute
	sweepsPerRun                 = 100
)

// BackorderSweepPassName is one pass of the sweep; a Temporal Schedule runs
// it every SweepEvery. A schedule lives in the cluster, so it survives a
// restart of every worker and of the cluster, and no worker has to be
// booted for it to run again.
const BackorderSweepPassName = "BackorderSweepPass"

// BackorderSweepPass wakes the allocators of SKUs that need attention, once.
func BackorderSweepPass(ctx workflow.Context) error {
	return sweepOnce(withActivityDefaults(ctx))
}

func sweepOnce(ctx workflow.Context) error {
	var skus []string
	if err := workflow.ExecuteActivity(ctx, ActivitySKUsNeedingAttention, workflow.Now(ctx)).Get(ctx, &skus); err != nil {
		return err
	}
	for _, sku := range skus {
		if err := workflow.ExecuteActivity(ctx, ActivityWakeAllocator, sku).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// PurgeExpiredName removes what q2c keeps only for a while: idempotent
// answers and polled operations past their retention (they can hold
// personal data). A Temporal Schedule runs it every PurgeEvery.
const (
	PurgeExpiredName     = "PurgeExpired"
	ActivityPurgeExpired = "PurgeExpired"
	PurgeEvery           = time.Hour
)

// PurgeExpired runs the purge once; the activity knows the retention.
func PurgeExpired(ctx workflow.Context) error {
	return workflow.ExecuteActivity(withActivityDefaults(ctx), ActivityPurgeExpired).Get(ctx, nil)
}

// BackorderSweepWorkflowID is the long-running sweep that workers started
// before the sweep became a schedule; workers stop it at start.
func BackorderSweepWorkflowID(taskQueue string) string { return "BackorderSweep:" + taskQueue }

// BackorderSweep wakes the allocators of SKUs that need attention, every
// SweepEvery, continuing as new after sweepsPerRun sweeps. Replaced by the
// scheduled BackorderSweepPass; kept registered for sweeps still running.
func BackorderSweep(ctx workflow.Context) error {
	ctx = withActivityDefaults(ctx)
	for range sweepsPerRun {
		if err := sweepOnce(ctx); err != nil {
			return err
		}
		if err := workflow.Sleep(ctx, SweepEvery); err != nil {
			return err
		}
	}
	return workflow.NewContinueAsNewError(ctx, BackorderSweepName)
}

// StartWaitingQuotesName starts the workflows of quotes the API opened
// (package quotes) whose start was lost, by a crash between the answer and
// the start or by a Temporal outage. A Temporal Schedule runs it every
// QuoteStartSweepEvery.
const (
	StartWaitingQuotesName     = "StartWaitingQuotes"
	ActivityStartWaitingQuotes = "StartWaitingQuotes"
	QuoteStartSweepEvery       = time.Minute
)

// StartWaitingQuotes runs the quote start sweep once.
func StartWaitingQuotes(ctx workflow.Context) error {
	return workflow.ExecuteActivity(withActivityDefaults(ctx), ActivityStartWaitingQuotes, workflow.Now(ctx)).Get(ctx, nil)
}
