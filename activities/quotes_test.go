package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/workflows"
)

// A quote is priced with the customer's payment terms and a copy of the
// ship-to asked for, or of the default one.
func TestPriceQuoteTakesShipToAndTerms(t *testing.T) {
	st := testdb.SQLite(t)
	ctx := context.Background()
	if err := st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 1000, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTaxRate(ctx, "US-IL", 625, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatal(err)
	}
	acme := &models.Customer{Name: "Acme", Email: "a@example.com", Region: "US-IL", Tier: 2, Currency: "USD", TermsDays: 15, Addresses: []models.Address{
		{Kind: models.AddressBilling, Line1: "1 Main St", City: "Springfield", Country: "US"},
		{Kind: models.AddressShipping, Label: "Plant", Line1: "9 Mill Rd", City: "Shelbyville", Country: "US"},
		{Kind: models.AddressShipping, Label: "Dock", Line1: "2 Pier", City: "Springfield", Country: "US", IsDefault: true},
	}}
	other := &models.Customer{Name: "Other", Email: "o@example.com", Tier: 2, Currency: "USD", Addresses: []models.Address{
		{Kind: models.AddressShipping, Line1: "5 Elm", City: "Ogdenville", Country: "US"}}}
	for _, c := range []*models.Customer{acme, other} {
		if err := st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &activities.Activities{Store: st}
	env.RegisterActivity(a)
	tests := []struct {
		name, shipTo, want, problem string
	}{
		{"the default ship-to", "", "Dock", ""},
		{"one asked for", acme.Addresses[1].ID, "Plant", ""},
		{"a billing address", acme.Addresses[0].ID, "", "ship_to_id"},
		{"another customer's", other.Addresses[0].ID, "", "ship_to_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := env.ExecuteActivity(a.PriceQuote, workflows.PriceQuoteInput{CustomerID: acme.ID, ShipToID: tc.shipTo,
				Lines: []pricing.Line{{SKU: "WID", Qty: 1}}, At: time.Now()})
			if tc.problem != "" {
				var appErr *temporal.ApplicationError
				var fields []models.FieldError
				if !errors.As(err, &appErr) || appErr.Details(&fields) != nil || len(fields) != 1 || fields[0].Field != tc.problem {
					t.Fatalf("got %v %+v, want a problem with %s", err, fields, tc.problem)
				}
				return
			}
			var q workflows.PricedQuote
			if err != nil || v.Get(&q) != nil {
				t.Fatal(err)
			}
			if q.ShipTo == nil || q.ShipTo.Label != tc.want || q.TermsDays == nil || *q.TermsDays != 15 || !strings.Contains(q.Terms, "(net 15)") {
				t.Fatalf("priced %+v terms %v %q", q.ShipTo, q.TermsDays, q.Terms)
			}
		})
	}
}
