package store_test

import (
	"context"
	"errors"
	"fmt"
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

// TestCatalogSearch: the catalog is found by a part of the SKU, name or
// category ignoring case, by supplier only when asked (staff), never by a
// LIKE wildcard typed as text, and retired products only for staff.
func TestCatalogSearch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, p := range []models.Product{
			{SKU: "WID-100", Name: "Widget, steel", Category: "Widgets", Supplier: "Steelworks Inc", Active: true},
			{SKU: "GAD-310", Name: "Gadget controller", Category: "Controls", Supplier: "Circuit Co", Active: true},
			{SKU: "CAB-050", Name: "Cable, 5 m", Category: "Cables", Supplier: "Wire_Ltd", Active: true},
			{SKU: "OLD-001", Name: "Legacy widget", Category: "Widgets", Supplier: "Steelworks Inc", Active: false},
		} {
			p.UnitOfMeasure, p.ListPrice, p.Currency = "each", 100, "USD"
			if err := s.UpsertProduct(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			f    store.ProductFilter
			want string
		}{
			{"a part of the SKU", store.ProductFilter{Search: "gad-"}, "[GAD-310]"},
			{"a part of the name, any case", store.ProductFilter{Search: " WIDGET "}, "[OLD-001 WID-100]"},
			{"the category", store.ProductFilter{Search: "cables"}, "[CAB-050]"},
			{"retired hidden from customers", store.ProductFilter{Search: "widget", ActiveOnly: true}, "[WID-100]"},
			{"supplier not searched for customers", store.ProductFilter{Search: "steelworks", ActiveOnly: true}, "[]"},
			{"supplier searched for staff", store.ProductFilter{Search: "steelworks", BySupplier: true}, "[OLD-001 WID-100]"},
			{"an underscore is a character, not a wildcard", store.ProductFilter{Search: "e_l", BySupplier: true}, "[CAB-050]"},
			{"a percent sign is a character", store.ProductFilter{Search: "%"}, "[]"},
			{"blank finds everything", store.ProductFilter{Search: "  "}, "[CAB-050 GAD-310 OLD-001 WID-100]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				l, err := s.ListProducts(ctx, tc.f, store.Page{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range l.Items {
					got = append(got, p.SKU)
				}
				if fmt.Sprint(got) != tc.want {
					t.Fatalf("found %v, want %s", got, tc.want)
				}
			})
		}
	})
}
