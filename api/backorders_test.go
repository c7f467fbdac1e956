package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// The backorder dashboard over HTTP: filters are checked and named when
// wrong, a customer sees only their own backorders and none of the staff's
// history, notes are kept with their author.
func TestBackorderDashboard(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.st.UpsertWarehouse(ctx, models.Warehouse{Code: "SFO", Name: "SFO"}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 100, Currency: "USD", Supplier: "Steel", LeadTimeDays: 20, Active: true}); err != nil {
		t.Fatal(err)
	}
	var customers []string
	for i, tier := range []int{1, 3} {
		c := &models.Customer{Name: []string{"Acme", "Initech"}[i], Email: "c@example.com", Region: "US-CA", Tier: tier, Currency: "USD"}
		if err := h.st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		customers = append(customers, c.ID)
		if _, err := h.st.Reserve(ctx, store.ReserveRequest{OrderID: "SO-" + c.Name, LineNo: 1, SKU: "WID", Qty: 4, CustomerID: c.ID, AllowPartial: true, LineNet: 4000, Currency: "USD"}); err != nil {
			t.Fatal(err)
		}
	}
	h.createUser("service@q2c.test", "service-password", models.Roles{models.RoleCustomerService}, nil)
	h.createUser("buyer@acme.test", "buyer-password", models.Roles{models.RoleCustomer}, &customers[0])
	h.createUser("finance@q2c.test", "finance-password", models.Roles{models.RoleFinance}, nil)
	service, buyer, finance := h.login("service@q2c.test", "service-password"), h.login("buyer@acme.test", "buyer-password"), h.login("finance@q2c.test", "finance-password")

	type page struct {
		Items []struct {
			ID         string
			CustomerID string `json:"customer_id"`
			Waiting    int64
			Overdue    bool
		}
	}
	list := func(token, query string) (int, page) {
		w := h.do("GET", "/api/v1/backorders"+query, token, "", nil)
		var p page
		if w.Code == 200 {
			decode(t, w, &p)
		}
		return w.Code, p
	}
	if code, p := list(service, "?sort=priority"); code != 200 || len(p.Items) != 2 || p.Items[0].ID != "SO-Acme-L1" || p.Items[0].Waiting != 4 {
		t.Fatalf("service sees %d %+v", code, p)
	}
	if code, p := list(buyer, ""); code != 200 || len(p.Items) != 1 || p.Items[0].CustomerID != customers[0] {
		t.Fatalf("customer sees %d %+v", code, p)
	}
	if code, p := list(buyer, "?customer_id="+customers[1]); code != 200 || len(p.Items) != 1 || p.Items[0].CustomerID != customers[0] {
		t.Fatalf("customer asking for another's: %d %+v", code, p)
	}
	bad := []struct{ query, field string }{
		{"?status=lost", "status"}, {"?tier=0", "tier"}, {"?eta_from=tomorrow", "eta_from"}, {"?sort=size", "sort"},
		{"?overdue=maybe", "overdue"}, {"?eta_from=2027-01-02&eta_to=2027-01-01", "eta_to"}, {"?limit=500", "limit"},
	}
	for _, tc := range bad {
		w := h.do("GET", "/api/v1/backorders"+tc.query, service, "", nil)
		if w.Code != 422 || w.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(w.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s", tc.query, w.Code, w.Body)
		}
	}

	// Notes: customer service writes, the customer neither writes nor sees them.
	if w := h.do("POST", "/api/v1/backorders/SO-Acme-L1/notes", service, `{"text":"Called Acme: they can take a partial delivery."}`, nil); w.Code != 201 {
		t.Fatalf("note: %d %s", w.Code, w.Body)
	}
	if w := h.do("POST", "/api/v1/backorders/SO-Acme-L1/notes", service, `{"text":"  "}`, nil); w.Code != 422 {
		t.Fatalf("empty note: %d", w.Code)
	}
	if w := h.do("POST", "/api/v1/backorders/SO-Acme-L1/notes", buyer, `{"text":"hi"}`, nil); w.Code != 403 {
		t.Fatalf("customer note: %d", w.Code)
	}
	if w := h.do("POST", "/api/v1/backorders/SO-NONE-L1/notes", service, `{"text":"hi"}`, nil); w.Code != 404 {
		t.Fatalf("note on nothing: %d", w.Code)
	}
	type detail struct {
		ID      string
		History []models.BackorderEvent
	}
	var d detail
	decode(t, h.do("GET", "/api/v1/backorders/SO-Acme-L1", service, "", nil), &d)
	if len(d.History) != 2 || d.History[1].Kind != models.BackorderEventNote || !strings.HasPrefix(d.History[1].Actor, "user:") {
		t.Fatalf("history %+v", d.History)
	}
	decode(t, h.do("GET", "/api/v1/backorders/SO-Acme-L1", buyer, "", nil), &d)
	if len(d.History) != 1 || d.History[0].Kind != models.BackorderEventCreated || d.History[0].Detail != "" {
		t.Fatalf("customer's history %+v", d.History)
	}
	if w := h.do("GET", "/api/v1/backorders/SO-Initech-L1", buyer, "", nil); w.Code != 404 {
		t.Fatalf("another customer's backorder: %d", w.Code)
	}

	// KPIs for finance: 8 units worth 80.00 waiting, all in one expected week.
	var k store.BackorderKPIs
	w := h.do("GET", "/api/v1/backorders/kpis", finance, "", nil)
	if err := json.Unmarshal(w.Body.Bytes(), &k); err != nil || w.Code != 200 {
		t.Fatalf("kpis: %d %s", w.Code, w.Body)
	}
	if k.Open.Count != 2 || k.Open.Qty != 8 || k.Open.Value[0].Amount != 8000 || len(k.ByExpectedWeek) != 1 || k.BySupplier[0].Key != "Steel" {
		t.Fatalf("kpis %+v", k)
	}
	if w := h.do("GET", "/api/v1/backorders/kpis", buyer, "", nil); w.Code != 403 {
		t.Fatalf("customer reads KPIs: %d", w.Code)
	}
}
