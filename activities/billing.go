package activities

import (
	"context"
	"encoding/json"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// ShipLines consumes reservations for a shipment, once per shipment ID.
func (a *Activities) ShipLines(ctx context.Context, in workflows.ShipLinesInput) error {
	sh := store.Shipment{ID: in.ShipmentID, OrderID: in.OrderID, Carrier: in.Carrier, Tracking: in.Tracking,
		ShippedBy: in.ShippedBy, ShippedAt: in.ShippedAt}
	for i, l := range in.Lines {
		sh.Lines = append(sh.Lines, store.ShipLine{LineNo: l.LineNo, SKU: in.SKUs[i], Qty: l.Qty})
	}
	return invalid(a.Store.Ship(ctx, sh))
}

// IssueInvoice issues a shipment's invoice (once per shipment).
func (a *Activities) IssueInvoice(ctx context.Context, in workflows.IssueInvoiceInput) (workflows.InvoiceRef, error) {
	return a.issueInvoice(ctx, in, 0)
}

// issueInvoice issues the invoice numbered number, or with the next number
// when number is 0.
func (a *Activities) issueInvoice(ctx context.Context, in workflows.IssueInvoiceInput, number int64) (workflows.InvoiceRef, error) {
	lines, err := json.Marshal(in.Lines)
	if err != nil {
		return workflows.InvoiceRef{}, err
	}
	inv := models.Invoice{OrderID: in.OrderID, ShipmentID: in.ShipmentID, CustomerID: in.CustomerID, Currency: in.Currency,
		Lines: string(lines), IssuedAt: in.IssuedAt, DueAt: in.DueAt, ShipTo: in.ShipTo, TermsDays: in.TermsDays, Number: number}
	for _, l := range in.Lines {
		inv.Subtotal += l.Gross
		inv.Discount += l.Discount
		inv.Tax += l.Tax
		inv.Total += l.Total
	}
	out, err := a.Store.CreateInvoice(ctx, inv, invoiceFacts(in.Lines))
	if err != nil {
		return workflows.InvoiceRef{}, err
	}
	return invoiceRef(out), nil
}

// RecordPayment applies a payment once per (invoice, reference).
func (a *Activities) RecordPayment(ctx context.Context, in workflows.RecordPaymentInput) (workflows.PaymentResult, error) {
	inv, pay, recorded, err := a.Store.RecordPayment(ctx, store.PaymentRequest{InvoiceID: in.InvoiceID, Reference: in.Reference, Amount: in.Amount,
		Method: in.Method, RecordedBy: in.Actor.Subject, ReceivedAt: in.ReceivedAt})
	if err != nil { // a conflict (a void invoice, a reference taken by another amount) is final
		return workflows.PaymentResult{}, businessError(err)
	}
	return workflows.PaymentResult{Invoice: invoiceRef(inv), Credit: pay.Amount - pay.Applied, Duplicate: !recorded}, nil
}

// MarkInvoiceOverdue flags an unpaid invoice overdue.
func (a *Activities) MarkInvoiceOverdue(ctx context.Context, invoiceID string) error {
	_, err := a.Store.MarkOverdue(ctx, invoiceID)
	return err
}

func invoiceRef(i models.Invoice) workflows.InvoiceRef {
	return workflows.InvoiceRef{ID: i.ID, Number: i.Number, ShipmentID: i.ShipmentID, Total: i.Total, Paid: i.Paid, Status: i.Status, DueAt: i.DueAt}
}

// IssueCreditNote issues a credit note once per key; a refusal of its
// figures (more than is left on the invoice, a paid invoice cancelled) is
// the caller's mistake and is not retried.
func (a *Activities) IssueCreditNote(ctx context.Context, in workflows.IssueCreditNoteInput) (models.CreditNote, error) {
	return a.issueCreditNote(ctx, in, 0)
}

// issueCreditNote issues the credit note numbered number, or with the next
// number when number is 0.
func (a *Activities) issueCreditNote(ctx context.Context, in workflows.IssueCreditNoteInput, number int64) (models.CreditNote, error) {
	cn, err := a.Store.IssueCreditNote(ctx, store.CreditRequest{Key: in.Key, InvoiceID: in.InvoiceID, Kind: in.Kind, ReturnID: in.ReturnID,
		Reason: in.Reason, Amount: in.Amount, Lines: in.Lines, By: in.Actor.Subject, At: in.IssuedAt, Number: number})
	return cn, businessError(err)
}
