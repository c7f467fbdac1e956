package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestErasePerson: Ann is a user of Acme, its contact and the address its
// messages go to; after erasure none of her name, address or phone is
// left in those rows, she cannot sign in, another contact is untouched,
// and erasing again changes nothing.
func TestErasePerson(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := &models.Customer{Name: "Acme", Email: "Ann@Acme.test", Currency: "USD", Tier: 2, Segment: "smb", Region: "US-CA",
			Contacts: []models.CustomerContact{{Name: "Ann Smith", Email: "ann@acme.test", Phone: "+14155550100"}, {Name: "Bob Jones", Email: "bob@acme.test"}}}
		if err := s.NewCustomer(ctx, acme, models.AuditEvent{Actor: "user:t", Action: "customer.create", Entity: "customer"}); err != nil {
			t.Fatal(err)
		}
		cid := acme.ID
		if err := s.CreateUser(ctx, &models.User{Email: "ann@acme.test", Name: "Ann Smith", Phone: "+14155550100", Roles: models.Roles{models.RoleCustomer}, CustomerID: &cid, PasswordHash: "x", Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimNotification(ctx, models.Notification{IdempotencyKey: "k1", Event: "quote_ready", Channel: models.ChannelEmail,
			Recipient: "ann@acme.test", RecipientName: "Ann Smith", Subject: "Your quote", BodyText: "Dear Ann Smith"}); err != nil {
			t.Fatal(err)
		}

		// Her account's order copies her in its stored state.
		if err := s.SaveOrder(ctx, models.OrderRecord{ID: "SO-ANN", QuoteID: "Q-ANN", CustomerID: cid, Status: "allocated", Rev: 1, Currency: "USD",
			State: `{"customer":{"name":"Acme","email":"Ann@Acme.test","phone":"+14155550100"},"timeline":[{"detail":"accepted by Ann Smith"}],"total":1200}`},
			store.OrderFacts{}); err != nil {
			t.Fatal(err)
		}
		subject, err := s.LoginSubject("Ann@acme.test")
		if err != nil || strings.Contains(subject, "ann") {
			t.Fatalf("login subject %q, %v: the address must not show", subject, err)
		}
		if _, err := s.RecordLoginFailure(ctx, subject); err != nil {
			t.Fatal(err)
		}

		for _, bad := range []string{"", "not-an-email", "ann@", "@acme.test"} {
			if _, err := s.ErasePerson(ctx, bad); !isField(err, "email") {
				t.Fatalf("erase %q: %v, want a refusal naming email", bad, err)
			}
		}
		got, err := s.ErasePerson(ctx, " ANN@acme.test ")
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range map[string]int64{"users": 1, "customer_contacts": 1, "customers": 1, "notifications": 1, "login_throttle": 1, "orders": 1} {
			if got.Rows[table] != n {
				t.Errorf("%s: %d rows changed, want %d", table, got.Rows[table], n)
			}
		}
		if _, err := s.UserByEmail(ctx, "ann@acme.test"); err == nil {
			t.Error("Ann can still be found to sign in")
		}
		if o, err := s.OrderByID(ctx, "SO-ANN"); err != nil || strings.Contains(strings.ToLower(o.State), "ann") || strings.Contains(o.State, "4155550100") ||
			!strings.Contains(o.State, got.Pseudonym) || !strings.Contains(o.State, "accepted by "+store.ErasedName) || !strings.Contains(o.State, `"total":1200`) {
			t.Errorf("the order's state after erasure: %s, %v", o.State, err)
		}
		u, err := s.UserByEmail(ctx, got.Pseudonym)
		if err != nil || u.Active || u.Name != store.ErasedName || u.Phone != "" {
			t.Errorf("the erased user: %+v, %v", u, err)
		}
		c, err := s.CustomerByID(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		if c.Email != got.Pseudonym || len(c.Contacts) != 2 || c.Contacts[0].Name != store.ErasedName || c.Contacts[0].Phone != "" || c.Contacts[1].Name != "Bob Jones" {
			t.Errorf("the account after erasure: %+v", c)
		}
		n, err := s.NotificationByKey(ctx, "k1")
		if err != nil || strings.Contains(n.Recipient+n.RecipientName+n.Subject+n.BodyText, "Ann") || strings.Contains(n.Recipient, "ann@") {
			t.Errorf("the message after erasure: %+v, %v", n, err)
		}
		again, err := s.ErasePerson(ctx, "ann@acme.test")
		if err != nil || again.Rows["users"]+again.Rows["customer_contacts"]+again.Rows["notifications"] != 0 {
			t.Errorf("erasing again: %+v, %v", again, err)
		}
	})
}
