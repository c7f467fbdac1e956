// Package seed fills an empty database with a demo catalog, stock,
// customers and one user per role, so the dev stack is usable at once.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
)

// DemoPassword is every demo user's password. Demo data is for the dev stack
// and trials only; never seed a production database with it.
const DemoPassword = "q2c-demo-password"

// Login is a demo user's sign-in.
type Login struct {
	Email string
	Roles models.Roles
	// Name is what people see: timelines, decisions, notes and greetings
	// read "Sam Patel", not an email address.
	Name string
}

// DemoUsers lists the demo logins, one per role; the customer's user belongs
// to Acme.
var DemoUsers = []Login{
	{"admin@q2c.local", models.Roles{models.RoleITAdmin}, "Ari Novak"},
	{"rep@q2c.local", models.Roles{models.RoleSalesRep}, "Riley Chen"},
	{"manager@q2c.local", models.Roles{models.RoleSalesManager}, "Morgan Lee"},
	{"pricing@q2c.local", models.Roles{models.RolePricingAnalyst}, "Priya Shah"},
	{"approver@q2c.local", models.Roles{models.RoleApprover}, "Sam Patel"},
	{"warehouse@q2c.local", models.Roles{models.RoleWarehouseManager}, "Wes Turner"},
	{"production@q2c.local", models.Roles{models.RoleProductionManager}, "Omar Haddad"},
	{"service@q2c.local", models.Roles{models.RoleCustomerService}, "Jordan Kim"},
	{"servicelead@q2c.local", models.Roles{models.RoleServiceManager}, "Casey Brooks"},
	{"finance@q2c.local", models.Roles{models.RoleFinance}, "Fiona Walsh"},
	{"marketing@q2c.local", models.Roles{models.RoleMarketing}, "Mia Lopez"},
	{"supply@q2c.local", models.Roles{models.RoleSupplyChain}, "Sofia Rossi"},
	{"exec@q2c.local", models.Roles{models.RoleExecutive}, "Evelyn Stone"},
	{"buyer@acme.example", models.Roles{models.RoleCustomer}, "Wile E. Coyote"},
}

// Demo seeds an empty database: warehouses, products, stock, customers,
// tax rates for three regions, an enterprise price list with a volume tier,
// and one user per role.
//
// Demo seeds an empty database and reports whether it did anything: a
// database that already has users is left alone, so restarts keep data.
func Demo(ctx context.Context, st *store.Store) (bool, error) {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	// One hash for all demo users keeps first start fast; each login still
	// goes through bcrypt.
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return false, err
	}
	err = st.Tx(ctx, func(tx *store.Store) error {
		for _, w := range []models.Warehouse{
			{Code: "SFO", Name: "San Francisco DC", Region: "US-West"},
			{Code: "NYC", Name: "New York DC", Region: "US-East"},
		} {
			if err := tx.UpsertWarehouse(ctx, w); err != nil {
				return err
			}
		}
		products := []models.Product{
			{SKU: "WID-100", Category: "Widgets", Name: "Widget, steel", UnitOfMeasure: "each", ListPrice: 1999, Currency: "USD", Supplier: "Steelworks Inc", LeadTimeDays: 14, Active: true},
			{SKU: "WID-200", Category: "Widgets", Name: "Widget, titanium", UnitOfMeasure: "each", ListPrice: 8950, Currency: "USD", Supplier: "Titan Metals", LeadTimeDays: 30, Active: true},
			{SKU: "GAD-310", Category: "Controls", Name: "Gadget controller", UnitOfMeasure: "each", ListPrice: 24900, Currency: "USD", Supplier: "Circuit Co", LeadTimeDays: 21, Active: true},
			{SKU: "CAB-050", Category: "Cables", Name: "Cable, 5 m", UnitOfMeasure: "each", ListPrice: 750, Currency: "USD", Supplier: "Wire Ltd", LeadTimeDays: 7, Active: true},
			{SKU: "PMP-900", Category: "Pumps", Name: "Industrial pump (built to order)", UnitOfMeasure: "each", ListPrice: 459000, Currency: "USD", Supplier: "q2c Manufacturing", LeadTimeDays: 45, MakeToOrder: true, Active: true},
			{SKU: "OLD-001", Category: "Widgets", Name: "Legacy widget (retired)", UnitOfMeasure: "each", ListPrice: 999, Currency: "USD", Supplier: "Steelworks Inc", LeadTimeDays: 14, Active: false},
		}
		for i := range products {
			if err := tx.UpsertProduct(ctx, &products[i]); err != nil {
				return err
			}
		}
		// Standard costs, so margins are real from the first sale.
		for sku, cost := range map[string]int64{"WID-100": 1150, "WID-200": 5400, "GAD-310": 16200, "CAB-050": 310, "PMP-900": 301000, "OLD-001": 600} {
			if err := tx.SetProductCost(ctx, &store.ProductCost{SKU: sku, Currency: "USD", UnitCost: cost, ValidFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), CreatedBy: "seed"}); err != nil {
				return err
			}
		}
		for _, s := range []struct {
			sku, wh string
			qty     int64
		}{{"WID-100", "SFO", 120}, {"WID-100", "NYC", 40}, {"WID-200", "SFO", 8}, {"GAD-310", "NYC", 15}, {"CAB-050", "SFO", 500}, {"CAB-050", "NYC", 250}} {
			if err := tx.SetOnHand(ctx, s.sku, s.wh, s.qty); err != nil {
				return err
			}
		}
		customers := []*models.Customer{
			{Name: "Acme Corp", LegalName: "Acme Corporation", Email: "purchasing@acme.example", Phone: "+14155550100", Segment: "enterprise", Region: "US-CA", Tier: 1, Currency: "USD",
				Contacts: []models.CustomerContact{{Name: "Wile E. Coyote", Email: "wile@acme.example", Phone: "+14155550101", Role: "purchasing"},
					{Name: "Road Runner", Email: "ap@acme.example", Role: "accounts payable"}},
				Addresses: []models.Address{{Kind: models.AddressBilling, Line1: "1 Canyon Rd", City: "San Jose", Region: "CA", PostalCode: "95110", Country: "US", IsDefault: true},
					{Kind: models.AddressShipping, Label: "Main warehouse", Line1: "200 Industrial Pkwy", City: "Fremont", Region: "CA", PostalCode: "94538", Country: "US", IsDefault: true}}},
			{Name: "Globex", LegalName: "Globex Corporation", Email: "orders@globex.example", Phone: "+12125550111", Segment: "mid-market", Region: "US-NY", Tier: 2, Currency: "USD",
				Addresses: []models.Address{{Kind: models.AddressShipping, Line1: "55 Water St", City: "New York", Region: "NY", PostalCode: "10041", Country: "US", IsDefault: true}}},
			{Name: "Initech", Email: "buying@initech.example", Segment: "smb", Region: "US-TX", Tier: 3, Currency: "USD",
				Addresses: []models.Address{{Kind: models.AddressShipping, Line1: "4120 Freidrich Ln", City: "Austin", Region: "TX", PostalCode: "78744", Country: "US"}}},
		}
		for _, c := range customers {
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
		}
		since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for region, bp := range map[string]int64{"US-CA": 725, "US-NY": 888, "US-TX": 625} {
			if err := tx.SetTaxRate(ctx, region, bp, since, "seed"); err != nil {
				return err
			}
		}
		if err := tx.CreatePriceList(ctx, &pricing.PriceList{Name: "Enterprise", Segment: "enterprise", Currency: "USD", Window: pricing.Window{From: since},
			Items: map[string][]pricing.Tier{"WID-100": {{MinQty: 1, UnitPrice: 1899}, {MinQty: 50, UnitPrice: 1799}}, "GAD-310": {{MinQty: 1, UnitPrice: 23900}}}}, "seed"); err != nil {
			return err
		}
		for _, l := range DemoUsers {
			u := &models.User{Email: l.Email, Name: l.Name, Roles: l.Roles, PasswordHash: hash, Active: true}
			if l.Roles.Has(models.RoleCustomer) {
				u.CustomerID = &customers[0].ID
			}
			if err := tx.CreateUser(ctx, u); err != nil {
				return fmt.Errorf("seed user %s: %w", l.Email, err)
			}
			// The demo rep owns Acme and Globex; Initech has no rep yet.
			if l.Roles.Has(models.RoleSalesRep) {
				for _, c := range customers[:2] {
					if err := tx.SetCustomerOwner(ctx, c.ID, u.ID); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return err == nil, err
}
