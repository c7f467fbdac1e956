package workflows_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// An acceptance that would take the customer over its credit limit waits
// for finance, with the figures; a sales approver cannot release it; once
// finance approves, the customer's acceptance places the order.
func TestCreditHoldWaitsForFinance(t *testing.T) {
	limit := int64(150_000)
	f := &fakes{pricing: pricedAt(500, 100_000), credit: workflows.CreditCheck{Credit: approval.Credit{Currency: "USD", Limit: &limit, OpenInvoices: 60_000}}}
	env := newEnv(t, f)
	acc := update(env, time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer, AllowPartial: true})
	again := update(env, 90*time.Minute, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
	bySales := update(env, 2*time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: manager})
	byFinance := update(env, 3*time.Hour, workflows.UpdateQuoteApprove, workflows.DecisionInput{Actor: finance, Comment: "paid by wire today"})
	env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
	st := result(t, env)

	held := acc.state
	if acc.failed != nil || held.Status != workflows.QuotePendingApproval || held.ApprovalRole != models.RoleFinance || held.PendingAccept == nil {
		t.Fatalf("accept over the limit: %v, %s for %s", acc.failed, held.Status, held.ApprovalRole)
	}
	// 600.00 owed + 1000.00 = 1600.00 > 1500.00
	want := "credit limit: USD 600.00 owed and ordered + this order USD 1,000.00 = USD 1,600.00, over the limit of USD 1,500.00"
	if !slices.Contains(held.Approval.Reasons, want) || held.Credit == nil || held.Credit.OpenInvoices != 60_000 {
		t.Fatalf("reasons %q, credit %+v", held.Approval.Reasons, held.Credit)
	}
	if again.rejected != nil || again.failed != nil || again.state.Status != workflows.QuotePendingApproval || again.state.PendingAccept == nil {
		t.Fatalf("a second accept while held: %v %v %s, want the held acceptance", again.rejected, again.failed, again.state.Status)
	}
	if bySales.rejected == nil {
		t.Fatal("a sales manager released a credit hold")
	}
	if byFinance.failed != nil || st.Status != workflows.QuoteAccepted || len(f.orderReqs) != 1 || !f.orderReqs[0].AllowPartial {
		t.Fatalf("after finance: %v, %s, orders %+v", byFinance.failed, st.Status, f.orderReqs)
	}
	if got := stages(st); !slices.Equal(got[len(got)-3:], []string{"credit hold", "approved", "accepted"}) {
		t.Fatalf("timeline %v", got)
	}
	if len(f.creditChecks) != 2 || f.creditChecks[0].Approved || !f.creditChecks[1].Approved || f.creditChecks[1].Total != 100_000 {
		t.Fatalf("credit checks %+v: want the check, then finance's release committing the amount", f.creditChecks)
	}
	if len(f.roleMsgs) != 1 || f.roleMsgs[0].Role != models.RoleFinance || !strings.Contains(f.roleMsgs[0].Data["reasons"], "credit limit") {
		t.Fatalf("finance was asked %+v", f.roleMsgs)
	}
}

func TestCreditChecks(t *testing.T) {
	limit := int64(150_000)
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) // 61 days before the quote is accepted
	tests := []struct {
		name   string
		credit approval.Credit
		held   bool
	}{
		{"no limit", approval.Credit{Currency: "USD", OpenInvoices: 9_000_000}, false},
		{"within the limit", approval.Credit{Currency: "USD", Limit: &limit, OpenInvoices: 50_000}, false},
		{"an invoice long overdue", approval.Credit{Currency: "USD", OldestOverdue: &due, OverdueBalance: 1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakes{pricing: pricedAt(500, 100_000), credit: workflows.CreditCheck{Credit: tc.credit}}
			env := newEnv(t, f)
			acc := update(env, time.Hour, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: customer})
			update(env, 2*time.Hour, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: finance, Comment: "pay first"})
			env.ExecuteWorkflow(workflows.QuoteWorkflowName, request())
			st := result(t, env)
			if held := acc.state.Status == workflows.QuotePendingApproval; held != tc.held {
				t.Fatalf("held %v, want %v (%q)", held, tc.held, acc.state.Approval.Reasons)
			}
			if tc.held && (st.Status != workflows.QuoteRejected || len(f.orderReqs) != 0) {
				t.Fatalf("rejected hold: %s, %d orders", st.Status, len(f.orderReqs))
			}
		})
	}
}

// The quote's ship-to, instructions and the customer's terms go to the
// order, and its invoices fall due on those terms.
func TestOrderCarriesShipToAndTerms(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1Z1",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}, {LineNo: 2, Qty: 10}}})
	req := billingRequest(true)
	net15 := 15
	req.TermsDays = &net15
	req.ShipTo = &models.Address{Kind: models.AddressShipping, Label: "Dock 4", Line1: "4 Wharf Rd", City: "Tilbury", Country: "GB"}
	req.Instructions = "Ring the bell at gate B"
	orderUpdate(env, 2*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "w", Amount: 15762})
	st := run(t, env, req)
	inv := f.invoices[0]
	if !inv.DueAt.Equal(inv.IssuedAt.AddDate(0, 0, 15)) || *inv.TermsDays != 15 || inv.ShipTo != "Dock 4, 4 Wharf Rd, Tilbury, GB" {
		t.Fatalf("invoice due %v issued %v, ship-to %q", inv.DueAt, inv.IssuedAt, inv.ShipTo)
	}
	if st.Instructions != req.Instructions || st.ShipTo == nil || st.Terms() != 15 {
		t.Fatalf("order state %+v", st)
	}
	var shipped, issued string
	for _, n := range f.notes {
		switch n.Event {
		case workflows.EventShipped:
			shipped = n.Data["ship_to"]
		case workflows.EventInvoiceIssued:
			issued = n.Data["terms"]
		}
	}
	if shipped != inv.ShipTo || issued != "net 15" {
		t.Fatalf("messages: shipped to %q, invoice on %q", shipped, issued)
	}
}

// An invoice due on receipt is not overdue when it is issued: its first
// notice is the overdue one, a day after the due date; net 2 gets no
// reminder before it is due either.
func TestShortTermsGetNoEarlyNotices(t *testing.T) {
	for _, days := range []int{0, 2} {
		f := &fakes{}
		env := orderEnv(f)
		orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1Z1",
			Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}, {LineNo: 2, Qty: 10}}})
		req := billingRequest(true)
		req.TermsDays = &days
		orderUpdate(env, time.Hour+time.Duration(days)*24*time.Hour+25*time.Hour, workflows.UpdateOrderPay,
			workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "w", Amount: 15762})
		st := run(t, env, req)
		var got []string
		for _, e := range st.Timeline {
			if strings.HasPrefix(e.Stage, "payment") {
				got = append(got, e.Stage+" at +"+e.At.Sub(st.Shipments[0].ShippedAt).String())
			}
		}
		want := fmt.Sprintf("payment overdue at +%s|payment received at +%s", time.Duration(days)*24*time.Hour+24*time.Hour, time.Duration(days)*24*time.Hour+24*time.Hour+time.Hour)
		if strings.Join(got, "|") != want {
			t.Errorf("net %d: %q, want %q", days, got, want)
		}
	}
}
