package workflows_test

import (
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/workflows"
)

func orderEnv(f *fakes) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger)
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.Order, workflow.RegisterOptions{Name: workflows.OrderWorkflowName})
	if f.reserve == nil { // everything in stock
		f.reserve = func(in workflows.ReserveLineInput) models.Allocation {
			return models.Allocation{OrderID: in.OrderID, LineNo: in.LineNo, SKU: in.SKU, Requested: in.Qty, Reserved: in.Qty}
		}
	}
	f.register(env)
	return env
}

func orderRequest() workflows.OrderRequest {
	return workflows.OrderRequest{OrderID: "SO-1", QuoteID: "Q-1", CustomerID: "acme", AcceptedBy: "user:buyer",
		Customer: workflows.Contact{Name: "Acme", Email: "buyer@acme.example"},
		Pricing: pricing.Result{Currency: "USD", Total: 5000, Lines: []pricing.PricedLine{
			{LineNo: 1, SKU: "WID", Qty: 4}, {LineNo: 2, SKU: "CAB", Qty: 10}}}}
}

func cancelOrder(env *testsuite.TestWorkflowEnvironment, at time.Duration, reason string) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateOrderCancel, "cancel"+at.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.rejected, o.done = err, true }, OnAccept: func() {},
			OnComplete: func(_ any, err error) { o.failed, o.done = err, true },
		}, workflows.CancelInput{Actor: rep, Reason: reason})
	}, at)
	return o
}

func TestOrderAllocatesBackordersAndCancelsWithCompensation(t *testing.T) {
	tests := []struct {
		name       string
		short      map[string]int64 // SKU → units missing
		wantStatus string           // after allocation
	}{
		{"everything in stock", nil, workflows.OrderAllocated},
		{"a line is short: backordered, not dropped", map[string]int64{"CAB": 7}, workflows.OrderBackordered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakes{reserve: func(in workflows.ReserveLineInput) models.Allocation {
				return models.Allocation{OrderID: in.OrderID, LineNo: in.LineNo, SKU: in.SKU, Requested: in.Qty, Reserved: in.Qty - tc.short[in.SKU]}
			}}
			env := orderEnv(f)
			var afterAllocation workflows.OrderState
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(workflows.QueryStatus)
				if err != nil || v.Get(&afterAllocation) != nil {
					t.Errorf("query: %v", err)
				}
			}, time.Minute)
			empty := cancelOrder(env, time.Hour, "")
			cancelled := cancelOrder(env, 2*time.Hour, "customer changed plans")
			env.ExecuteWorkflow(workflows.OrderWorkflowName, orderRequest())
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("order: %v", env.GetWorkflowError())
			}
			var st workflows.OrderState
			if err := env.GetWorkflowResult(&st); err != nil {
				t.Fatal(err)
			}
			if afterAllocation.Status != tc.wantStatus {
				t.Fatalf("after allocation %s, want %s (%+v)", afterAllocation.Status, tc.wantStatus, afterAllocation.Lines)
			}
			for _, l := range afterAllocation.Lines {
				if l.Backordered() != tc.short[l.SKU] {
					t.Fatalf("line %s backordered %d, want %d", l.SKU, l.Backordered(), tc.short[l.SKU])
				}
			}
			if empty.rejected == nil || cancelled.failed != nil || cancelled.rejected != nil {
				t.Fatalf("cancel without reason: %v; cancel: %v %v", empty.rejected, cancelled.rejected, cancelled.failed)
			}
			if st.Status != workflows.OrderCancelled || len(f.released) != 2 {
				t.Fatalf("status %s, released %d lines", st.Status, len(f.released))
			}
			for _, l := range st.Lines {
				if l.Cancelled != l.Qty || l.Reserved != 0 {
					t.Fatalf("line after cancel %+v", l)
				}
			}
			var confirmed, told bool
			for _, n := range f.notes {
				confirmed = confirmed || n.IdempotencyKey == "Order:SO-1/confirmed"
				told = told || (n.IdempotencyKey == "Order:SO-1/cancelled" && n.Data["reason"] == "customer changed plans")
			}
			if !confirmed || !told {
				t.Fatalf("customer not told: %+v", f.notes)
			}
			if last := f.orders[len(f.orders)-1]; last.Status != workflows.OrderCancelled || last.Rev != st.Rev {
				t.Fatalf("read model %s rev %d", last.Status, last.Rev)
			}
		})
	}
}
