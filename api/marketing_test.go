package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
)

// TestMarketingRefusesBadInputByField: each bad request is a 422 naming its
// field and saves nothing.
func TestMarketingRefusesBadInputByField(t *testing.T) {
	h := newHarness(t)
	mk := h.as(models.RoleMarketing)
	tests := []struct{ name, path, body, field string }{
		{"a tier out of range", "/api/v1/segments/preview", `{"tiers":[0]}`, "tiers[0]"},
		{"a spend without its currency", "/api/v1/segments/preview", `{"min_spend":1000}`, "currency"},
		{"a backorder filter that is not one", "/api/v1/segments/preview", `{"backorders":"sometimes"}`, "backorders"},
		{"recency that cannot match", "/api/v1/segments/preview", `{"ordered_within_days":10,"not_ordered_for_days":30}`, "not_ordered_for_days"},
		{"a segment without a name", "/api/v1/segments", `{"filters":{}}`, "name"},
		{"a campaign without a segment", "/api/v1/campaigns", `{"name":"x","headline":"h","body":"b","per_minute":10}`, "segment_id"},
		{"a campaign to a segment that is not there", "/api/v1/campaigns", `{"name":"x","segment_id":"nope","headline":"h","body":"b","per_minute":10}`, "segment_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", tc.path, mk, tc.body, nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Fatalf("%d %+v, want 422 naming %s", w.Code, p.Errors, tc.field)
			}
		})
	}
	if n := h.count("segments") + h.count("campaigns"); n != 0 {
		t.Fatalf("refused requests saved %d rows", n)
	}
	// A saved segment, then a campaign whose pace is out of bounds.
	w := h.do("POST", "/api/v1/segments", mk, `{"name":"Everyone","filters":{}}`, nil)
	if w.Code != http.StatusCreated {
		t.Fatalf("segment: %d %s", w.Code, w.Body)
	}
	id := between(w.Body.String(), `"id":"`, `"`)
	w = h.do("POST", "/api/v1/campaigns", mk, `{"name":"x","segment_id":"`+id+`","headline":"h","body":"b","per_minute":601}`, nil)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "per_minute") {
		t.Fatalf("a pace of 601 a minute: %d %s", w.Code, w.Body)
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}
