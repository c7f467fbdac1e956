package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func TestTicketsAreTheCustomersOwnAndRefuseBadInput(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mine := &models.Customer{Name: "Mine", Email: "m@example.com", Currency: "USD", Tier: 2}
	theirs := &models.Customer{Name: "Theirs", Email: "t@example.com", Currency: "USD", Tier: 2}
	for _, c := range []*models.Customer{mine, theirs} {
		if err := h.st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.st.SaveOrder(ctx, models.OrderRecord{ID: "SO-THEIRS", QuoteID: "Q-THEIRS", CustomerID: theirs.ID, Status: "allocated", Currency: "USD", State: "{}"}, store.OrderFacts{}); err != nil {
		t.Fatal(err)
	}
	h.createUser("buyer@mine.example", "buyer-password", models.Roles{models.RoleCustomer}, &mine.ID)
	buyer := h.login("buyer@mine.example", "buyer-password")
	tests := []struct{ name, body, field string }{
		{"no subject", `{"body":"help"}`, "subject"},
		{"no question", `{"subject":"Help"}`, "body"},
		{"a priority that is not one", `{"subject":"Help","body":"x","priority":"asap"}`, "priority"},
		{"a link without its id", `{"subject":"Help","body":"x","link_kind":"order"}`, "link_id"},
		{"another customer's order", `{"subject":"Help","body":"x","link_kind":"order","link_id":"SO-THEIRS"}`, "link_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", "/api/v1/tickets", buyer, tc.body, nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Fatalf("%d %+v, want 422 naming %s", w.Code, p.Errors, tc.field)
			}
		})
	}
	// Staff naming nobody: the customer is named missing in the same answer
	// as the rest, not in a second one after those are mended.
	w := h.do("POST", "/api/v1/tickets", h.as(models.RoleCustomerService), `{}`, nil)
	var p api.Problem
	decode(t, w, &p)
	var named []string
	for _, f := range p.Errors {
		named = append(named, f.Field)
	}
	if w.Code != http.StatusUnprocessableEntity || fmt.Sprint(named) != "[customer_id subject body]" {
		t.Fatalf("an empty ticket from staff: %d, fields %v", w.Code, named)
	}
	now := time.Now().UTC()
	for _, tk := range []models.Ticket{
		{ID: "TK-MINE", CustomerID: mine.ID, Subject: "Mine", Status: models.TicketOpen, Priority: models.PriorityNormal, OpenedBy: "user:b", Rev: 1, ResponseDueAt: now, CreatedAt: now, UpdatedAt: now},
		{ID: "TK-THEIRS", CustomerID: theirs.ID, Subject: "Theirs", Status: models.TicketOpen, Priority: models.PriorityNormal, OpenedBy: "user:t", Rev: 1, ResponseDueAt: now, CreatedAt: now, UpdatedAt: now},
	} {
		if err := h.st.SaveTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []models.TicketComment{
		{ID: "c1", TicketID: "TK-MINE", Author: "user:b", Visible: true, Body: "Where is it?", CreatedAt: now},
		{ID: "c2", TicketID: "TK-MINE", Author: "user:s", FromStaff: true, Body: "Internal: carrier lost it", CreatedAt: now.Add(time.Second)},
	} {
		if err := h.st.AddTicketComment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	var l struct{ Items []models.Ticket }
	decode(t, h.do("GET", "/api/v1/tickets", buyer, "", nil), &l)
	if len(l.Items) != 1 || l.Items[0].ID != "TK-MINE" {
		t.Fatalf("the customer lists %+v", l.Items)
	}
	if w := h.do("GET", "/api/v1/tickets/TK-THEIRS", buyer, "", nil); w.Code != http.StatusNotFound {
		t.Fatalf("another customer's ticket: %d", w.Code)
	}
	w = h.do("GET", "/api/v1/tickets/TK-MINE", buyer, "", nil)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "Internal") || !strings.Contains(w.Body.String(), "Where is it?") {
		t.Fatalf("the customer's ticket: %d %s", w.Code, w.Body)
	}
	if w := h.do("GET", "/api/v1/tickets/TK-MINE", h.as(models.RoleCustomerService), "", nil); !strings.Contains(w.Body.String(), "Internal") {
		t.Fatalf("service does not see the internal note: %s", w.Body)
	}
}
