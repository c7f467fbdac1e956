package temporalclient

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/workflows"
)

// WakeAllocator tells a SKU's allocator workflow that its backorders have
// news, starting the workflow if it is not running (signal-with-start).
// Call it after the database change has committed; it is safe to repeat.
func WakeAllocator(ctx context.Context, c client.Client, taskQueue, sku string) error {
	_, err := c.SignalWithStartWorkflow(ctx, workflows.AllocatorWorkflowID(sku), workflows.SignalAllocatorWake, nil,
		client.StartWorkflowOptions{ID: workflows.AllocatorWorkflowID(sku), TaskQueue: taskQueue},
		workflows.AllocatorWorkflowName, workflows.AllocatorInput{SKU: sku})
	if err != nil {
		return fmt.Errorf("wake allocator for %s: %w", sku, err)
	}
	return nil
}
