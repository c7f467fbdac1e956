package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func TestShipInvoiceAndPay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		stockUp(t, s, "WID", map[string]int64{"A": 3, "B": 5})
		cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveOrder(ctx, models.OrderRecord{ID: "SO-1", QuoteID: "Q-1", CustomerID: cust.ID, Status: "allocated", Rev: 1, Currency: "USD", Total: 1000, State: "{}"}, store.OrderFacts{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "SO-1", LineNo: 1, SKU: "WID", Qty: 7, CustomerID: testCustomer}); err != nil {
			t.Fatal(err)
		}
		ship := store.Shipment{ID: "SO-1/1", OrderID: "SO-1", Carrier: "UPS", Tracking: "1Z", ShippedBy: "user:w", ShippedAt: now,
			Lines: []store.ShipLine{{LineNo: 1, SKU: "WID", Qty: 6}}}
		for range 2 { // the second is an activity retry
			if err := s.Ship(ctx, ship); err != nil {
				t.Fatal(err)
			}
		}
		onHand, reserved := checkInvariants(t, s, "WID")
		if onHand != 2 || reserved != 1 {
			t.Fatalf("after shipping 6 of 7: on hand %d reserved %d; want 2 and 1", onHand, reserved)
		}
		over := store.Shipment{ID: "SO-1/2", OrderID: "SO-1", Carrier: "UPS", Tracking: "1Z2", ShippedBy: "user:w", ShippedAt: now,
			Lines: []store.ShipLine{{LineNo: 1, SKU: "WID", Qty: 2}}}
		if err := s.Ship(ctx, over); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("shipping more than reserved: %v", err)
		}
		if onHand2, reserved2 := checkInvariants(t, s, "WID"); onHand2 != onHand || reserved2 != reserved {
			t.Fatal("a refused shipment changed stock")
		}

		inv := models.Invoice{OrderID: "SO-1", ShipmentID: "SO-1/1", CustomerID: cust.ID, Currency: "USD", Subtotal: 1000, Total: 1000, Lines: "[]", IssuedAt: now, DueAt: now.AddDate(0, 0, 30)}
		first, err := s.CreateInvoice(ctx, inv, nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.CreateInvoice(ctx, inv, nil)
		if err != nil || again.Number != first.Number || first.Number != 1 || first.ID != "INV-000001" {
			t.Fatalf("invoice %+v, retry %+v, %v", first, again, err)
		}
		// A failed invoice (its shipment does not exist) gives its number back.
		if _, err := s.CreateInvoice(ctx, models.Invoice{OrderID: "SO-1", ShipmentID: "nope", CustomerID: cust.ID, Currency: "USD", Lines: "[]", IssuedAt: now, DueAt: now}, nil); err == nil {
			t.Fatal("invoice for a missing shipment")
		}
		if err := s.Ship(ctx, store.Shipment{ID: "SO-1/3", OrderID: "SO-1", Carrier: "UPS", Tracking: "x", ShippedBy: "w", ShippedAt: now, Lines: []store.ShipLine{{LineNo: 1, SKU: "WID", Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
		second, err := s.CreateInvoice(ctx, models.Invoice{OrderID: "SO-1", ShipmentID: "SO-1/3", CustomerID: cust.ID, Currency: "USD", Total: 10, Lines: "[]", IssuedAt: now, DueAt: now}, nil)
		if err != nil || second.Number != 2 {
			t.Fatalf("second invoice number %d (%v): numbers must have no gaps", second.Number, err)
		}

		pays := []struct {
			ref      string
			amount   int64
			status   string
			paid     int64
			recorded bool
		}{
			{"wire-1", 400, models.InvoicePartiallyPaid, 400, true},
			{"wire-1", 400, models.InvoicePartiallyPaid, 400, false}, // entered twice: counts once
			{"wire-2", 700, models.InvoicePaid, 1000, true},          // 100 over: credit
		}
		for _, p := range pays {
			got, _, recorded, err := s.RecordPayment(ctx, store.PaymentRequest{InvoiceID: first.ID, Reference: p.ref, Amount: p.amount, RecordedBy: "user:f", ReceivedAt: now})
			if err != nil || got.Status != p.status || got.Paid != p.paid || recorded != p.recorded {
				t.Fatalf("payment %s: %+v, %v", p.ref, got, err)
			}
		}
		// Another amount under a recorded reference is another payment:
		// refused, not taken for the first one entered again.
		if got, _, recorded, err := s.RecordPayment(ctx, store.PaymentRequest{InvoiceID: first.ID, Reference: "wire-1", Amount: 250, RecordedBy: "user:f", ReceivedAt: now}); !errors.Is(err, models.ErrConflict) || recorded {
			t.Fatalf("a second amount under wire-1: %+v recorded %v, %v; want a conflict", got, recorded, err)
		}
		if credit, err := s.CreditBalance(ctx, cust.ID, "USD"); err != nil || credit != 100 {
			t.Fatalf("credit %d, %v; want 100", credit, err)
		}
		// The credit pays what it can of the customer's next invoice in
		// that currency, once, as a payment by credit.
		if _, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "SO-1", LineNo: 2, SKU: "WID", Qty: 1, CustomerID: testCustomer}); err != nil {
			t.Fatal(err)
		}
		if err := s.Ship(ctx, store.Shipment{ID: "SO-1/4", OrderID: "SO-1", Carrier: "UPS", Tracking: "y", ShippedBy: "w", ShippedAt: now, Lines: []store.ShipLine{{LineNo: 2, SKU: "WID", Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
		third := models.Invoice{OrderID: "SO-1", ShipmentID: "SO-1/4", CustomerID: cust.ID, Currency: "USD", Total: 250, Lines: "[]", IssuedAt: now, DueAt: now}
		for range 2 { // the second is a retry: the credit is not spent twice
			got, err := s.CreateInvoice(ctx, third, nil)
			if err != nil || got.Paid != 100 || got.Status != models.InvoicePartiallyPaid {
				t.Fatalf("invoice after a 100 credit: paid %d status %s, %v; want 100 and partially paid", got.Paid, got.Status, err)
			}
		}
		if credit, err := s.CreditBalance(ctx, cust.ID, "USD"); err != nil || credit != 0 {
			t.Fatalf("credit after use %d, %v; want 0", credit, err)
		}
		if p, err := s.PaymentByReference(ctx, "INV-000003", store.CreditReference); err != nil || p.Applied != 100 {
			t.Fatalf("the credit is not recorded as a payment: %+v, %v", p, err)
		}
		if got, err := s.MarkOverdue(ctx, first.ID); err != nil || got.Status != models.InvoicePaid {
			t.Fatalf("a paid invoice became %s", got.Status)
		}
		if got, err := s.MarkOverdue(ctx, second.ID); err != nil || got.Status != models.InvoiceOverdue {
			t.Fatalf("unpaid invoice is %s", got.Status)
		}
	})
}

// After a restore, an invoice Temporal remembers is issued again with its
// own number, and the counter moves past it, so the next invoice never
// takes a number a customer already holds; a number below the counter
// leaves the counter where it is.
func TestInvoiceReissuedWithItsNumber(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		stockUp(t, s, "WID", map[string]int64{"A": 10})
		cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveOrder(ctx, models.OrderRecord{ID: "SO-1", QuoteID: "Q-1", CustomerID: cust.ID, Status: "allocated", Rev: 1, Currency: "USD", Total: 1000, State: "{}"}, store.OrderFacts{}); err != nil {
			t.Fatal(err)
		}
		for line := 1; line <= 3; line++ {
			if _, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "SO-1", LineNo: line, SKU: "WID", Qty: 1, CustomerID: testCustomer}); err != nil {
				t.Fatal(err)
			}
			if err := s.Ship(ctx, store.Shipment{ID: fmt.Sprintf("SO-1/%d", line), OrderID: "SO-1", Carrier: "UPS", Tracking: "x", ShippedBy: "w", ShippedAt: now,
				Lines: []store.ShipLine{{LineNo: line, SKU: "WID", Qty: 1}}}); err != nil {
				t.Fatal(err)
			}
		}
		issue := func(shipment string, number int64) models.Invoice {
			t.Helper()
			inv, err := s.CreateInvoice(ctx, models.Invoice{OrderID: "SO-1", ShipmentID: shipment, CustomerID: cust.ID, Currency: "USD", Total: 10,
				Lines: "[]", IssuedAt: now, DueAt: now, Number: number}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return inv
		}
		tests := []struct {
			name, shipment string
			number, want   int64
		}{
			{"reissued with the number it was given", "SO-1/2", 7, 7},
			{"the next one goes past it", "SO-1/1", 0, 8},
			{"a reissue below the counter leaves it", "SO-1/3", 5, 5},
		}
		for _, tc := range tests {
			if got := issue(tc.shipment, tc.number); got.Number != tc.want || got.ID != fmt.Sprintf("INV-%06d", tc.want) {
				t.Errorf("%s: %s (%d), want number %d", tc.name, got.ID, got.Number, tc.want)
			}
		}
		if n, err := s.NextNumber(ctx, "invoice"); err != nil || n != 9 {
			t.Errorf("next number %d (%v), want 9", n, err)
		}
		for want := int64(1); want <= 2; want++ {
			if n, err := s.NextNumber(ctx, "credit-note"); err != nil || n != want {
				t.Errorf("a new counter's number %d (%v), want %d", n, err, want)
			}
		}
	})
}
