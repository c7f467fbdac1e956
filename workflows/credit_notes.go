package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
)

// validateCredit checks a credit note request against the order: the
// invoice is the order's and still open. The amounts are the activity's to
// check, against the invoice and its earlier credit notes.
func (f *orderFlow) validateCredit(in CreditInput) error {
	i, ok := f.invoice(in.InvoiceID)
	switch {
	case !ok:
		return fmt.Errorf("invoice %s is not an invoice of order %s", in.InvoiceID, f.state.OrderID)
	case f.credited(in.Key):
		return nil // a retry: answered with the note already issued
	case f.state.Invoices[i].Status == models.InvoiceVoid:
		return fmt.Errorf("invoice %s is cancelled", in.InvoiceID)
	case strings.TrimSpace(in.Key) == "" || strings.TrimSpace(in.Reason) == "":
		return fmt.Errorf("a credit note needs a key and a reason")
	}
	return nil
}

// credited reports whether the order holds the credit note issued under key.
func (f *orderFlow) credited(key string) bool {
	for _, cn := range f.state.CreditNotes {
		if cn.Key == key {
			return true
		}
	}
	return false
}

// credit issues a credit note on one of the order's invoices and applies
// it: the invoice's balance falls (a cancelled invoice is void), so its
// reminders stop and the order completes once nothing more is owed. The
// customer is told.
func (f *orderFlow) credit(ctx workflow.Context, in CreditInput) (OrderState, error) {
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	if err := f.validateCredit(in); err != nil {
		return f.state, err
	}
	var cn models.CreditNote
	if err := workflow.ExecuteActivity(ctx, ActivityIssueCreditNote, IssueCreditNoteInput{CreditInput: in, IssuedAt: workflow.Now(ctx)}).Get(ctx, &cn); err != nil {
		return f.state, err
	}
	for _, have := range f.state.CreditNotes {
		if have.ID == cn.ID {
			return f.state, nil // issued by an earlier attempt of this request
		}
	}
	i, _ := f.invoice(cn.InvoiceID)
	inv := &f.state.Invoices[i]
	inv.Paid += cn.Applied
	inv.Status = cn.StatusOf(inv.Status, inv.Paid, inv.Total)
	if inv.Settled() {
		inv.NextReminderAt = time.Time{}
	}
	f.state.CreditNotes = append(f.state.CreditNotes, CreditNoteRef{ID: cn.ID, Key: in.Key, InvoiceID: cn.InvoiceID, Kind: cn.Kind, Total: cn.Total, Applied: cn.Applied, IssuedAt: cn.IssuedAt})
	f.change(ctx, in.Actor.Subject, f.state.Status, "credit note", fmt.Sprintf("%s of %s on %s (%s)", cn.ID, f.money(cn.Total), cn.InvoiceID, cn.Reason))
	f.completeIfSettled(ctx)
	if err := f.save(ctx); err != nil {
		return f.state, err
	}
	return f.state, f.notifyCustomer(ctx, EventCreditNoteIssued, cn.ID+"/issued", map[string]string{
		"credit_note_id": cn.ID, "invoice_id": cn.InvoiceID, "amount": f.money(cn.Total), "reason": cn.Reason,
		"applied": f.money(cn.Applied), "to_account": f.money(cn.ToAccount), "balance": f.money(max(inv.Total-inv.Paid, 0))})
}
