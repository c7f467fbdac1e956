package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestPersonalDataIsTheAccountsAndAll: the export of one customer holds its
// orders, invoices, its user (without the password hash) and its audit
// entries, and nothing of another customer's.
func TestPersonalDataIsTheAccountsAndAll(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		d := newSalesData(t, s)
		ctx := context.Background()
		cid := d.acme.ID
		u := &models.User{Email: "buyer@acme.test", Name: "Ann Buyer", Roles: models.Roles{models.RoleCustomer}, CustomerID: &cid, PasswordHash: "$2a$04$secret", Active: true}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, models.AuditEvent{Actor: "user:x", Action: "customer.credit", Entity: "customer", EntityID: cid}); err != nil {
			t.Fatal(err)
		}
		got, err := s.PersonalData(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		for table, atLeast := range map[string]int{"orders": 1, "invoices": 1, "users": 1, "audit_events": 1} {
			if n := len(got.Tables[table]); n < atLeast {
				t.Errorf("%s: %d rows, want at least %d", table, n, atLeast)
			}
		}
		if strings.Contains(string(raw), "$2a$04$secret") || strings.Contains(string(raw), "password_hash") {
			t.Error("the export holds the password hash")
		}
		for _, other := range []string{d.bolt.ID, d.core.ID} {
			if strings.Contains(string(raw), other) {
				t.Errorf("the export names another customer, %s", other)
			}
		}
		if !strings.Contains(string(raw), "Ann Buyer") || got.Customer.ID != cid {
			t.Error("the export lacks the account's own user or record")
		}
	})
}
