package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// soldAndInvoiced makes an order of qty WID, ships it all from A and
// invoices it with the given line figures.
func soldAndInvoiced(t *testing.T, s *store.Store, order, customerID string, qty int64, line store.InvoiceLineFact, at time.Time) models.Invoice {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveOrder(ctx, models.OrderRecord{ID: order, QuoteID: "Q-" + order, CustomerID: customerID, Status: "allocated", Rev: 1, Currency: "USD", Total: line.Total, State: "{}"}, store.OrderFacts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, store.ReserveRequest{OrderID: order, LineNo: 1, SKU: "WID", Qty: qty, CustomerID: customerID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Ship(ctx, store.Shipment{ID: order + "/S1", OrderID: order, Carrier: "UPS", Tracking: "1Z", ShippedBy: "user:w", ShippedAt: at,
		Lines: []store.ShipLine{{LineNo: 1, SKU: "WID", Qty: qty}}}); err != nil {
		t.Fatal(err)
	}
	line.LineNo, line.SKU, line.Qty = 1, "WID", qty
	inv, err := s.CreateInvoice(ctx, models.Invoice{OrderID: order, ShipmentID: order + "/S1", CustomerID: customerID, Currency: "USD",
		Subtotal: line.Gross, Discount: line.Discount, Tax: line.Tax, Total: line.Total, Lines: "[]", IssuedAt: at, DueAt: at.AddDate(0, 0, 30)},
		[]store.InvoiceLineFact{line})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestReturnsAndCreditNotes, figures by hand. INV-000001 bills 3 WID at
// 33.33: gross 99.99, tax 7.25% 7.25, total 107.24. A return of 2 (1 of
// them sellable) credits 2/3 of each figure, rounded half away from zero:
// 66.66 + 4.83 = 71.49, all of it paying the unpaid invoice; the sellable
// unit goes back to A and fills SO-W's waiting backorder. The last unit
// back credits what is left, 33.33 + 2.42 = 35.75, so the three units
// credit exactly the 107.24 billed and the invoice is paid by credit. An
// unpaid invoice is cancelled by a credit note and becomes void; a paid
// one cannot be. A price correction of 10.00 on a paid invoice all goes to
// the customer's account, which a refund of more cannot overdraw.
func TestReturnsAndCreditNotes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		stockUp(t, s, "WID", map[string]int64{"A": 6})
		cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		inv1 := soldAndInvoiced(t, s, "SO-1", cust.ID, 3, store.InvoiceLineFact{Gross: 9999, Net: 9999, Tax: 725, Total: 10724}, at)
		inv2 := soldAndInvoiced(t, s, "SO-2", cust.ID, 1, store.InvoiceLineFact{Gross: 2000, Net: 2000, Tax: 145, Total: 2145}, at)
		inv3 := soldAndInvoiced(t, s, "SO-3", cust.ID, 1, store.InvoiceLineFact{Gross: 5000, Net: 5000, Total: 5000}, at)
		// SO-W gets the last WID and waits for another.
		if a, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "SO-W", LineNo: 1, SKU: "WID", Qty: 2, CustomerID: cust.ID, AllowPartial: true}); err != nil || a.Shortfall() != 1 {
			t.Fatalf("SO-W: %+v %v; want 1 of 2 backordered", a, err)
		}

		for _, tc := range []struct {
			name  string
			req   store.ReturnRequest
			field string
		}{
			{"more than shipped", store.ReturnRequest{OrderID: "SO-1", Reason: models.ReturnNotNeeded, Lines: []store.ReturnQty{{LineNo: 1, Qty: 4}}}, "lines[0].qty"},
			{"a line the order does not have", store.ReturnRequest{OrderID: "SO-1", Reason: models.ReturnNotNeeded, Lines: []store.ReturnQty{{LineNo: 9, Qty: 1}}}, "lines[0].qty"},
			{"no reason", store.ReturnRequest{OrderID: "SO-1", Lines: []store.ReturnQty{{LineNo: 1, Qty: 1}}}, "reason"},
			{"an unknown order", store.ReturnRequest{OrderID: "SO-X", Reason: models.ReturnNotNeeded, Lines: []store.ReturnQty{{LineNo: 1, Qty: 1}}}, "order_id"},
		} {
			if _, err := s.CreateReturn(ctx, tc.req); !isField(err, tc.field) {
				t.Fatalf("%s: %v, want a field error on %s", tc.name, err, tc.field)
			}
		}
		ask := store.ReturnRequest{Key: "k-1", OrderID: "SO-1", Reason: models.ReturnDamaged, Lines: []store.ReturnQty{{LineNo: 1, Qty: 2}}, By: "user:c", At: at}
		ret, err := s.CreateReturn(ctx, ask)
		if err != nil || ret.ID != "RMA-000001" || len(ret.Lines) != 1 || ret.Lines[0].InvoiceID != inv1.ID {
			t.Fatalf("return: %+v %v", ret, err)
		}
		if again, err := s.CreateReturn(ctx, ask); err != nil || again.ID != ret.ID || len(again.Lines) != 1 {
			t.Fatalf("the same request again: %+v %v; want %s", again, err, ret.ID)
		}
		// Two authorized and one shipped unit left: a return of 2 more is refused.
		if _, err := s.CreateReturn(ctx, store.ReturnRequest{OrderID: "SO-1", Reason: models.ReturnDamaged, Lines: []store.ReturnQty{{LineNo: 1, Qty: 2}}}); !isField(err, "lines[0].qty") {
			t.Fatalf("returning units already on a return: %v", err)
		}
		if _, err := s.ReceiveReturn(ctx, store.ReturnReceipt{ReturnID: ret.ID, Warehouse: "A", Lines: []store.ReceivedQty{{LineNo: 1, Received: 2, Sellable: 3}}}); !isField(err, "lines[0].sellable") {
			t.Fatalf("more sellable than received: %v", err)
		}
		if _, err := s.ReceiveReturn(ctx, store.ReturnReceipt{ReturnID: ret.ID, Warehouse: "A", Lines: []store.ReceivedQty{{LineNo: 1}}}); !isField(err, "lines") {
			t.Fatalf("nothing came back: %v, want a field error telling to cancel instead", err)
		}
		receipt := store.ReturnReceipt{ReturnID: ret.ID, Warehouse: "A", Lines: []store.ReceivedQty{{LineNo: 1, Received: 2, Sellable: 1}}, By: "user:w", At: at.Add(time.Hour)}
		got, err := s.ReceiveReturn(ctx, receipt)
		if err != nil || got.Return.Status != models.ReturnReceived || len(got.Receipts) != 1 || got.Receipts[0].Run == nil ||
			len(got.Receipts[0].Run.Picks) != 1 || got.Receipts[0].Run.Picks[0].OrderID != "SO-W" || got.Receipts[0].Run.Picks[0].Qty != 1 {
			t.Fatalf("received: %+v %v; want the sellable unit to fill SO-W", got, err)
		}
		if again, err := s.ReceiveReturn(ctx, receipt); err != nil || len(again.Receipts) != 0 || len(again.Credits) != 1 {
			t.Fatalf("receiving again: %+v %v; want the same credit to issue and no stock moved", again, err)
		}
		other := receipt
		other.Lines = []store.ReceivedQty{{LineNo: 1, Received: 2, Sellable: 2}}
		if _, err := s.ReceiveReturn(ctx, other); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("another receipt of a received return: %v, want a conflict", err)
		}
		if onHand, reserved := checkInvariants(t, s, "WID"); onHand != 2 || reserved != 2 {
			t.Fatalf("stock: on hand %d reserved %d; want 2 (SO-W's reserved unit and the returned one) and 2", onHand, reserved)
		}
		if r, err := s.ReturnByID(ctx, ret.ID); err != nil || r.CreditsPending != 1 {
			t.Fatalf("received, before its credit note: %d pending %v, want 1", r.CreditsPending, err)
		}
		cn1, err := s.IssueCreditNote(ctx, got.Credits[0])
		if err != nil || cn1.ID != "CN-000001" || cn1.Net != 6666 || cn1.Tax != 483 || cn1.Total != 7149 || cn1.Applied != 7149 || cn1.ToAccount != 0 {
			t.Fatalf("credit note for 2 of 3: %+v %v; want 66.66 + 4.83 = 71.49, all applied", cn1, err)
		}
		if again, err := s.IssueCreditNote(ctx, got.Credits[0]); err != nil || again.ID != cn1.ID {
			t.Fatalf("the same credit again: %+v %v", again, err)
		}
		if r, err := s.ReturnByID(ctx, ret.ID); err != nil || r.CreditsPending != 0 || len(r.CreditNotes) != 1 {
			t.Fatalf("after its credit note: %d pending, %d notes, %v", r.CreditsPending, len(r.CreditNotes), err)
		}
		last, err := s.CreateReturn(ctx, store.ReturnRequest{OrderID: "SO-1", Reason: models.ReturnNotNeeded, Lines: []store.ReturnQty{{LineNo: 1, Qty: 1}}, By: "user:c", At: at})
		if err != nil {
			t.Fatal(err)
		}
		gotLast, err := s.ReceiveReturn(ctx, store.ReturnReceipt{ReturnID: last.ID, Warehouse: "A", Lines: []store.ReceivedQty{{LineNo: 1, Received: 1}}, By: "user:w", At: at.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		cn2, err := s.IssueCreditNote(ctx, gotLast.Credits[0])
		if err != nil || cn2.ID != "CN-000002" || cn2.Net != 3333 || cn2.Tax != 242 || cn2.Total != 3575 || cn1.Total+cn2.Total != inv1.Total {
			t.Fatalf("the last unit: %+v %v; want 33.33 + 2.42 = 35.75, the rest of 107.24", cn2, err)
		}
		if inv, _ := s.InvoiceByID(ctx, inv1.ID); inv.Status != models.InvoicePaid || inv.Balance() != 0 {
			t.Fatalf("%s after crediting every unit: %s, balance %d", inv.ID, inv.Status, inv.Balance())
		}
		if _, err := s.CreateReturn(ctx, store.ReturnRequest{OrderID: "SO-1", Reason: models.ReturnNotNeeded, Lines: []store.ReturnQty{{LineNo: 1, Qty: 1}}}); !isField(err, "lines[0].qty") {
			t.Fatalf("a fourth unit back: %v", err)
		}

		// Finance: cancel the unpaid INV-000002 by credit note.
		cancel := store.CreditRequest{Key: "cancel-2", InvoiceID: inv2.ID, Kind: models.CreditCancellation, Reason: "billed twice", By: "user:f", At: at}
		cn3, err := s.IssueCreditNote(ctx, cancel)
		if err != nil || cn3.ID != "CN-000003" || cn3.Total != 2145 || cn3.Tax != 145 || cn3.Applied != 2145 {
			t.Fatalf("cancellation: %+v %v", cn3, err)
		}
		if inv, _ := s.InvoiceByID(ctx, inv2.ID); inv.Status != models.InvoiceVoid {
			t.Fatalf("cancelled invoice is %s, want void", inv.Status)
		}
		// A paid invoice cannot be cancelled; a correction of it goes to the account.
		if _, _, _, err := s.RecordPayment(ctx, store.PaymentRequest{InvoiceID: inv3.ID, Reference: "wire", Amount: 5000, RecordedBy: "user:f", ReceivedAt: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IssueCreditNote(ctx, store.CreditRequest{Key: "cancel-3", InvoiceID: inv3.ID, Kind: models.CreditCancellation, Reason: "x", At: at}); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("cancelling a paid invoice: %v", err)
		}
		if _, err := s.IssueCreditNote(ctx, store.CreditRequest{Key: "fix-big", InvoiceID: inv3.ID, Kind: models.CreditPriceCorrection, Amount: 5001, Reason: "x", At: at}); !isField(err, "amount") {
			t.Fatalf("crediting more than the invoice: %v", err)
		}
		cn4, err := s.IssueCreditNote(ctx, store.CreditRequest{Key: "fix-3", InvoiceID: inv3.ID, Kind: models.CreditPriceCorrection, Amount: 1000, Reason: "agreed price 40.00", By: "user:f", At: at})
		if err != nil || cn4.ID != "CN-000004" || cn4.Applied != 0 || cn4.ToAccount != 1000 {
			t.Fatalf("correction of a paid invoice: %+v %v", cn4, err)
		}
		if bal, err := s.CreditBalance(ctx, cust.ID, "USD"); err != nil || bal != 1000 {
			t.Fatalf("credit %d %v, want 1000", bal, err)
		}
		// Customer service sees it all on the customer's 360 view.
		v, err := s.Customer360(ctx, cust.ID, at)
		if err != nil || len(v.Returns) != 2 || len(v.CreditNotes) != 4 || len(v.UnusedCredit) != 1 || v.UnusedCredit[0].Credit != 1000 {
			t.Fatalf("360: %d returns, %d credit notes, credit %+v, %v; want 2, 4 and 10.00", len(v.Returns), len(v.CreditNotes), v.UnusedCredit, err)
		}
		if _, err := s.Refund(ctx, models.Refund{Key: "r1", CustomerID: cust.ID, Currency: "USD", Amount: 1001, Reference: "wire back"}); !isField(err, "amount") {
			t.Fatalf("refunding more than the credit: %v", err)
		}
		if _, err := s.Refund(ctx, models.Refund{Key: "r2", CustomerID: cust.ID, Currency: "USD", Amount: 1000, Reference: "wire back", RefundedBy: "user:f"}); err != nil {
			t.Fatal(err)
		}
		if bal, _ := s.CreditBalance(ctx, cust.ID, "USD"); bal != 0 {
			t.Fatalf("credit after the refund %d, want 0", bal)
		}
		// The same bank reference entered again is the same refund.
		if again, err := s.Refund(ctx, models.Refund{Key: "r3", CustomerID: cust.ID, Currency: "USD", Amount: 1000, Reference: "wire back", RefundedBy: "user:f"}); err != nil || again.Key != "r2" {
			t.Fatalf("the same reference again: %+v %v; want the first refund", again, err)
		}
		// Revenue nets every credit: 99.99 + 20.00 + 50.00 invoiced, less
		// 66.66 + 33.33 + 20.00 + 10.00 credited = 40.00.
		rep, err := s.Sales(ctx, store.SalesQuery{GroupBy: store.DimCustomer, Granularity: calendar.Month, From: at, To: at, Rank: store.SalesInvoiced})
		if err != nil || len(rep.Totals) != 1 || rep.Totals[0].Total.Invoiced.Net != 4000 {
			t.Fatalf("net revenue %+v %v, want 4000", rep.Totals, err)
		}
		list, err := s.ListCreditNotes(ctx, cust.ID, "", store.Page{})
		if err != nil || len(list.Items) != 4 || list.Items[0].ID != "CN-000004" {
			t.Fatalf("credit notes: %s %v", fmt.Sprint(list.Items), err)
		}
	})
}

// TestAReturnAfterAPriceCorrectionCreditsWhatIsLeft: 10 units billed
// 1,000.00, corrected by 500.00; 5 units back credit half of the 500.00
// left, 250.00 (not 500.00 at the billed price), and the last 5 the other
// 250.00: the invoice is credited exactly once in full.
func TestAReturnAfterAPriceCorrectionCreditsWhatIsLeft(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		stockUp(t, s, "WID", map[string]int64{"A": 10})
		cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		inv := soldAndInvoiced(t, s, "SO-9", cust.ID, 10, store.InvoiceLineFact{Gross: 100000, Net: 100000, Total: 100000}, at)
		if _, err := s.IssueCreditNote(ctx, store.CreditRequest{Key: "fix", InvoiceID: inv.ID, Kind: models.CreditPriceCorrection, Amount: 50000, Reason: "agreed", At: at}); err != nil {
			t.Fatal(err)
		}
		var totals []int64
		for i, key := range []string{"r1", "r2"} {
			cn, err := s.IssueCreditNote(ctx, store.CreditRequest{Key: key, InvoiceID: inv.ID, Kind: models.CreditForReturn, Reason: "back", At: at,
				Lines: []models.ReturnLine{{InvoiceID: inv.ID, LineNo: 1, SKU: "WID", Qty: 5, Received: 5}}})
			if err != nil {
				t.Fatalf("return %d: %v", i+1, err)
			}
			totals = append(totals, cn.Total)
		}
		if fmt.Sprint(totals) != "[25000 25000]" {
			t.Fatalf("returns credited %v, want 250.00 each", totals)
		}
		if _, err := s.IssueCreditNote(ctx, store.CreditRequest{Key: "r3", InvoiceID: inv.ID, Kind: models.CreditForReturn, Reason: "back", At: at,
			Lines: []models.ReturnLine{{InvoiceID: inv.ID, LineNo: 1, SKU: "WID", Qty: 1, Received: 1}}}); !isField(err, "lines") {
			t.Fatalf("an eleventh unit: %v", err)
		}
	})
}
