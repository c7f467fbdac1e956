package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestPeopleSealedAtRest: people's emails, names, phones and street
// addresses were plain in the database. Rows written before sealing began
// are sealed by the migration, new ones as they are written; reading them
// around q2c (a backup, a replica, a database user) shows none of it, and
// q2c still finds a user by address and reads every field back.
func TestPeopleSealedAtRest(t *testing.T) {
	ctx := context.Background()
	url := testdb.PostgresURL(t)
	s := testdb.Open(t, url)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// A database from before sealing: plain rows, migration 18 not applied.
	exec(`INSERT INTO customers (id, name, email, phone, tier, currency, created_at) VALUES ('C-OLD', 'Old Co', 'old@example.com', '+15550100', 1, 'USD', now())`)
	exec(`INSERT INTO customer_contacts (id, customer_id, position, name, email, phone) VALUES ('CT-OLD', 'C-OLD', 0, 'Olga Old', 'olga@example.com', '+15550101')`)
	exec(`INSERT INTO customer_addresses (id, customer_id, position, kind, line1, city, postal_code, country) VALUES ('A-OLD', 'C-OLD', 0, 'billing', '9 Elm Street', 'Springfield', '12345', 'US')`)
	exec(`INSERT INTO users (id, email, name, phone, roles, password_hash, active, token_version, created_at, updated_at) VALUES ('U-OLD', 'olga@example.com', 'Olga Old', '+15550101', 'finance', 'x', true, 1, now(), now())`)
	exec(`INSERT INTO orders (id, quote_id, customer_id, status, rev, currency, total, state, created_at, updated_at) VALUES ('SO-OLD', 'Q-OLD', 'C-OLD', 'allocated', 1, 'USD', 0, '{"email":"olga@example.com"}', now(), now())`)
	for _, sql := range []string{
		`DELETE FROM schema_migrations WHERE version = 18`,
		`DROP INDEX users_email_hash`, `DROP INDEX customers_email_hash`, `DROP INDEX customers_phone_hash`,
		`DROP INDEX customer_contacts_email_hash`, `DROP INDEX customer_contacts_phone_hash`,
		`ALTER TABLE users DROP COLUMN email_hash`, `ALTER TABLE customers DROP COLUMN email_hash`, `ALTER TABLE customers DROP COLUMN phone_hash`,
		`ALTER TABLE customer_contacts DROP COLUMN email_hash`, `ALTER TABLE customer_contacts DROP COLUMN phone_hash`,
	} {
		exec(sql)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A customer and a user written now.
	c := &models.Customer{Name: "New Co", Email: "new@example.com", Phone: "+15550200", Tier: 1, Currency: "USD",
		Contacts:  []models.CustomerContact{{Name: "Nina New", Email: "nina@example.com", Phone: "+15550201"}},
		Addresses: []models.Address{{Kind: models.AddressShipping, Line1: "1 Oak Avenue", City: "Shelbyville", PostalCode: "54321", Country: "US"}}}
	if err := s.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &models.User{Email: "Nina@Example.com", Name: "Nina New", Phone: "+15550201", Roles: models.Roles{models.RoleSalesRep}, PasswordHash: "x", Active: true}); err != nil {
		t.Fatal(err)
	}

	if err := s.SaveOrder(ctx, models.OrderRecord{ID: "SO-NEW", QuoteID: "Q-NEW", CustomerID: c.ID, Status: "allocated", Rev: 1, Currency: "USD",
		State: `{"email":"nina@example.com"}`}, store.OrderFacts{}); err != nil {
		t.Fatal(err)
	}
	clear := []string{"example.com", "Olga", "Nina", "5550", "Elm", "Oak", "12345", "54321"}
	for _, q := range []string{
		`SELECT state FROM orders`,
		`SELECT email || ' ' || phone FROM customers`,
		`SELECT name || ' ' || email || ' ' || phone FROM customer_contacts`,
		`SELECT line1 || ' ' || coalesce(postal_code, '') FROM customer_addresses`,
		`SELECT email || ' ' || name || ' ' || phone FROM users`,
	} {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(vals) != 2 {
			t.Fatalf("%s: %d rows, %v", q, len(vals), err)
		}
		for _, v := range vals {
			for _, c := range clear {
				if strings.Contains(v, c) {
					t.Errorf("%s: %q holds %q in clear", q, v, c)
				}
			}
		}
	}

	tests := []struct{ name, email, wantID string }{
		{"a user from before sealing, by address", "OLGA@example.com", "U-OLD"},
		{"a user written sealed", "nina@example.com", ""},
	}
	for _, tc := range tests {
		u, err := s.UserByEmail(ctx, tc.email)
		if err != nil || (tc.wantID != "" && u.ID != tc.wantID) || !strings.EqualFold(u.Email, tc.email) || u.Phone == "" {
			t.Errorf("%s: %+v, %v", tc.name, u, err)
		}
	}
	for id, want := range map[string]string{"SO-OLD": "olga@example.com", "SO-NEW": "nina@example.com"} {
		if o, err := s.OrderByID(ctx, id); err != nil || !strings.Contains(o.State, want) {
			t.Errorf("order %s reads back as %q, %v", id, o.State, err)
		}
	}
	old, err := s.CustomerByID(ctx, "C-OLD")
	if err != nil || old.Email != "old@example.com" || old.Phone != "+15550100" || old.Contacts[0].Name != "Olga Old" ||
		old.Contacts[0].Email != "olga@example.com" || old.Addresses[0].Line1 != "9 Elm Street" || old.Addresses[0].PostalCode != "12345" {
		t.Fatalf("a customer sealed by the migration reads back as %+v, %v", old, err)
	}
	for _, q := range []string{"olga@example.com", "+1 555 0100", "new@example.com", "+1 555 0201"} {
		l, err := s.ListCustomers(ctx, "", q, store.Page{Limit: 10})
		if err != nil || len(l.Items) != 1 {
			t.Errorf("search %q: %+v, %v", q, l.Items, err)
		}
	}

	// A key rotation: the new key first, Reseal, and then the old key can
	// go: every value opens and every lookup finds with the new key alone.
	next := keyring.Generate("next")
	rotated, _ := keyring.Parse(next + "," + testdb.KeySpec)
	s.SetKeys(rotated)
	// Before the reseal, an address indexed under the old key is still taken.
	if err := s.CreateUser(ctx, &models.User{Email: "OLGA@example.com", Name: "Twin", Roles: models.Roles{models.RoleFinance}, PasswordHash: "x", Active: true}); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("a second user with an address indexed under the old key: %v, want a conflict", err)
	}
	n, err := s.Reseal(ctx)
	// 2 users × 3, 2 customers × 2, 2 contacts × 3, 2 addresses × 2 (line2
	// empty), 2 orders' states: 22 values.
	if err != nil || n != 22 {
		t.Fatalf("reseal: %d values, %v; want 22", n, err)
	}
	if n, err := s.Reseal(ctx); err != nil || n != 0 {
		t.Fatalf("a second reseal rewrote %d values, %v", n, err)
	}
	only, _ := keyring.Parse(next)
	s.SetKeys(only)
	if u, err := s.UserByEmail(ctx, "olga@example.com"); err != nil || u.Name != "Olga Old" {
		t.Fatalf("after the old key went: %+v, %v", u, err)
	}
	if l, err := s.ListCustomers(ctx, "", "+1 555 0201", store.Page{Limit: 10}); err != nil || len(l.Items) != 1 {
		t.Fatalf("search after the old key went: %+v, %v", l.Items, err)
	}
	if c, err := s.CustomerByID(ctx, "C-OLD"); err != nil || c.Addresses[0].Line1 != "9 Elm Street" {
		t.Fatalf("after the old key went: %+v, %v", c, err)
	}
}
