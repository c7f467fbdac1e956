package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// allocatorFakes stands in for the allocator's activities: news is served
// from a queue, and what the workflow sends and marks is recorded.
type allocatorFakes struct {
	fakes                            // messages sent: notes and roleMsgs
	news      []models.BackorderNews // served in order; then empty news
	receipts  []workflows.ReceiveStockInput
	announced []models.Announced
	escalated []time.Time
	late      []models.Backorder
	next      *time.Time // the next escalation every news answer carries, as the store's does
}

func (f *allocatorFakes) register(env *testsuite.TestWorkflowEnvironment) {
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in workflows.ReceiveStockInput) (models.ReceiptResult, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.receipts = append(f.receipts, in)
		run := &models.AllocationRun{ID: "RUN-1", SKU: in.SKU, Trigger: "receipt " + in.Key, Picks: []models.Pick{
			{Rank: 1, BackorderID: "SO-1-L1", OrderID: "SO-1", LineNo: 1, Customer: "Acme", Tier: 1, Warehouse: in.Warehouse, Qty: in.Qty}}}
		f.news = append(f.news, models.BackorderNews{Runs: []models.AllocationRun{*run}, Backorders: []models.BackorderNotice{{
			Backorder: models.Backorder{ID: "SO-1-L1", OrderID: "SO-1", LineNo: 1, SKU: in.SKU, QtyShort: in.Qty, QtyFilled: in.Qty,
				Status: models.BackorderAllocated, Rev: 3}, Customer: models.Contact{Email: "buyer@acme.example"}}}})
		return models.ReceiptResult{Key: in.Key, SKU: in.SKU, Qty: in.Qty, Run: run}, nil
	}, workflows.ActivityReceiveStock)
	reg(func(_ context.Context, sku string) (models.BackorderNews, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var n models.BackorderNews
		if len(f.news) > 0 {
			n, f.news = f.news[0], f.news[1:]
		}
		if len(f.escalated) == 0 {
			n.NextEscalation = f.next
		}
		return n, nil
	}, workflows.ActivityBackorderNews)
	reg(func(_ context.Context, a models.Announced) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.announced = append(f.announced, a)
		return nil
	}, workflows.ActivityMarkAnnounced)
	reg(func(_ context.Context, in workflows.EscalateInput) ([]models.Backorder, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.escalated = append(f.escalated, in.At)
		late := f.late
		f.late = nil
		return late, nil
	}, workflows.ActivityEscalateOverdue)
	reg(func(_ context.Context, sku string) (models.WaitingSummary, error) {
		return models.WaitingSummary{SKU: sku, Qty: 5, Orders: 2, Earliest: time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC), Schedule: "1. SO-1 line 1: 5"}, nil
	}, workflows.ActivityWaitingForSKU)
	f.registerMessages(env)
}

func allocatorEnv(f *allocatorFakes) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger)
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.Allocator, workflow.RegisterOptions{Name: workflows.AllocatorWorkflowName})
	f.register(env)
	return env
}

func TestAllocatorAnnouncesReceivesAndEscalates(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	eta := start.Add(48 * time.Hour)
	old := start.Add(24 * time.Hour)
	f := &allocatorFakes{news: []models.BackorderNews{{
		MakeToOrder: true,
		Backorders: []models.BackorderNotice{
			{Backorder: models.Backorder{ID: "SO-1-L1", OrderID: "SO-1", LineNo: 1, SKU: "PMP", QtyShort: 5, Status: models.BackorderOpen, ETA: eta, Rev: 1},
				Customer: models.Contact{Email: "buyer@acme.example"}, New: true},
			{Backorder: models.Backorder{ID: "SO-2-L1", OrderID: "SO-2", LineNo: 1, SKU: "PMP", QtyShort: 2, Status: models.BackorderOpen, ETA: eta, Rev: 4, ToldETA: &old},
				Customer: models.Contact{Email: "orders@globex.example"}, Rep: &models.Contact{ID: "u-rep", Email: "rep@q2c.local"}},
		},
	}}, late: []models.Backorder{{ID: "SO-2-L1", OrderID: "SO-2", SKU: "PMP", QtyShort: 2, ETA: eta, ETASource: "supply", CustomerName: "Globex"}}, next: &eta}
	env := allocatorEnv(f)
	env.SetStartTime(start)
	var signalled []workflows.BackorderUpdate
	env.OnSignalExternalWorkflow(mock.Anything, "Order:SO-1", "", workflows.SignalOrderBackorder, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			signalled = append(signalled, arg.(workflows.BackorderUpdate))
			return nil
		})
	env.OnSignalExternalWorkflow(mock.Anything, "Order:SO-2", "", workflows.SignalOrderBackorder, mock.Anything).Return(errors.New("workflow completed"))

	var rejected error
	var result models.ReceiptResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateAllocatorReceive, "bad", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { rejected = err }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, workflows.ReceiveInput{Key: "", Warehouse: "SFO", Qty: 0})
		env.UpdateWorkflow(workflows.UpdateAllocatorReceive, "rcv-1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("receipt rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(v any, err error) {
				if err != nil {
					t.Errorf("receipt: %v", err)
					return
				}
				result = v.(models.ReceiptResult)
			},
		}, workflows.ReceiveInput{Key: "PS-1", Warehouse: "SFO", Qty: 5, Actor: workflows.Actor{Subject: "user:w"}})
	}, time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 72*time.Hour)
	env.ExecuteWorkflow(workflows.AllocatorWorkflowName, workflows.AllocatorInput{SKU: "PMP"})
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v", err)
	}

	if rejected == nil || !strings.Contains(rejected.Error(), "reference") || !strings.Contains(rejected.Error(), "qty") {
		t.Fatalf("invalid receipt: %v", rejected)
	}
	if len(f.receipts) != 1 || result.Run == nil || result.Run.Picks[0].Qty != 5 {
		t.Fatalf("receipts %+v, result %+v", f.receipts, result)
	}
	keys := map[string]string{}
	for _, n := range f.notes {
		keys[n.IdempotencyKey] = n.To + " " + n.Event
	}
	for _, m := range f.roleMsgs {
		keys[m.IdempotencyKey] = string(m.Role) + " " + m.Event
	}
	want := map[string]string{
		"Backorder:SO-1-L1/backordered":        "buyer@acme.example line_backordered",
		"Backorder:SO-2-L1/eta/2026-12-03":     "orders@globex.example eta_changed",
		"Backorder:SO-2-L1/eta/2026-12-03/rep": "rep@q2c.local eta_changed",
		"Allocator:PMP/production/SO-1-L1":     "production_manager production_alert",
		"AllocationRun:RUN-1/picklist":         "warehouse_manager stock_arrived",
		"Backorder:SO-2-L1/overdue/2026-12-03": "customer_service backorder_overdue",
	}
	for k, v := range want {
		if keys[k] != v {
			t.Errorf("%s: got %q, want %q", k, keys[k], v)
		}
	}
	if len(keys) != len(want) {
		t.Errorf("sent %v", keys)
	}
	// The order heard the backorder and then its fill; the ended order was skipped.
	if len(signalled) != 2 || signalled[0].Rev != 1 || signalled[1].Filled != 5 || signalled[1].Status != models.BackorderAllocated {
		t.Fatalf("order signalled %+v", signalled)
	}
	// What was told is marked, with the ETA each customer now knows.
	if len(f.announced) != 2 || len(f.announced[0].Backorders) != 2 || f.announced[0].Backorders[0].ToldETA == nil ||
		!f.announced[0].Backorders[1].ToldETA.Equal(eta) || len(f.announced[1].Runs) != 1 {
		t.Fatalf("announced %+v", f.announced)
	}
	// Escalation ran once, just after the ETA passed.
	if len(f.escalated) != 1 || !f.escalated[0].After(eta) || f.escalated[0].After(eta.Add(time.Minute)) {
		t.Fatalf("escalated at %v (ETA %s)", f.escalated, eta)
	}
}

func TestAllocatorContinuesAsNew(t *testing.T) {
	f := &allocatorFakes{}
	env := allocatorEnv(f)
	for i := range workflows.AllocatorContinueAfter + 1 {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalAllocatorWake, nil) }, time.Duration(i+1)*time.Minute)
	}
	env.ExecuteWorkflow(workflows.AllocatorWorkflowName, workflows.AllocatorInput{SKU: "WID"})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) || can.WorkflowType.Name != workflows.AllocatorWorkflowName {
		t.Fatalf("after %d wake-ups: %v", workflows.AllocatorContinueAfter, err)
	}
}

func TestBackorderSweepWakesSKUsThatNeedIt(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger)
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.BackorderSweep, workflow.RegisterOptions{Name: workflows.BackorderSweepName})
	sweeps, woken := 0, []string{}
	env.RegisterActivityWithOptions(func(_ context.Context, at time.Time) ([]string, error) {
		sweeps++
		if sweeps == 2 { // the second sweep finds two SKUs with untold news
			return []string{"WID-100", "PMP-900"}, nil
		}
		return nil, nil
	}, activity.RegisterOptions{Name: workflows.ActivitySKUsNeedingAttention})
	env.RegisterActivityWithOptions(func(_ context.Context, sku string) error {
		woken = append(woken, sku)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityWakeAllocator})
	env.ExecuteWorkflow(workflows.BackorderSweepName)
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("sweep ended with %v", err)
	}
	if sweeps != 100 || strings.Join(woken, ",") != "WID-100,PMP-900" {
		t.Fatalf("%d sweeps woke %v", sweeps, woken)
	}
}

// TestAllocatorTellsProductionOfShortagesAndSlips: WID is made to stock.
// A new backorder when 40 wait against 5 free and 20 on order tells
// production 15 are short; a later one that stock and supply cover tells
// nobody. A backorder whose date moved from the 3rd to the 20th, past its
// promise of the 10th, is listed to production as slipped; one moved but
// still within its promise is not.
func TestAllocatorTellsProductionOfShortagesAndSlips(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	told, promised, later := start.AddDate(0, 0, 2), start.AddDate(0, 0, 9), start.AddDate(0, 0, 19)
	f := &allocatorFakes{news: []models.BackorderNews{
		{Coverage: &models.StockCoverage{Waiting: 40, Free: 5, OnOrder: 20}, Backorders: []models.BackorderNotice{
			{Backorder: models.Backorder{ID: "SO-3-L1", OrderID: "SO-3", LineNo: 1, SKU: "WID", QtyShort: 30, Status: models.BackorderOpen, ETA: later, PromisedAt: promised, Rev: 1}, New: true},
			{Backorder: models.Backorder{ID: "SO-4-L1", OrderID: "SO-4", LineNo: 1, SKU: "WID", QtyShort: 10, Status: models.BackorderOpen, ETA: later, PromisedAt: promised,
				ToldETA: &told, CustomerName: "Acme", ETASource: "supply", ETARef: "PO-17", Rev: 3}},
			{Backorder: models.Backorder{ID: "SO-5-L1", OrderID: "SO-5", LineNo: 1, SKU: "WID", QtyShort: 1, Status: models.BackorderOpen, ETA: promised, PromisedAt: later,
				ToldETA: &told, Rev: 2}},
		}},
		{Coverage: &models.StockCoverage{Waiting: 5, Free: 5}, Backorders: []models.BackorderNotice{
			{Backorder: models.Backorder{ID: "SO-6-L1", OrderID: "SO-6", LineNo: 1, SKU: "WID", QtyShort: 1, Status: models.BackorderOpen, ETA: later, PromisedAt: later, Rev: 1}, New: true}}},
	}}
	env := allocatorEnv(f)
	env.SetStartTime(start)
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", workflows.SignalOrderBackorder, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalAllocatorWake, nil) // the second batch
	}, time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
	env.ExecuteWorkflow(workflows.AllocatorWorkflowName, workflows.AllocatorInput{SKU: "WID"})
	got := map[string]workflows.RoleMessage{}
	for _, m := range f.roleMsgs {
		got[m.IdempotencyKey] = m
	}
	if len(got) != 2 || len(f.news) != 0 {
		t.Fatalf("role messages %+v (%d batches unread); want the shortage and the slip only", f.roleMsgs, len(f.news))
	}
	short := got["Allocator:WID/shortage/SO-3-L1"]
	if short.Role != models.RoleProductionManager || short.Event != workflows.EventStockShortage || short.Data["short"] != "15" {
		t.Errorf("shortage: %+v", short)
	}
	slip := got["Allocator:WID/slipped/SO-4-L1/2026-12-20"]
	if slip.Event != workflows.EventSupplySlipped || slip.Data["count"] != "1" ||
		slip.Data["lines"] != "1. SO-4 line 1: 10 for Acme, promised 2026-12-10, now expected 2026-12-20 (supply PO-17)" {
		t.Errorf("slip: %+v", slip)
	}
}
