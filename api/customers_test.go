package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

const newCustomerBody = `{"name":"Umbrella","legal_name":"Umbrella Corporation Ltd","email":"Orders@Umbrella.example","phone":"+44 20 7946 0000",
"segment":"enterprise","region":"EU-UK","tax_region":"GB","tier":1,"currency":"GBP",
"contacts":[{"name":"Ada Wong","email":"ada@umbrella.example","phone":"+44 7700 900123","role":"purchasing"}],
"addresses":[{"kind":"billing","line1":"1 Raccoon St","city":"London","postal_code":"EC1A 1BB","country":"gb"},
 {"kind":"shipping","label":"Dock 4","line1":"4 Wharf Rd","city":"Tilbury","postal_code":"RM18 7EH","country":"GB","is_default":true}]}`

func TestCustomerMasterData(t *testing.T) {
	h := customerHarness(t)
	h.createUser("service@q2c.test", "service-password", models.Roles{models.RoleCustomerService}, nil)
	h.createUser("finance@q2c.test", "finance-password", models.Roles{models.RoleFinance}, nil)
	service, finance := h.login("service@q2c.test", "service-password"), h.login("finance@q2c.test", "finance-password")

	w := h.do("POST", "/api/v1/customers", service, newCustomerBody, nil)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	var c models.Customer
	decode(t, w, &c)
	if c.Email != "orders@umbrella.example" || c.Phone != "+442079460000" || c.TermsDays != models.TermsNet30 || c.CreditLimit != nil || c.Version != 1 || c.OwnerID != "" {
		t.Fatalf("created %+v", c)
	}
	if len(c.Addresses) != 2 || c.Addresses[0].Country != "GB" || c.Contacts[0].Phone != "+447700900123" {
		t.Fatalf("parts %+v %+v", c.Addresses, c.Contacts)
	}
	if ship, ok := c.DefaultAddress(models.AddressShipping); !ok || ship.Label != "Dock 4" {
		t.Fatalf("default ship-to %+v", ship)
	}

	// An edit from version 1 keeps the addresses' ids and adds one.
	edit := strings.Replace(newCustomerBody, `{"name":"Umbrella"`, `{"version":1,"name":"Umbrella UK"`, 1)
	edit = strings.Replace(edit, `{"kind":"billing"`, fmt.Sprintf(`{"id":%q,"kind":"billing"`, c.Addresses[0].ID), 1)
	edit = strings.Replace(edit, `]}`, `,{"kind":"shipping","line1":"9 Quay","city":"Hull","country":"GB"}]}`, 1)
	path := "/api/v1/customers/" + c.ID
	w = h.do("PUT", path, service, edit, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("edit: %d %s", w.Code, w.Body)
	}
	var e models.Customer
	decode(t, w, &e)
	if e.Name != "Umbrella UK" || e.Version != 2 || len(e.Addresses) != 3 || e.Addresses[0].ID != c.Addresses[0].ID || e.Addresses[2].ID == "" {
		t.Fatalf("edited %+v", e)
	}
	// The same edit sent again (a retry) answers with the record, unchanged.
	audits := h.count("audit")
	w = h.do("PUT", path, service, edit, nil)
	var again models.Customer
	decode(t, w, &again)
	if w.Code != http.StatusOK || again.Version != 2 || len(again.Addresses) != 3 || h.count("audit") != audits {
		t.Fatalf("retried edit: %d v%d, %d addresses, audit %d→%d", w.Code, again.Version, len(again.Addresses), audits, h.count("audit"))
	}
	// Another change from the stale version is a conflict.
	stale := strings.Replace(edit, `"Umbrella UK"`, `"Umbrella Intl"`, 1)
	if w := h.do("PUT", path, service, stale, nil); w.Code != http.StatusConflict {
		t.Fatalf("stale edit: %d %s", w.Code, w.Body)
	}

	// Terms and limit are finance's.
	credit := `{"version":2,"terms_days":15,"credit_limit":500000}`
	if w := h.do("PUT", path+"/credit", service, credit, nil); w.Code != http.StatusForbidden {
		t.Fatalf("service sets credit: %d", w.Code)
	}
	w = h.do("PUT", path+"/credit", finance, credit, nil)
	decode(t, w, &e)
	if w.Code != http.StatusOK || e.TermsDays != 15 || e.CreditLimit == nil || *e.CreditLimit != 500000 || e.Version != 3 {
		t.Fatalf("credit: %d %+v", w.Code, e)
	}
	w = h.do("PUT", path+"/credit", finance, `{"version":3,"terms_days":0,"credit_limit":null}`, nil)
	decode(t, w, &e)
	if w.Code != http.StatusOK || e.TermsDays != models.TermsDueOnReceipt || e.CreditLimit != nil {
		t.Fatalf("due on receipt: %d %+v", w.Code, e)
	}
	l, err := h.st.ListAudit(context.Background(), "customer", c.ID, store.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range l.Items {
		actions = append(actions, a.Action+": "+a.Detail)
	}
	want := []string{"customer.credit: terms due on receipt, credit limit none", "customer.credit: terms net 15, credit limit GBP 5000.00",
		"customer.edit: details, contacts and addresses", "customer.create: Umbrella"}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		t.Fatalf("audit %q, want %q", actions, want)
	}
}

func TestCustomerSearchFindsAnyKey(t *testing.T) {
	h := customerHarness(t)
	ctx := context.Background()
	w := h.do("POST", "/api/v1/customers", h.as(models.RoleCustomerService), newCustomerBody, nil)
	var c models.Customer
	decode(t, w, &c)
	other := &models.Customer{Name: "Other", Email: "o@example.com", Currency: "USD", Tier: 2}
	if err := h.st.CreateCustomer(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := h.st.SaveOrder(ctx, models.OrderRecord{ID: "SO-77", QuoteID: "Q-77", CustomerID: c.ID, Status: "allocated", Currency: "GBP", State: "{}"}, store.OrderFacts{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, q string }{
		{"a part of the name", "umbrel"},
		{"the legal name", "corporation"},
		{"a contact's whole email (sealed: found whole)", "ADA@umbrella.example"},
		{"the account's whole phone as typed", "+44 20 7946 0000"},
		{"a contact's whole phone", "+44 7700 900123"},
		{"an order", "so-77"},
		{"its quote", "Q-77"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l struct{ Items []models.Customer }
			decode(t, h.do("GET", "/api/v1/customers?q="+url.QueryEscape(tc.q), h.admin, "", nil), &l)
			if len(l.Items) != 1 || l.Items[0].ID != c.ID {
				t.Fatalf("%q finds %+v", tc.q, l.Items)
			}
		})
	}
}

func TestCustomerEditsAreRefusedCleanly(t *testing.T) {
	h := customerHarness(t)
	ctx := context.Background()
	service := h.as(models.RoleCustomerService)
	w := h.do("POST", "/api/v1/customers", service, newCustomerBody, nil)
	var c models.Customer
	decode(t, w, &c)
	path := "/api/v1/customers/" + c.ID
	edit := strings.Replace(newCustomerBody, `{"name":"Umbrella"`, `{"version":1,"name":"Umbrella"`, 1)
	tests := []struct {
		name, path, body, field string
	}{
		{"no name", "/api/v1/customers", strings.Replace(newCustomerBody, `"Umbrella"`, `""`, 1), "name"},
		{"a phone that is not E.164", "/api/v1/customers", strings.Replace(newCustomerBody, `+44 20 7946 0000`, `020 7946`, 1), "phone"},
		{"a contact without a way to reach", "/api/v1/customers", strings.Replace(newCustomerBody, `"email":"ada@umbrella.example","phone":"+44 7700 900123",`, ``, 1), "contacts[0].email"},
		{"an address without a city", "/api/v1/customers", strings.Replace(newCustomerBody, `"city":"Tilbury",`, ``, 1), "addresses[1].city"},
		{"a country that is not a code", "/api/v1/customers", strings.Replace(newCustomerBody, `"country":"gb"`, `"country":"Britain"`, 1), "addresses[0].country"},
		{"two default ship-tos", "/api/v1/customers", strings.Replace(newCustomerBody, `]}`, `,{"kind":"shipping","line1":"x","city":"y","country":"GB","is_default":true}]}`, 1), "addresses[2].is_default"},
		{"an edit without its version", path, newCustomerBody, "version"},
		{"a tax region without tax rates", "/api/v1/customers", strings.Replace(newCustomerBody, `"tax_region":"GB"`, `"tax_region":"ZZ"`, 1), "tax_region"},
		{"another account's address", path, strings.Replace(edit, `{"kind":"billing"`, `{"id":"not-ours","kind":"billing"`, 1), "addresses[0].id"},
		{"terms past a year", path + "/credit", `{"version":1,"terms_days":400,"credit_limit":null}`, "terms_days"},
		{"a limit without the terms (left out, never reset)", path + "/credit", `{"version":1,"credit_limit":5000}`, "terms_days"},
		{"terms without the limit", path + "/credit", `{"version":1,"terms_days":15}`, "credit_limit"},
		{"a limit that is not a number", path + "/credit", `{"version":1,"terms_days":15,"credit_limit":"lots"}`, "credit_limit"},
		{"a negative limit", path + "/credit", `{"version":1,"terms_days":30,"credit_limit":-1}`, "credit_limit"},
		{"an owner who is no rep", path + "/owner", `{"version":1,"owner_id":"nobody"}`, "owner_id"},
	}
	roles := map[string]models.Role{"/credit": models.RoleFinance, "/owner": models.RoleSalesManager}
	before, audits := h.count("customers"), h.count("audit")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method, tok := "POST", service
			if tc.path != "/api/v1/customers" {
				method = "PUT"
			}
			for suffix, role := range roles {
				if strings.HasSuffix(tc.path, suffix) {
					tok = h.as(role)
				}
			}
			w := h.do(method, tc.path, tok, tc.body, nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Fatalf("%d %+v, want 422 naming %s", w.Code, p.Errors, tc.field)
			}
		})
	}
	if h.count("customers") != before || h.count("audit") != audits {
		t.Fatal("a refused edit changed something")
	}
	got, err := h.st.CustomerByID(ctx, c.ID)
	if err != nil || got.Version != 1 {
		t.Fatalf("after refusals: v%d %v", got.Version, err)
	}
}

func TestSalesRepsEditTheirOwnAccounts(t *testing.T) {
	h := customerHarness(t)
	ctx := context.Background()
	rep := h.createUser("rep@q2c.test", "rep-password-1", models.Roles{models.RoleSalesRep}, nil)
	tok := h.login("rep@q2c.test", "rep-password-1")
	w := h.do("POST", "/api/v1/customers", tok, newCustomerBody, nil)
	var mine models.Customer
	decode(t, w, &mine)
	if w.Code != http.StatusCreated || mine.OwnerID != rep.ID {
		t.Fatalf("a rep's new account: %d owner %q", w.Code, mine.OwnerID)
	}
	theirs := &models.Customer{Name: "Theirs", Email: "t@example.com", Segment: "smb", Region: "US", Currency: "USD", Tier: 2}
	if err := h.st.CreateCustomer(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	edit := `{"version":1,"name":"Renamed","email":"t@example.com","segment":"smb","region":"US","tier":2,"currency":"USD"}`
	if w := h.do("PUT", "/api/v1/customers/"+theirs.ID, tok, edit, nil); w.Code != http.StatusForbidden {
		t.Fatalf("a rep edits another's account: %d %s", w.Code, w.Body)
	}
	// A manager assigns it to the rep, who may then edit it.
	if w := h.do("PUT", "/api/v1/customers/"+theirs.ID+"/owner", h.as(models.RoleSalesManager), fmt.Sprintf(`{"version":1,"owner_id":%q}`, rep.ID), nil); w.Code != http.StatusOK {
		t.Fatalf("assign: %d %s", w.Code, w.Body)
	}
	if w := h.do("PUT", "/api/v1/customers/"+theirs.ID, tok, strings.Replace(edit, `"version":1`, `"version":2`, 1), nil); w.Code != http.StatusOK {
		t.Fatalf("a rep edits their own account: %d %s", w.Code, w.Body)
	}
	// A customer reads their own account only.
	h.createUser("buyer@umbrella.example", "buyer-password", models.Roles{models.RoleCustomer}, &mine.ID)
	buyer := h.login("buyer@umbrella.example", "buyer-password")
	if w := h.do("GET", "/api/v1/customers/"+mine.ID, buyer, "", nil); w.Code != http.StatusOK {
		t.Fatalf("own account: %d", w.Code)
	}
	if w := h.do("GET", "/api/v1/customers/"+theirs.ID, buyer, "", nil); w.Code != http.StatusNotFound {
		t.Fatalf("another account: %d", w.Code)
	}
}

// as logs in a new user holding role.
func (h *harness) as(role models.Role) string {
	h.t.Helper()
	h.users++
	email := fmt.Sprintf("%s-%d@q2c.test", role, h.users)
	h.createUser(email, "role-password-1", models.Roles{role}, nil)
	return h.login(email, "role-password-1")
}

func storePageOf(n int) store.Page { return store.Page{Limit: n} }

// customerHarness is a harness with the UK's tax rate, newCustomerBody's
// tax region.
func customerHarness(t *testing.T) *harness {
	h := newHarness(t)
	if err := h.st.SetTaxRate(context.Background(), "GB", 2000, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatal(err)
	}
	return h
}
