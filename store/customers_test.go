package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func TestCustomerMasterDataOnEachEngine(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &models.Customer{Name: "Umbrella", Email: "u@example.com", Phone: "+442079460000", Segment: "smb", Region: "EU", Tier: 2, Currency: "GBP",
			Contacts:  []models.CustomerContact{{Name: "Ada", Phone: "+447700900123"}},
			Addresses: []models.Address{{Kind: models.AddressShipping, Line1: "4 Wharf Rd", City: "Tilbury", Country: "GB"}}}
		if err := s.NewCustomer(ctx, c, models.AuditEvent{Actor: "user:t", Action: "customer.create", Entity: "customer"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.CustomerByID(ctx, c.ID)
		if err != nil || got.TermsDays != models.TermsDueOnReceipt || len(got.Addresses) != 1 || got.Addresses[0].ID != c.Addresses[0].ID {
			t.Fatalf("stored %+v %v (a complete record keeps 0 days: due on receipt)", got, err)
		}
		plain := &models.Customer{Name: "Plain", Email: "p@example.com", Tier: 2, Currency: "USD"}
		if err := s.CreateCustomer(ctx, plain); err != nil || plain.TermsDays != models.DefaultTermsDays {
			t.Fatalf("a record without terms gets net %d (%v), want the default", plain.TermsDays, err)
		}
		limit := int64(100000)
		up, err := s.UpdateCustomer(ctx, c.ID, 1, func(c *models.Customer) error {
			c.CreditLimit, c.TermsDays = &limit, 15
			c.Addresses = append(c.Addresses, models.Address{Kind: models.AddressBilling, Line1: "1 Raccoon St", City: "London", Country: "GB"})
			return nil
		}, models.AuditEvent{Actor: "user:t", Action: "customer.credit", Entity: "customer"})
		if err != nil || up.Version != 2 || *up.CreditLimit != limit || len(up.Addresses) != 2 {
			t.Fatalf("updated %+v %v", up, err)
		}
		if _, err := s.UpdateCustomer(ctx, c.ID, 1, func(c *models.Customer) error { c.Name = "Other"; return nil }, models.AuditEvent{}); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("a stale change: %v, want a conflict", err)
		}
		// An open quote and a portal sign-in lead to their account too.
		if err := s.SaveQuote(ctx, models.QuoteRecord{ID: "Q-OPEN1", CustomerID: c.ID, Status: "approved", Version: 1, Rev: 1, Currency: "GBP",
			CreatedBy: "x", State: "{}"}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, &models.User{Email: "buyer@umbrella.example", Name: "Buyer", Roles: models.Roles{models.RoleCustomer},
			CustomerID: &c.ID, PasswordHash: "x", Active: true}); err != nil {
			t.Fatal(err)
		}
		// Emails and phones are sealed: found whole (however typed), through
		// their keyed hashes, never by a part.
		searches := []struct {
			name, q string
			found   bool
		}{
			{"a contact's phone as typed", "+44 7700 900123", true},
			{"the account's phone", "+44 20 7946 0000", true},
			{"the account's email in another case", "U@Example.com", true},
			{"part of the name", "umbre", true},
			{"a quote not yet an order", "q-open1", true},
			{"a portal sign-in's email", "Buyer@Umbrella.example", true},
			{"part of a phone", "7700900123", false},
			{"part of an email", "example.com", false},
		}
		for _, tc := range searches {
			l, err := s.ListCustomers(ctx, "", tc.q, store.Page{Limit: 10})
			if err != nil || tc.found != (len(l.Items) == 1 && l.Items[0].ID == c.ID) || len(l.Items) > 1 {
				t.Fatalf("%s (%q): %+v %v; found: want %v", tc.name, tc.q, l.Items, err, tc.found)
			}
		}
	})
}

// TestCreditPosition reads the sales data set (see newSalesData and
// payments) as a credit check would.
func TestCreditPosition(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		d := newSalesData(t, s)
		payments(t, d)
		ctx := context.Background()
		limit := int64(40000)
		if _, err := s.UpdateCustomer(ctx, d.acme.ID, 1, func(c *models.Customer) error { c.CreditLimit = &limit; return nil }, models.AuditEvent{Actor: "t", Action: "customer.credit", Entity: "customer"}); err != nil {
			t.Fatal(err)
		}
		acmeDue, coreDue := utc(12, 16, 15), utc(12, 4, 15) // O4's invoice of Nov 16 and O3's of Nov 4, each + 30 days
		tests := []struct {
			name                      string
			customer                  models.Customer
			now                       time.Time
			open, uninvoiced, overdue int64
			oldest                    *time.Time
			limit                     *int64
		}{
			// Acme: O1 (16800) shipped and paid; O4 (4000 + 45000 = 49000) invoiced 28000, unpaid.
			{"acme before its invoice is due", d.acme, utc(12, 10, 12), 28000, 49000 - 28000, 0, nil, &limit},
			// Due Dec 16 15:00: not overdue until a day later, as the dunning counts.
			{"acme the morning after its due date", d.acme, utc(12, 17, 12), 28000, 21000, 0, nil, &limit},
			{"acme after", d.acme, utc(12, 20, 12), 28000, 21000, 28000, &acmeDue, &limit},
			// Core: O3's invoice (2000) unpaid; O5 (3000 − 300 = 2700) not shipped.
			{"core", d.core, utc(12, 20, 12), 2000, 2700, 2000, &coreDue, nil},
			// Bolt: INV-2 (5000) paid 6000; O2 shipped.
			{"bolt", d.bolt, utc(12, 20, 12), 0, 0, 0, nil, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c, err := s.CreditPosition(ctx, tc.customer.ID, tc.now)
				if err != nil {
					t.Fatal(err)
				}
				if c.Currency != "USD" || c.OpenInvoices != tc.open || c.Uninvoiced != tc.uninvoiced || c.OverdueBalance != tc.overdue {
					t.Fatalf("got %+v, want open %d uninvoiced %d overdue %d", c, tc.open, tc.uninvoiced, tc.overdue)
				}
				if (c.OldestOverdue == nil) != (tc.oldest == nil) || (tc.oldest != nil && !c.OldestOverdue.Equal(*tc.oldest)) {
					t.Fatalf("oldest overdue %v, want %v", c.OldestOverdue, tc.oldest)
				}
				if (c.Limit == nil) != (tc.limit == nil) || (tc.limit != nil && *c.Limit != *tc.limit) {
					t.Fatalf("limit %v, want %v", c.Limit, tc.limit)
				}
			})
		}
	})
}

// TestCreditChecksAtOnce: eight acceptances of 2177 each at the same moment
// against a limit of 5000 with nothing owed: two fit and are committed, the
// others are held. Checking a committed quote again counts it once; once its
// order is saved the order counts instead.
func TestCreditChecksAtOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		limit := int64(5000)
		c := &models.Customer{Name: "Globex", Email: "g@example.com", Tier: 2, Currency: "USD", CreditLimit: &limit}
		if err := s.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		const n = 8
		held := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, reasons, err := s.CheckCredit(ctx, store.CreditCheck{CustomerID: c.ID, QuoteID: fmt.Sprintf("Q-%d", i), Currency: "USD", Total: 2177, At: at, OverdueDays: 30})
				held[i], errs[i] = len(reasons) > 0, err
			})
		}
		wg.Wait()
		passed := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if !held[i] {
				passed++
			}
		}
		if passed != 2 {
			t.Fatalf("%d of %d passed a limit two fit in (held %v)", passed, n, held)
		}
		pos, err := s.CreditPosition(ctx, c.ID, at)
		if err != nil || pos.Uninvoiced != 2*2177 {
			t.Fatalf("position %+v %v, want the two commitments", pos, err)
		}
		first := ""
		for i := n - 1; i >= 0; i-- {
			if !held[i] {
				first = fmt.Sprintf("Q-%d", i)
			}
		}
		if _, reasons, err := s.CheckCredit(ctx, store.CreditCheck{CustomerID: c.ID, QuoteID: first, Currency: "USD", Total: 2177, At: at, OverdueDays: 30}); err != nil || len(reasons) != 0 {
			t.Fatalf("a retried check of a committed quote: %q %v", reasons, err)
		}
		if err := s.SaveOrder(ctx, models.OrderRecord{ID: "SO" + first[1:], QuoteID: first, CustomerID: c.ID, Status: "allocating", Rev: 1, Currency: "USD", Total: 2177, State: "{}"}, store.OrderFacts{}); err != nil {
			t.Fatal(err)
		}
		if pos, err := s.CreditPosition(ctx, c.ID, at); err != nil || pos.Uninvoiced != 2*2177 {
			t.Fatalf("after the order is saved: %+v %v, want it counted once", pos, err)
		}
	})
}
