package store_test

import (
	"context"
	"errors"
	"testing"

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
		for _, q := range []string{"7700900123", "+44 20 7946", "umbre"} {
			l, err := s.ListCustomers(ctx, "", q, store.Page{Limit: 10})
			if err != nil || len(l.Items) != 1 || l.Items[0].ID != c.ID {
				t.Fatalf("search %q: %+v %v", q, l.Items, err)
			}
		}
	})
}
