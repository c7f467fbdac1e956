package itest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestAuditTrailCoversTheSale: a whole sale over HTTP leaves, in the audit
// trail, who created and accepted the quote and who shipped and took the
// payment, with what; a receipt and a report export leave theirs; and the
// chain holds.
func TestAuditTrailCoversTheSale(t *testing.T) {
	a, cust, tokens := benchSetup(t)
	ctx := context.Background()
	quoteID, orderID, _ := a.sale(ctx, cust, tokens)
	if r := a.call("POST", "/api/v1/inventory/BENCH-1/receipts", tokens["warehouse"], `{"reference":"ASN-1","warehouse":"SFO","qty":5}`, nil, nil); r.StatusCode != 201 {
		t.Fatalf("receipt: %d", r.StatusCode)
	}
	finance := a.login("finance@q2c.local")
	if r := a.call("GET", "/api/v1/reports/ar-aging?format=csv", finance, "", nil, nil); r.StatusCode != 200 {
		t.Fatalf("export: %d", r.StatusCode)
	}

	all, err := a.Store.ListAudit(ctx, "", "", store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	find := func(action, entityID string) *models.AuditEvent {
		i := slices.IndexFunc(all.Items, func(e models.AuditEvent) bool { return e.Action == action && e.EntityID == entityID })
		if i < 0 {
			return nil
		}
		return &all.Items[i]
	}
	for _, want := range []struct{ action, entityID, actor, detail string }{
		{"quote.create", quoteID, "user:", ""},
		{"quote.accept", quoteID, "user:", "allow_partial=true"},
		{"order.ship", orderID, "user:", "2 units on 1 line by UPS B"},
		{"order.pay", orderID, "user:", "reference p"},
		{"stock.receive", "BENCH-1@SFO", "user:", "5 units, delivery ASN-1"},
		{"report.export", "", "user:", "format=csv"},
	} {
		var e *models.AuditEvent
		if want.entityID == "" {
			i := slices.IndexFunc(all.Items, func(e models.AuditEvent) bool { return e.Action == want.action })
			if i >= 0 {
				e = &all.Items[i]
			}
		} else {
			e = find(want.action, want.entityID)
		}
		if e == nil {
			t.Errorf("no %s of %s in the audit trail", want.action, want.entityID)
			continue
		}
		if !strings.HasPrefix(e.Actor, want.actor) || !strings.Contains(e.Detail, want.detail) {
			t.Errorf("%s: actor %q, detail %q", want.action, e.Actor, e.Detail)
		}
	}
	check, err := a.Store.VerifyAudit(ctx)
	if err != nil || !check.OK {
		t.Fatalf("the chain after a sale: %+v, %v", check, err)
	}
}
