package ceiling

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// pollEvery is how often a client looks whether the order has allocated:
// the pause internal/salesload's client takes between reads.
const pollEvery = 50 * time.Millisecond

// Sale drives one no-op sale as the real sale's client and API do: the
// quote's workflow started (the API starts it after answering), accept,
// wait for the order to allocate, ship, pay. It returns how long the start
// took.
func Sale(ctx context.Context, c client.Client, taskQueue, id string) (time.Duration, error) {
	quoteID, orderID := QuoteID(id), OrderID(id)
	start := time.Now()
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: quoteID, TaskQueue: taskQueue, WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, QuoteWorkflow, id); err != nil {
		return 0, fmt.Errorf("ceiling: start %s: %w", quoteID, err)
	}
	answered := time.Since(start)
	if err := update(ctx, c, quoteID, updateAccept); err != nil {
		return 0, err
	}
	for {
		v, err := c.QueryWorkflow(ctx, orderID, "", queryStatus)
		var status string
		if err == nil {
			err = v.Get(&status)
		}
		if err == nil && status == statusAllocated {
			break
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("ceiling: order %s did not allocate: %w", orderID, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
	if err := update(ctx, c, orderID, updateShip); err != nil {
		return 0, err
	}
	return answered, update(ctx, c, orderID, updatePay)
}

// Bare is one Update-with-Start of the bare workflow, answered at once.
func Bare(ctx context.Context, c client.Client, taskQueue, id string) error {
	return open(ctx, c, taskQueue, BareWorkflow+":"+id, BareWorkflow)
}

func open(ctx context.Context, c client.Client, taskQueue, workflowID, workflowName string) error {
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflowID, TaskQueue: taskQueue, WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflowName)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: updateOpen, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return fmt.Errorf("ceiling: open %s: %w", workflowID, err)
	}
	return h.Get(ctx, nil)
}

func update(ctx context.Context, c client.Client, workflowID, name string) error {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return fmt.Errorf("ceiling: %s %s: %w", name, workflowID, err)
	}
	return h.Get(ctx, nil)
}

// QuoteID and OrderID are the no-op sale's workflow IDs for id.
func QuoteID(id string) string { return QuoteWorkflow + ":" + id }
func OrderID(id string) string { return OrderWorkflow + ":" + id }

// Shape counts a workflow's history events by type, leaving out workflow
// tasks, whose number depends on timing (how many events one task sees).
func Shape(ctx context.Context, c client.Client, workflowID string) (map[string]int, error) {
	out := map[string]int{}
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		t := e.GetEventType().String()
		if strings.HasPrefix(t, "WorkflowTask") {
			continue
		}
		out[t]++
	}
	return out, nil
}

// Diff describes how two shapes differ, or is empty when they are equal.
func Diff(real, noop map[string]int) string {
	var out []string
	keys := slices.Sorted(maps.Keys(real))
	for k := range noop {
		if _, ok := real[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if real[k] != noop[k] {
			out = append(out, fmt.Sprintf("%s: sale %d, no-op %d", k, real[k], noop[k]))
		}
	}
	return strings.Join(out, "; ")
}
