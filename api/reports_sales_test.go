package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestSalesReportsScopeARepToTheirAccounts: a rep's sales report, funnel
// and lines export hold their own accounts only; a manager's hold all.
// The figures are hand-checked in store/reports_sales_test.go.
func TestSalesReportsScopeARepToTheirAccounts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	rep := h.createUser("rep@q2c.test", "rep-password-1", models.Roles{models.RoleSalesRep}, nil)
	h.createUser("manager@q2c.test", "manager-password", models.Roles{models.RoleSalesManager}, nil)
	repTok, mgrTok := h.login("rep@q2c.test", "rep-password-1"), h.login("manager@q2c.test", "manager-password")
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", Currency: "USD", ListPrice: 100, Active: true}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	for i, c := range []*models.Customer{{Name: "Mine", OwnerID: rep.ID}, {Name: "Theirs", OwnerID: "someone-else"}} {
		c.Email, c.Currency, c.Tier, c.Region = c.Name+"@example.com", "USD", 2, "East"
		if err := h.st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		id := []string{"SO-MINE", "SO-THEIRS"}[i]
		if err := h.st.SaveOrder(ctx, models.OrderRecord{ID: id, QuoteID: "Q" + id, CustomerID: c.ID, Status: "allocated", Rev: 1, Currency: "USD", Total: 1000, State: "{}"},
			store.OrderFacts{OrderedAt: at, Lines: []store.OrderLineFact{{LineNo: 1, SKU: "WID", Qty: 1, Gross: 1000, Net: 1000}}}); err != nil {
			t.Fatal(err)
		}
	}
	const q = "/api/v1/reports/sales?group_by=customer&from=2026-05-01&to=2026-05-31"
	for _, tc := range []struct {
		name, token string
		want        []string
	}{{"rep", repTok, []string{"Mine"}}, {"manager", mgrTok, []string{"Mine", "Theirs"}}} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("GET", q, tc.token, "", nil)
			var r store.SalesReport
			if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			var got []string
			for _, row := range r.Rows {
				got = append(got, row.Label)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("rows %v, want %v", got, tc.want)
			}
			w = h.do("GET", "/api/v1/reports/sales/lines?from=2026-05-01&to=2026-05-31", tc.token, "", nil)
			if lines := strings.Count(w.Body.String(), "\n"); w.Code != 200 || lines != 1+len(tc.want) || strings.Contains(w.Body.String(), "SO-THEIRS") != (tc.name == "manager") {
				t.Fatalf("lines export: %d %q", w.Code, w.Body)
			}
		})
	}
	w := h.do("GET", q+"&format=csv", mgrTok, "", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "group_by,key,label,currency,period,booked_lines,booked_qty,booked_net,booked_cost,booked_margin,invoiced_lines") ||
		!strings.Contains(w.Body.String(), ",Mine,USD,2026-05,1,1,10.00,0.00,10.00,0,0,0.00,0.00,0.00\n") {
		t.Fatalf("CSV: %d %q", w.Code, w.Body)
	}
	// No quote in May: the funnel's CSV is one row of counts, with no currency.
	if w := h.do("GET", "/api/v1/reports/quote-funnel?from=2026-05-01&to=2026-05-31&format=csv", mgrTok, "", nil); w.Code != 200 ||
		w.Body.String() != "from,to,created,needing_approval,approved,rejected,accepted,expired,withdrawn,invalid,open,decided,conversion_percent,"+
			"median_approve_minutes,median_to_order_minutes,currency,accepted_value\n2026-05-01,2026-05-31,0,0,0,0,0,0,0,0,0,0,,,,,\n" {
		t.Fatalf("funnel CSV: %d %q", w.Code, w.Body)
	}
	for query, field := range map[string]string{"group_by=colour": "group_by", "granularity=hourly": "granularity", "top=0": "top", "rank=best": "rank",
		"granularity=day&from=2026-01-01&to=2026-05-31": "granularity"} {
		w := h.do("GET", "/api/v1/reports/sales?"+query, mgrTok, "", nil)
		if w.Code != 422 || !strings.Contains(w.Body.String(), `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", query, w.Code, w.Body)
		}
	}
}

// TestReportInputsAreRefusedByName: every bad report input is a 422 naming
// its field (all of them at once), days to come are refused or cut to
// today, and nothing is changed.
func TestReportInputsAreRefusedByName(t *testing.T) {
	h := newHarness(t)
	h.createUser("manager@q2c.test", "manager-password", models.Roles{models.RoleSalesManager}, nil)
	h.createUser("exec@q2c.test", "exec-password-1", models.Roles{models.RoleExecutive}, nil)
	h.createUser("pricing@q2c.test", "pricing-password", models.Roles{models.RolePricingAnalyst}, nil)
	mgr, exec, pricing := h.login("manager@q2c.test", "manager-password"), h.login("exec@q2c.test", "exec-password-1"), h.login("pricing@q2c.test", "pricing-password")
	if err := h.st.UpsertProduct(context.Background(), &models.Product{SKU: "WID", Name: "Widget", Currency: "USD", ListPrice: 100, Active: true}); err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	for _, tc := range []struct {
		name, method, path, token, body string
		fields                          []string
	}{
		{"every bad sales parameter at once", "GET", "/api/v1/reports/sales?group_by=bogus&from=2026-13-01&top=0", mgr, "", []string{"from", "group_by", "top"}},
		{"the lines come as CSV only", "GET", "/api/v1/reports/sales/lines?format=json", mgr, "", []string{"format"}},
		{"a period that has not begun", "GET", "/api/v1/reports/sales?from=" + tomorrow, mgr, "", []string{"from"}},
		{"AR aging of a day to come", "GET", "/api/v1/reports/ar-aging?as_of=" + tomorrow, exec, "", []string{"as_of"}},
		{"KPI snapshots of days to come", "POST", "/api/v1/reports/kpis/backfill", exec, `{"from":"2026-01-01","to":"` + tomorrow + `"}`, []string{"to"}},
		{"a cost from a date without a time", "POST", "/api/v1/products/WID/costs", pricing, `{"currency":"USD","unit_cost":100,"valid_from":"2026-12-02"}`, []string{"valid_from"}},
		// The fuzz target found this one answered 500.
		{"a cost from a date sent as a number", "POST", "/api/v1/products/WID/costs", pricing, `{"currency":"USD","unit_cost":100,"valid_from":0}`, []string{"valid_from"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do(tc.method, tc.path, tc.token, tc.body, nil)
			if w.Code != 422 || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s %s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			for _, f := range tc.fields {
				if !strings.Contains(w.Body.String(), `"field":"`+f+`"`) {
					t.Errorf("no error for %s: %s", f, w.Body)
				}
			}
		})
	}
	if costs, err := h.st.ProductCosts(context.Background(), "WID"); err != nil || len(costs) != 0 {
		t.Fatalf("a refused cost was stored: %v, %v", costs, err)
	}
	// A range reaching past today ends today.
	w := h.do("GET", "/api/v1/reports/collections?from="+time.Now().Format("2006-01")+"-01&to="+time.Now().AddDate(0, 2, 0).Format(time.DateOnly), exec, "", nil)
	var r struct{ To string }
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil || r.To != time.Now().UTC().Format(time.DateOnly) {
		t.Fatalf("collections into the future: %d %s", w.Code, w.Body)
	}
}
