package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestProductEditsFromAnOldVersionAreRefused: every save counts a version;
// an edit made from an older one is a conflict and changes nothing.
func TestProductEditsFromAnOldVersionAreRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := &models.Product{SKU: "GEAR-1", Name: "Gear", UnitOfMeasure: "each", ListPrice: 100, Currency: "USD", Active: true}
		if err := s.UpsertProduct(ctx, p); err != nil || p.Version != 1 {
			t.Fatalf("created at version %d: %v", p.Version, err)
		}
		p.ListPrice = 150
		if err := s.UpsertProduct(ctx, p); err != nil || p.Version != 2 {
			t.Fatalf("saved again at version %d: %v", p.Version, err)
		}
		edit := &models.Product{SKU: "GEAR-1", Name: "Gear", UnitOfMeasure: "each", ListPrice: 90, Currency: "USD", Active: true}
		if err := s.UpdateProduct(ctx, edit, 1); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("an edit from version 1 at version 2: %v", err)
		}
		if cur, err := s.ProductBySKU(ctx, "GEAR-1"); err != nil || cur.ListPrice != 150 || cur.Version != 2 {
			t.Fatalf("after the refused edit: %+v %v", cur, err)
		}
		if err := s.UpdateProduct(ctx, edit, 2); err != nil || edit.Version != 3 || edit.ListPrice != 90 {
			t.Fatalf("an edit from the current version: %+v %v", edit, err)
		}
		missing := &models.Product{SKU: "NOPE-1", Name: "x", Currency: "USD"}
		if err := s.UpdateProduct(ctx, missing, 1); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("an edit of a product that is not there: %v", err)
		}
	})
}
