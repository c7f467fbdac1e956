package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/messages"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/workflows"
)

// fakes stands in for the activities and records what the workflows asked.
type fakes struct {
	mu        sync.Mutex
	pricing   func(workflows.PriceQuoteInput) (workflows.PricedQuote, error)
	saved     []workflows.QuoteState
	orders    []workflows.OrderState
	notes     []workflows.Notification
	roleMsgs  []workflows.RoleMessage
	reserve   func(workflows.ReserveLineInput) models.Allocation
	orderReqs []workflows.OrderRequest
	shipped   []workflows.ShipLinesInput
	invoices  []workflows.IssueInvoiceInput
	payments  map[string]int64 // invoice → paid
	paidRefs  map[string]bool
	// loseAnswer is a payment reference whose first recording commits
	// but whose answer is lost (the worker stopped): the retry finds it.
	loseAnswer   string
	overdue      []string
	released     []workflows.ReleaseLineInput
	credit       workflows.CreditCheck // the customer's credit position; no limit when zero
	creditChecks []workflows.CheckCreditInput
	beforeNote   func(workflows.Notification) // when set, called as each message is sent
}

// registerMessages fakes the messaging activities: every message a
// workflow sends must render with its event's templates, and is recorded.
func (f *fakes) registerMessages(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(func(_ context.Context, n workflows.Notification) error {
		if n.Data != nil {
			data := n.Data
			if messages.Marketing[n.Event] { // the activity adds the unsubscribe link
				data = maps.Clone(n.Data)
				data["unsubscribe_url"] = "https://q2c.test/unsubscribe"
			}
			if _, err := messages.Render(n.Event, data); err != nil {
				return temporal.NewNonRetryableApplicationError(err.Error(), "TemplateError", err)
			}
		}
		if f.beforeNote != nil {
			f.beforeNote(n)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notes = append(f.notes, n)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivitySendNotification})
	env.RegisterActivityWithOptions(func(_ context.Context, m workflows.RoleMessage) (int, error) {
		if _, err := messages.Render(m.Event, m.Data); err != nil {
			return 0, temporal.NewNonRetryableApplicationError(err.Error(), "TemplateError", err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.roleMsgs = append(f.roleMsgs, m)
		return 1, nil
	}, activity.RegisterOptions{Name: workflows.ActivityNotifyRole})
}

func (f *fakes) register(env *testsuite.TestWorkflowEnvironment) {
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
		return f.pricing(in)
	}, workflows.ActivityPriceQuote)
	reg(func(_ context.Context, st workflows.QuoteState) (workflows.QuoteState, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.saved = append(f.saved, st)
		return st, nil
	}, workflows.ActivitySaveQuote)
	reg(func(_ context.Context, in workflows.CheckCreditInput) (workflows.CreditCheck, error) {
		c := f.credit
		if c.OverdueDays == 0 {
			c.OverdueDays = 30
		}
		if c.Credit.Currency == in.Currency {
			c.Reasons = approval.CreditReasons(c.Credit, in.Total, in.At, c.OverdueDays)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.creditChecks = append(f.creditChecks, in)
		return c, nil
	}, workflows.ActivityCheckCredit)
	reg(func(_ context.Context, st workflows.OrderState) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.orders = append(f.orders, st)
		return nil
	}, workflows.ActivitySaveOrder)
	f.registerMessages(env)
	reg(func(_ context.Context, in workflows.ReserveLineInput) (models.Allocation, error) {
		return f.reserve(in), nil
	}, workflows.ActivityReserveLine)
	reg(func(_ context.Context, in workflows.ReleaseLineInput) (int64, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.released = append(f.released, in)
		return 1, nil
	}, workflows.ActivityReleaseLine)
	reg(func(_ context.Context, in workflows.ShipLinesInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.shipped = append(f.shipped, in)
		return nil
	}, workflows.ActivityShipLines)
	reg(func(_ context.Context, in workflows.IssueInvoiceInput) (workflows.InvoiceRef, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.invoices = append(f.invoices, in)
		var total int64
		for _, l := range in.Lines {
			total += l.Total
		}
		return workflows.InvoiceRef{ID: fmt.Sprintf("INV-%06d", len(f.invoices)), Number: int64(len(f.invoices)), ShipmentID: in.ShipmentID,
			Total: total, Status: models.InvoiceOpen, DueAt: in.DueAt}, nil
	}, workflows.ActivityIssueInvoice)
	reg(func(_ context.Context, in workflows.RecordPaymentInput) (workflows.PaymentResult, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.payments == nil {
			f.payments = map[string]int64{}
			f.paidRefs = map[string]bool{}
		}
		var total int64
		for i, inv := range f.invoices {
			if fmt.Sprintf("INV-%06d", i+1) == in.InvoiceID {
				for _, l := range inv.Lines {
					total += l.Total
				}
			}
		}
		key := in.InvoiceID + "/" + in.Reference
		dup := f.paidRefs[key]
		applied := int64(0)
		if !dup {
			f.paidRefs[key] = true
			applied = min(in.Amount, total-f.payments[in.InvoiceID])
			f.payments[in.InvoiceID] += applied
		}
		status := models.InvoicePartiallyPaid
		if f.payments[in.InvoiceID] == total {
			status = models.InvoicePaid
		}
		if in.Reference == f.loseAnswer && !dup {
			return workflows.PaymentResult{}, errors.New("worker stopped before it answered")
		}
		// As the store does: a payment recorded already answers with the
		// invoice as it is.
		return workflows.PaymentResult{Invoice: workflows.InvoiceRef{ID: in.InvoiceID, Total: total, Paid: f.payments[in.InvoiceID], Status: status},
			Credit: in.Amount - applied, Duplicate: dup}, nil
	}, workflows.ActivityRecordPayment)
	reg(func(_ context.Context, id string) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.overdue = append(f.overdue, id)
		return nil
	}, workflows.ActivityMarkInvoiceOverdue)
}

func (f *fakes) lastSaved() workflows.QuoteState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.saved[len(f.saved)-1]
}

var quietLogger = sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

func newEnv(t *testing.T, f *fakes) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger)
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	env.RegisterWorkflowWithOptions(workflows.Quote, workflow.RegisterOptions{Name: workflows.QuoteWorkflowName})
	// The order is its own workflow with its own tests: here it is a stub
	// that records the request it was started with.
	env.RegisterWorkflowWithOptions(func(_ workflow.Context, req workflows.OrderRequest) (workflows.OrderState, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.orderReqs = append(f.orderReqs, req)
		return workflows.OrderState{OrderID: req.OrderID}, nil
	}, workflow.RegisterOptions{Name: workflows.OrderWorkflowName})
	if f.reserve == nil {
		f.reserve = func(in workflows.ReserveLineInput) models.Allocation {
			return models.Allocation{OrderID: in.OrderID, LineNo: in.LineNo, SKU: in.SKU, Requested: in.Qty, Reserved: in.Qty}
		}
	}
	f.register(env)
	return env
}

// pricedAt returns a pricing fake whose result has the given discount and net.
func pricedAt(discountBP, net int64) func(workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
	return func(in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
		var lines []pricing.PricedLine
		for i, l := range in.Lines {
			lines = append(lines, pricing.PricedLine{LineNo: i + 1, SKU: l.SKU, Qty: l.Qty})
		}
		return workflows.PricedQuote{Customer: models.Contact{Name: "Acme", Email: "buyer@acme.example"},
			Pricing: pricing.Result{Currency: "USD", Lines: lines, Net: net, Total: net, DiscountBP: discountBP}, PricedAt: in.At,
			ShipTo: &models.Address{ID: "dock", Kind: models.AddressShipping, Label: "Dock", Line1: "1 Quay St", City: "Leeds", Country: "GB"}}, nil
	}
}

var (
	rep      = workflows.Actor{Subject: "user:rep", Roles: models.Roles{models.RoleSalesRep}}
	approver = workflows.Actor{Subject: "user:approver", Roles: models.Roles{models.RoleApprover}}
	manager  = workflows.Actor{Subject: "user:manager", Roles: models.Roles{models.RoleSalesManager}}
	customer = workflows.Actor{Subject: "user:buyer", Roles: models.Roles{models.RoleCustomer}}
)

func request() workflows.QuoteRequest {
	return workflows.QuoteRequest{QuoteID: "Q-TEST1", CustomerID: "acme", CreatedBy: rep.Subject,
		Lines: []pricing.Line{{SKU: "WID", Qty: 10}}}
}

// update sends an update at a moment of test time and records its outcome.
type outcome struct {
	rejected, failed error
	state            workflows.QuoteState
	done             bool
}

func update(env *testsuite.TestWorkflowEnvironment, at time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, name+at.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.rejected, o.done = err, true },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				o.failed, o.done = err, true
				if st, ok := v.(workflows.QuoteState); ok {
					o.state = st
				}
			},
		}, arg)
	}, at)
	return o
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) workflows.QuoteState {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var st workflows.QuoteState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func stages(st workflows.QuoteState) []string {
	var out []string
	for _, e := range st.Timeline {
		out = append(out, e.Stage)
	}
	return out
}

func TestQuoteAutoApprovedAndAccepted(t *testing.T) {
	f := &fakes{pricing: pricedAt(500, 100_000)}
	env := newEnv(t, f)
	open := update(env, 0, workflows.UpdateQuoteOpen, nil)
	acc := update(env, time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
	env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
	st := result(t, env)
	if open.failed != nil || open.state.Status != workflows.QuoteApproved {
		t.Fatalf("open answered %+v", open)
	}
	if acc.failed != nil || st.Status != workflows.QuoteAccepted || st.OrderID != "SO-TEST1" {
		t.Fatalf("accept: %+v; state %s order %s", acc, st.Status, st.OrderID)
	}
	if len(f.roleMsgs) != 0 {
		t.Fatalf("approvers were asked about an auto-approved quote: %+v", f.roleMsgs)
	}
	if f.lastSaved().Status != workflows.QuoteAccepted || !slices.Contains(stages(st), "accepted") {
		t.Fatalf("read model %s, timeline %v", f.lastSaved().Status, stages(st))
	}
	if len(f.orderReqs) != 1 || f.orderReqs[0].OrderID != "SO-TEST1" || f.orderReqs[0].QuoteID != "Q-TEST1" {
		t.Fatalf("order started %d times: %+v", len(f.orderReqs), f.orderReqs)
	}
}

// TestQuoteWithoutShipToIsNotAccepted: a customer with no shipping address
// on file gets a quote, but accepting it is refused with what to do, and no
// order is started; once the quote is changed to ship somewhere (here: the
// edit prices it for an address), it is accepted.
func TestQuoteWithoutShipToIsNotAccepted(t *testing.T) {
	f := &fakes{}
	f.pricing = func(in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
		q, err := pricedAt(500, 100_000)(in)
		if in.ShipToID == "" {
			q.ShipTo = nil
		}
		return q, err
	}
	env := newEnv(t, f)
	refused := update(env, time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
	update(env, 2*time.Hour, workflows.UpdateQuoteEdit, workflows.EditInput{Actor: rep, Lines: []pricing.Line{{SKU: "WID", Qty: 10}}, ShipToID: "dock"})
	acc := update(env, 3*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
	env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
	st := result(t, env)
	if refused.rejected == nil || !strings.Contains(refused.rejected.Error(), "no ship-to address: "+workflows.NoShipToAdvice) {
		t.Fatalf("accepting without a ship-to: %+v", refused)
	}
	if acc.failed != nil || acc.rejected != nil || st.Status != workflows.QuoteAccepted || len(f.orderReqs) != 1 || f.orderReqs[0].ShipTo == nil {
		t.Fatalf("accept after the edit: %+v; state %s; orders %+v", acc, st.Status, f.orderReqs)
	}
}

// TestQuoteAnswersBeforeNotices: the creator waits for the price and the
// stored quote only. Pricing and saving run as local activities (inside the
// workflow task), and the open update has answered when the "quote ready"
// email is sent.
func TestQuoteAnswersBeforeNotices(t *testing.T) {
	f := &fakes{pricing: pricedAt(500, 100_000)}
	env := newEnv(t, f)
	var local []string
	env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		local = append(local, info.ActivityType.Name)
	})
	open := update(env, 0, workflows.UpdateQuoteOpen, nil)
	var answered []bool
	f.beforeNote = func(workflows.Notification) { answered = append(answered, open.done) }
	env.ExecuteWorkflow(workflows.QuoteWorkflowName, request()) // runs to its expiry
	if open.failed != nil || open.state.Status != workflows.QuoteApproved {
		t.Fatalf("open answered %+v", open)
	}
	want := []string{workflows.ActivityPriceQuote, workflows.ActivitySaveQuote, workflows.ActivitySaveQuote} // priced, saved; saved expired
	if !slices.Equal(local, want) {
		t.Fatalf("local activities %v, want %v", local, want)
	}
	if !slices.Equal(answered, []bool{true, true}) {
		t.Fatalf("answered before each notice: %v (want the ready notice after the answer, then the expiry's)", answered)
	}
}

func TestQuoteApprovalBranches(t *testing.T) {
	tests := []struct {
		name        string
		discountBP  int64
		net         int64
		steps       func(env *testsuite.TestWorkflowEnvironment) []*outcome
		wantStatus  string
		wantRole    models.Role
		wantRejects int // updates refused by validators
	}{
		{"approved by an approver", 2000, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return []*outcome{
				update(env, time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver, Comment: "ok for Acme"}),
				update(env, 2*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer}),
			}
		}, workflows.QuoteAccepted, models.RoleApprover, 0},
		{"rejected", 2000, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return []*outcome{update(env, time.Hour, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: approver, Comment: "too deep"})}
		}, workflows.QuoteRejected, models.RoleApprover, 0},
		{"cannot accept before approval, nor approve own quote, nor approve below the level", 3500, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return []*outcome{
				update(env, time.Minute, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer}),
				update(env, 2*time.Minute, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: rep}),
				update(env, 3*time.Minute, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver}),
				update(env, time.Hour, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: manager}),
			}
		}, workflows.QuoteRejected, models.RoleSalesManager, 3},
		{"escalated after the SLA and approved by the manager", 2000, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return []*outcome{
				update(env, 25*time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver}), // too late: now a manager's
				update(env, 26*time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: manager}),
				update(env, 27*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer}),
			}
		}, workflows.QuoteAccepted, models.RoleSalesManager, 1},
		{"an editor cannot approve what they edited; someone else can", 2000, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			editor := workflows.Actor{Subject: "user:approver-2", Roles: models.Roles{models.RoleApprover}}
			return []*outcome{
				update(env, time.Minute, workflows.UpdateQuoteEdit, workflows.EditInput{Actor: editor, Lines: []pricing.Line{{SKU: "WID", Qty: 40}}}),
				update(env, 2*time.Minute, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: editor}),
				update(env, 3*time.Minute, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: editor}),
				update(env, time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver}),
				update(env, 2*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer}),
			}
		}, workflows.QuoteAccepted, models.RoleApprover, 2},
		{"a decision or an acceptance on a version since edited is refused; on the current one it stands", 2000, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return []*outcome{
				update(env, time.Minute, workflows.UpdateQuoteEdit, workflows.EditInput{Actor: rep, Lines: []pricing.Line{{SKU: "WID", Qty: 40}}}),
				update(env, 2*time.Minute, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver, Version: 1}),
				update(env, 3*time.Minute, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: approver, Comment: "no", Version: 1}),
				update(env, time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver, Version: 2}),
				update(env, 2*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer, Version: 1}),
				update(env, 3*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer, Version: 2}),
			}
		}, workflows.QuoteAccepted, models.RoleApprover, 3},
		{"withdrawn before approval", 2000, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return []*outcome{
				update(env, time.Hour, workflows.UpdateQuoteWithdraw, workflows.DecisionInput{Actor: customer, Comment: "bought elsewhere"}),
				update(env, 2*time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver}),
			}
		}, workflows.QuoteWithdrawn, models.RoleApprover, 0},
		{"expires when nobody acts", 0, 100_000, func(env *testsuite.TestWorkflowEnvironment) []*outcome {
			return nil
		}, workflows.QuoteExpired, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakes{pricing: pricedAt(tc.discountBP, tc.net)}
			env := newEnv(t, f)
			outs := tc.steps(env)
			env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
			st := result(t, env)
			rejects := 0
			for _, o := range outs {
				if o.rejected != nil {
					rejects++
				}
			}
			if st.Status != tc.wantStatus || st.ApprovalRole != tc.wantRole || rejects != tc.wantRejects {
				t.Fatalf("status %s role %s rejects %d; want %s %s %d\ntimeline %v", st.Status, st.ApprovalRole, rejects,
					tc.wantStatus, tc.wantRole, tc.wantRejects, stages(st))
			}
			if st.Status == workflows.QuoteExpired {
				last := st.Timeline[len(st.Timeline)-1]
				if !last.At.Equal(st.ValidUntil) || f.notes[len(f.notes)-1].IdempotencyKey != "Quote:Q-TEST1/expired" {
					t.Fatalf("expired at %v (valid until %v); last message %+v", last.At, st.ValidUntil, f.notes[len(f.notes)-1])
				}
			}
			if f.lastSaved().Rev != st.Rev {
				t.Fatalf("read model at rev %d, workflow at %d", f.lastSaved().Rev, st.Rev)
			}
		})
	}
}

func TestEditingAnApprovedQuoteVoidsTheApproval(t *testing.T) {
	discount := int64(2000)
	f := &fakes{}
	f.pricing = func(in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
		return pricedAt(discount, 100_000)(in)
	}
	env := newEnv(t, f)
	update(env, time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver})
	env.RegisterDelayedCallback(func() { discount = 2500 }, 90*time.Minute)
	edit := update(env, 2*time.Hour, workflows.UpdateQuoteEdit, workflows.EditInput{Actor: rep, Lines: []pricing.Line{{SKU: "WID", Qty: 50}}})
	early := update(env, 3*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
	update(env, 4*time.Hour, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: approver, Comment: "no"})
	env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
	st := result(t, env)
	if edit.failed != nil || edit.state.Status != workflows.QuotePendingApproval || edit.state.Version != 2 || len(edit.state.Decisions) != 0 {
		t.Fatalf("edit answered %+v", edit)
	}
	// The timeline says who must approve and why in words, not as codes
	// and a Go list.
	if last := edit.state.Timeline[len(edit.state.Timeline)-1].Detail; !strings.HasPrefix(last, "needs ") || strings.ContainsAny(last, "[]_") {
		t.Errorf("the timeline reads %q", last)
	}
	if early.rejected == nil {
		t.Fatal("the edited quote was accepted on its old approval")
	}
	if st.Status != workflows.QuoteRejected || st.Lines[0].Qty != 50 {
		t.Fatalf("final %s lines %+v", st.Status, st.Lines)
	}
}

func TestInvalidQuoteAnswersWithTheFields(t *testing.T) {
	f := &fakes{pricing: func(workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
		return workflows.PricedQuote{}, temporal.NewNonRetryableApplicationError("bad", workflows.ErrTypeInvalidInput, nil,
			[]models.FieldError{{Field: "lines[0].sku", Message: "unknown SKU"}})
	}}
	env := newEnv(t, f)
	open := update(env, 0, workflows.UpdateQuoteOpen, nil)
	env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
	st := result(t, env)
	var appErr *temporal.ApplicationError
	if !errors.As(open.failed, &appErr) || appErr.Type() != workflows.ErrTypeInvalidInput {
		t.Fatalf("open answered %v", open.failed)
	}
	var fields []models.FieldError
	if err := appErr.Details(&fields); err != nil || fields[0].Field != "lines[0].sku" {
		t.Fatalf("details %v %v", fields, err)
	}
	if st.Status != workflows.QuoteInvalid || len(f.saved) != 0 {
		t.Fatalf("status %s, %d saves", st.Status, len(f.saved))
	}
}

// TestQuoteOpenedByTheAPI: a quote the API priced and stored before
// starting the workflow (OpenQuote, QuoteRequest.Opened) carries on from
// that state: nothing priced again, the same state saved (for
// reconciliation), the notices sent, and its approval and acceptance work
// as for a quote the workflow priced. OpenQuote's state is exactly the one
// the workflow's own pricing gives.
func TestQuoteOpenedByTheAPI(t *testing.T) {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		discountBP int64
		status     string
		approve    bool
		// approvers asked, and the customer told the quote is ready (at
		// once, or once approved)
		roleMsgs, notes int
	}{
		{name: "within policy", discountBP: 500, status: workflows.QuoteApproved, notes: 1},
		{name: "needs approval", discountBP: 2000, status: workflows.QuotePendingApproval, approve: true, roleMsgs: 1, notes: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The workflow's own pricing, for the state OpenQuote must equal.
			self := &fakes{pricing: pricedAt(tc.discountBP, 100_000)}
			env := newEnv(t, self)
			update(env, 0, workflows.UpdateQuoteOpen, nil)
			update(env, time.Hour, workflows.UpdateQuoteWithdraw, workflows.DecisionInput{Actor: rep})
			env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
			result(t, env)
			priced, err := pricedAt(tc.discountBP, 100_000)(workflows.PriceQuoteInput{Lines: request().Lines, At: at})
			if err != nil {
				t.Fatal(err)
			}
			opened := workflows.OpenQuote(request(), priced, at)
			if got, want := mustJSON(t, opened), mustJSON(t, self.saved[0]); got != want {
				t.Fatalf("OpenQuote:\n%s\nthe workflow's first save:\n%s", got, want)
			}
			if opened.Status != tc.status {
				t.Fatalf("opened %s, want %s", opened.Status, tc.status)
			}

			f := &fakes{pricing: func(workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
				t.Error("an opened quote was priced again")
				return workflows.PricedQuote{}, errors.New("priced again")
			}}
			env = newEnv(t, f)
			var dec *outcome
			if tc.approve {
				dec = update(env, time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: approver})
			}
			acc := update(env, 2*time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
			req := request()
			req.Opened = &opened
			env.ExecuteWorkflow(workflows.QuoteWorkflowName, req)
			st := result(t, env)
			if mustJSON(t, f.saved[0]) != mustJSON(t, opened) {
				t.Fatalf("first save %+v, want the opened state", f.saved[0])
			}
			if len(f.roleMsgs) != tc.roleMsgs || countEvent(f.notes, workflows.EventQuoteReady) != tc.notes {
				t.Fatalf("approvers asked %d times, customer told %d times; want %d, %d", len(f.roleMsgs), countEvent(f.notes, workflows.EventQuoteReady), tc.roleMsgs, tc.notes)
			}
			if dec != nil && (dec.failed != nil || dec.rejected != nil) {
				t.Fatalf("approve: %+v", dec)
			}
			if acc.failed != nil || acc.rejected != nil || st.Status != workflows.QuoteAccepted || len(f.orderReqs) != 1 {
				t.Fatalf("accept: %+v; state %s; orders %d", acc, st.Status, len(f.orderReqs))
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func countEvent(notes []workflows.Notification, event string) int {
	n := 0
	for _, x := range notes {
		if x.Event == event {
			n++
		}
	}
	return n
}
