package api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/workflows"
)

// TestEveryFieldHasABound: the largest accepted value of each bounded field
// passes and one more is refused with a 422 naming the field. Before the
// bounds a 700 KB carrier was accepted and wedged the order's workflow.
func TestEveryFieldHasABound(t *testing.T) {
	at := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
	ship := func(carrier, tracking string, qty int64) validatable {
		return shipRequest{Carrier: carrier, Tracking: tracking, Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: qty}}}
	}
	pay := func(ref, method string, amount int64) validatable {
		return payRequest{InvoiceID: "INV-1", Reference: ref, Amount: amount, Method: method}
	}
	quote := func(sku, promo string, qty int64) validatable {
		return createQuoteRequest{Lines: []pricing.Line{{SKU: sku, Qty: qty}}, PromoCode: promo}
	}
	receipt := func(ref, wh string, qty int64) validatable {
		return receiptRequest{Reference: ref, Warehouse: wh, Qty: qty}
	}
	supply := func(ref, sku string, qty int64) validatable {
		return supplyOrderRequest{Kind: models.SupplyPurchase, Reference: ref, SKU: sku, Warehouse: "MAIN", Qty: qty, ExpectedAt: time.Now()}
	}
	product := func(name, category string, price int64, leadDays int) validatable {
		on := true
		return productRequest{Name: name, Category: category, Currency: "USD", ListPrice: &price, LeadTimeDays: leadDays, Active: &on}
	}
	tests := []struct {
		name      string
		ok, over  validatable
		wantField string
	}{
		{"carrier", ship(at(models.MaxNameLen), "T", 1), ship(at(models.MaxNameLen+1), "T", 1), "carrier"},
		{"tracking", ship("UPS", at(models.MaxNameLen), 1), ship("UPS", at(models.MaxNameLen+1), 1), "tracking"},
		{"shipment qty", ship("UPS", "T", models.MaxQty), ship("UPS", "T", models.MaxQty+1), "lines[0].qty"},
		{"payment reference", pay(at(models.MaxNameLen), "", 1), pay(at(models.MaxNameLen+1), "", 1), "reference"},
		{"payment method", pay("r", at(models.MaxCodeLen), 1), pay("r", at(models.MaxCodeLen+1), 1), "method"},
		{"payment amount", pay("r", "", models.MaxAmount), pay("r", "", models.MaxAmount+1), "amount"},
		{"payment of int64 max", pay("r", "", 1), pay("r", "", 1<<63-1), "amount"},
		{"quote sku", quote(at(models.MaxCodeLen), "", 1), quote(at(models.MaxCodeLen+1), "", 1), "lines[0].sku"},
		{"quote qty", quote("WID", "", models.MaxQty), quote("WID", "", models.MaxQty+1), "lines[0].qty"},
		{"promo code", quote("WID", at(models.MaxCodeLen), 1), quote("WID", at(models.MaxCodeLen+1), 1), "promo_code"},
		{"comment", decisionRequest{Comment: at(models.MaxCommentLen)}, decisionRequest{Comment: at(models.MaxCommentLen + 1)}, "comment"},
		{"cancel reason", cancelRequest{Reason: at(models.MaxCommentLen)}, cancelRequest{Reason: at(models.MaxCommentLen + 1)}, "reason"},
		{"resend reason", resendRequest{Reason: at(models.MaxCommentLen)}, resendRequest{Reason: at(models.MaxCommentLen + 1)}, "reason"},
		{"note", noteRequest{Text: at(models.MaxNoteLen)}, noteRequest{Text: at(models.MaxNoteLen + 1)}, "text"},
		{"receipt reference", receipt(at(models.MaxNameLen), "MAIN", 1), receipt(at(models.MaxNameLen+1), "MAIN", 1), "reference"},
		{"receipt warehouse", receipt("r", at(models.MaxCodeLen), 1), receipt("r", at(models.MaxCodeLen+1), 1), "warehouse"},
		{"supply reference", supply(at(models.MaxNameLen), "WID", 1), supply(at(models.MaxNameLen+1), "WID", 1), "reference"},
		{"supply qty", supply("r", "WID", models.MaxQty), supply("r", "WID", models.MaxQty+1), "qty"},
		{"product name", product(at(models.MaxNameLen), "", 0, 0), product(at(models.MaxNameLen+1), "", 0, 0), "name"},
		{"product category", product("n", at(models.MaxCodeLen), 0, 0), product("n", at(models.MaxCodeLen+1), 0, 0), "category"},
		{"list price", product("n", "", models.MaxUnitPrice, 0), product("n", "", models.MaxUnitPrice+1, 0), "list_price"},
		{"lead time", product("n", "", 1, models.MaxLeadTimeDays), product("n", "", 1, models.MaxLeadTimeDays+1), "lead_time_days"},
		{"user name", createUserRequest{Email: "a@b.co", Name: at(models.MaxNameLen), Password: "long-enough-pw", Roles: []models.Role{models.RoleFinance}},
			createUserRequest{Email: "a@b.co", Name: at(models.MaxNameLen + 1), Password: "long-enough-pw", Roles: []models.Role{models.RoleFinance}}, "name"},
		{"API key name", createAPIKeyRequest{Name: at(models.MaxNameLen), Roles: []models.Role{models.RoleFinance}},
			createAPIKeyRequest{Name: at(models.MaxNameLen + 1), Roles: []models.Role{models.RoleFinance}}, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.ok.Validate(); err != nil {
				t.Fatalf("the largest accepted value was refused: %v", err)
			}
			var ve *models.ValidationError
			if err := tc.over.Validate(); !errors.As(err, &ve) || ve.Fields[0].Field != tc.wantField {
				t.Fatalf("over the bound: %v, want a field error on %s", err, tc.wantField)
			}
		})
	}
}

// TestAPIKeysCannotMixCustomerAndStaffRoles: as for users, a customer's key
// sees one account; with a staff role beside it, it would see everyone's.
func TestAPIKeysCannotMixCustomerAndStaffRoles(t *testing.T) {
	cid := "c-1"
	err := createAPIKeyRequest{Name: "portal", Roles: []models.Role{models.RoleCustomer, models.RoleFinance}, CustomerID: &cid}.Validate()
	var ve *models.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "roles" {
		t.Fatalf("customer+finance key: %v", err)
	}
}
