package workflows_test

import (
	"strings"
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
		Customer: models.Contact{Name: "Acme", Email: "buyer@acme.example"},
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
			// The warehouse hears of a backorder when it is made, once.
			var warehouse []string
			for _, m := range f.roleMsgs {
				if m.Role == models.RoleWarehouseManager && m.Event == workflows.EventBackorderCreated {
					warehouse = append(warehouse, m.IdempotencyKey+": "+m.Data["lines"])
				}
			}
			if want := tc.short != nil; (len(warehouse) == 1) != want || (want && warehouse[0] != "Order:SO-1/backordered: line 2 CAB: 7 of 10 backordered") {
				t.Fatalf("warehouse told %q (a backorder: %v)", warehouse, want)
			}
			if last := f.orders[len(f.orders)-1]; last.Status != workflows.OrderCancelled || last.Rev != st.Rev {
				t.Fatalf("read model %s rev %d", last.Status, last.Rev)
			}
		})
	}
}

func TestOrderHearsItsBackorders(t *testing.T) {
	f := &fakes{reserve: func(in workflows.ReserveLineInput) models.Allocation {
		reserved := in.Qty
		if in.SKU == "CAB" {
			reserved = 3 // 7 of 10 backordered
		}
		return models.Allocation{OrderID: in.OrderID, LineNo: in.LineNo, SKU: in.SKU, Requested: in.Qty, Reserved: reserved}
	}}
	env := orderEnv(f)
	eta := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	states := map[string]workflows.OrderState{}
	at := func(d time.Duration, name string, u *workflows.BackorderUpdate) {
		env.RegisterDelayedCallback(func() {
			if u != nil {
				env.SignalWorkflow(workflows.SignalOrderBackorder, *u)
			}
		}, d)
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow(workflows.QueryStatus)
			var st workflows.OrderState
			if err != nil || v.Get(&st) != nil {
				t.Errorf("query: %v", err)
			}
			states[name] = st
		}, d+time.Minute)
	}
	at(time.Hour, "partly filled", &workflows.BackorderUpdate{LineNo: 2, Rev: 2, Filled: 4, Status: models.BackorderPartiallyFilled, ETA: eta})
	at(2*time.Hour, "stale", &workflows.BackorderUpdate{LineNo: 2, Rev: 1, Filled: 7, Status: models.BackorderAllocated})
	at(3*time.Hour, "repeated", &workflows.BackorderUpdate{LineNo: 2, Rev: 2, Filled: 4, Status: models.BackorderPartiallyFilled, ETA: eta})
	at(4*time.Hour, "filled", &workflows.BackorderUpdate{LineNo: 2, Rev: 3, Filled: 7, Status: models.BackorderAllocated})
	cancelOrder(env, 5*time.Hour, "done testing")
	env.ExecuteWorkflow(workflows.OrderWorkflowName, orderRequest())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	line := func(name string) workflows.OrderLine { return states[name].Lines[1] }
	if l := line("partly filled"); l.Reserved != 7 || l.Backordered() != 3 || l.ETA == nil || !l.ETA.Equal(eta) || states["partly filled"].Status != workflows.OrderBackordered {
		t.Fatalf("after 4 filled: %+v (%s)", l, states["partly filled"].Status)
	}
	for _, name := range []string{"stale", "repeated"} {
		if line(name).Reserved != 7 || states[name].Rev != states["partly filled"].Rev {
			t.Fatalf("%s update changed the order: %+v rev %d", name, line(name), states[name].Rev)
		}
	}
	if l := line("filled"); l.Reserved != 10 || l.Backordered() != 0 || l.ETA != nil || states["filled"].Status != workflows.OrderAllocated {
		t.Fatalf("after all filled: %+v (%s)", l, states["filled"].Status)
	}
	last := states["filled"].Timeline[len(states["filled"].Timeline)-1]
	if last.Stage != "backorder" || !strings.Contains(last.Detail, "3 more reserved from arriving stock, 0 still short") {
		t.Fatalf("timeline %+v", last)
	}
	if saved := f.orders[len(f.orders)-1]; saved.Status != workflows.OrderCancelled {
		t.Fatalf("read model %s", saved.Status)
	}
}
