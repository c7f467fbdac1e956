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

// BackorderSweepWorkflowID is the one sweep of a task queue.
func BackorderSweepWorkflowID(taskQueue string) string { return "BackorderSweep:" + taskQueue }

// BackorderSweep wakes the allocators of SKUs that need attention, every
// SweepEvery, continuing as new after sweepsPerRun sweeps.
func BackorderSweep(ctx workflow.Context) error {
	ctx = withActivityDefaults(ctx)
	for range sweepsPerRun {
		var skus []string
		if err := workflow.ExecuteActivity(ctx, ActivitySKUsNeedingAttention, workflow.Now(ctx)).Get(ctx, &skus); err != nil {
			return err
		}
		for _, sku := range skus {
			if err := workflow.ExecuteActivity(ctx, ActivityWakeAllocator, sku).Get(ctx, nil); err != nil {
				return err
			}
		}
		if err := workflow.Sleep(ctx, SweepEvery); err != nil {
			return err
		}
	}
	return workflow.NewContinueAsNewError(ctx, BackorderSweepName)
}
