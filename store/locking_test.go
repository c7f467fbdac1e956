package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestRowLocksLetReferencesIn: while a credit check holds a customer's row
// lock, a quote for that customer is saved at once: the lock keeps other
// lockers out, not the rows that point at the customer. With FOR UPDATE
// the save waits for the lock's transaction, which here waits for the
// save, and the bound below ends it. Postgres only: SQLite has no row
// locks, and its writers take turns on the whole database.
func TestRowLocksLetReferencesIn(t *testing.T) {
	s := testdb.Postgres(t)
	ctx := context.Background()
	c := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
	if err := s.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	err := s.Tx(ctx, func(tx *store.Store) error {
		if err := tx.LockCustomer(ctx, c.ID); err != nil {
			return err
		}
		bounded, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return s.SaveQuote(bounded, models.QuoteRecord{ID: "Q-1", CustomerID: c.ID, Status: "draft", Version: 1, Rev: 1, Currency: "USD", State: "{}", CreatedBy: "user:r"})
	})
	if err != nil {
		t.Fatalf("a quote for a customer under a credit check's lock: %v", err)
	}
	// Lockers still exclude each other: a second lock waits for the first.
	err = s.Tx(ctx, func(tx *store.Store) error {
		if err := tx.LockCustomer(ctx, c.ID); err != nil {
			return err
		}
		bounded, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		return s.Tx(bounded, func(other *store.Store) error { return other.LockCustomer(bounded, c.ID) })
	})
	if err == nil {
		t.Fatal("a second transaction took a customer's row lock while the first held it")
	}
}
