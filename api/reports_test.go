package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
)

// TestARAgingReport checks the route's input, JSON and CSV shapes and who
// may read it; the figures are hand-checked in store/reports_finance_test.go.
func TestARAgingReport(t *testing.T) {
	h := newHarness(t)
	h.createUser("finance@q2c.test", "finance-password", models.Roles{models.RoleFinance}, nil)
	fin := h.login("finance@q2c.test", "finance-password")

	w := h.do("GET", "/api/v1/reports/ar-aging?as_of=2026-06-30", fin, "", nil)
	var r struct {
		AsOf      string `json:"as_of"`
		TimeZone  string `json:"time_zone"`
		Customers []any  `json:"customers"`
		Totals    []any  `json:"totals"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil || r.AsOf != "2026-06-30" || r.TimeZone != "UTC" || r.Customers == nil || r.Totals == nil {
		t.Fatalf("JSON: %d %s", w.Code, w.Body)
	}
	w = h.do("GET", "/api/v1/reports/ar-aging?as_of=2026-06-30&format=csv", fin, "", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") ||
		w.Header().Get("Content-Disposition") != `attachment; filename="ar-aging-2026-06-30.csv"` ||
		w.Body.String() != "customer_id,customer,currency,invoices,current,days_1_30,days_31_60,days_61_90,over_90,total\n" {
		t.Fatalf("CSV: %d %v %q", w.Code, w.Header(), w.Body)
	}
	for name, q := range map[string]string{"as_of": "?as_of=30.6.2026", "format": "?format=xml"} {
		w := h.do("GET", "/api/v1/reports/ar-aging"+q, fin, "", nil)
		if w.Code != 422 || !strings.Contains(w.Body.String(), `"field":"`+name+`"`) {
			t.Errorf("%s: %d %s", q, w.Code, w.Body)
		}
	}
}

// TestCollectionsReport: the period's input, JSON and CSV; figures are
// hand-checked in store/reports_finance_test.go.
func TestCollectionsReport(t *testing.T) {
	h := newHarness(t)
	h.createUser("finance@q2c.test", "finance-password", models.Roles{models.RoleFinance}, nil)
	fin := h.login("finance@q2c.test", "finance-password")
	w := h.do("GET", "/api/v1/reports/collections?from=2026-05-01&to=2026-05-31", fin, "", nil)
	var r struct {
		From, To   string
		Days       int
		Currencies []any
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil || r.From != "2026-05-01" || r.To != "2026-05-31" || r.Days != 31 || r.Currencies == nil {
		t.Fatalf("JSON: %d %s", w.Code, w.Body)
	}
	w = h.do("GET", "/api/v1/reports/collections?from=2026-05-01&to=2026-05-31&format=csv", fin, "", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "from,to,currency,invoiced,receivable,dso_days,") {
		t.Fatalf("CSV: %d %q", w.Code, w.Body)
	}
	for q, field := range map[string]string{"?from=2026-06-01&to=2026-05-01": "to", "?from=May": "from", "?from=2025-01-01&to=2026-06-01": "to"} {
		w := h.do("GET", "/api/v1/reports/collections"+q, fin, "", nil)
		if w.Code != 422 || !strings.Contains(w.Body.String(), `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", q, w.Code, w.Body)
		}
	}
}
