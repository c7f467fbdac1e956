package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIDescribesExactlyTheServedRoutes: the served description lists
// every route gin serves and nothing else, with the same roles, and every
// request that takes a body documents it.
func TestOpenAPIDescribesExactlyTheServedRoutes(t *testing.T) {
	s, _ := testServer(t)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d", w.Code)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Summary     string          `json:"summary"`
			Roles       []string        `json:"x-roles"`
			RequestBody json.RawMessage `json:"requestBody"`
			Security    *[]any          `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.0.3" {
		t.Fatalf("not an OpenAPI 3 document: %v", err)
	}
	declared := map[string]Route{}
	for _, r := range s.Routes() {
		declared[strings.ToLower(r.Method)+" "+OpenAPIPath(r.Path)] = r
	}
	described := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			described++
			r, ok := declared[method+" "+path]
			if !ok {
				t.Errorf("%s %s is described but not served", method, path)
				continue
			}
			var want []string
			for _, role := range r.Roles {
				want = append(want, string(role))
			}
			if !slices.Equal(op.Roles, want) || op.Summary == "" {
				t.Errorf("%s %s: roles %v summary %q; declared %v", method, path, op.Roles, op.Summary, want)
			}
			if r.Public != (op.Security != nil && len(*op.Security) == 0) {
				t.Errorf("%s %s: public=%v but security is %v", method, path, r.Public, op.Security)
			}
			needsBody := method == "post" || method == "put" || method == "patch"
			if needsBody && len(op.RequestBody) == 0 {
				t.Errorf("%s %s takes a body but does not document it (set Route.Body)", method, path)
			}
		}
	}
	if served := len(s.Engine().Routes()); described != served {
		t.Fatalf("%d operations described, %d routes served", described, served)
	}
}

// TestOpenAPIRequiredFieldsFollowValidation: a body's required fields are
// the ones its validation refuses when empty, no more (optional fields
// and ones refused for another reason) and no fewer.
func TestOpenAPIRequiredFieldsFollowValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		body any
		want []string
	}{
		{"product", productRequest{}, []string{"active", "currency", "list_price", "name"}},
		{"shipment", shipRequest{}, []string{"carrier", "tracking"}},
		{"cancel", cancelRequest{}, []string{"reason"}},
		{"accept: nothing required", acceptRequest{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := requiredFields(tc.body); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestOpenAPIListsTheQueryParameters: a list's filters, named in its
// summary, are parameters of its description too, beside the paging.
func TestOpenAPIListsTheQueryParameters(t *testing.T) {
	s, _ := testServer(t)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"orders", "/api/v1/orders", []string{"limit", "cursor", "status", "customer_id"}},
		{"backorder dashboard", "/api/v1/backorders", []string{"limit", "cursor", "status", "tier", "sku", "customer_id", "region",
			"eta_from", "eta_to", "min_age_days", "max_age_days", "overdue", "sort"}},
		{"tickets (limit and cursor named in the summary too, listed once)", "/api/v1/tickets", []string{"limit", "cursor", "status", "customer_id", "assignee", "escalated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range doc.Paths[tc.path]["get"].Parameters {
				if p.In == "query" {
					got = append(got, p.Name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("query parameters %v, want %v", got, tc.want)
			}
		})
	}
}
