package approval_test

import (
	"testing"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name     string
		r        pricing.Result
		required bool
		role     models.Role
		reasons  int
	}{
		{"small order at list price", pricing.Result{Currency: "USD", Net: 10_000, DiscountBP: 0}, false, "", 0},
		{"discount at the threshold is fine", pricing.Result{Currency: "USD", Net: 10_000, DiscountBP: 1500}, false, "", 0},
		{"discount above threshold", pricing.Result{Currency: "USD", Net: 10_000, DiscountBP: 1501}, true, models.RoleApprover, 1},
		{"high discount", pricing.Result{Currency: "USD", Net: 10_000, DiscountBP: 3500}, true, models.RoleSalesManager, 1},
		{"large order", pricing.Result{Currency: "USD", Net: 6_000_000}, true, models.RoleSalesManager, 1},
		{"very large order with a discount: strictest wins", pricing.Result{Currency: "USD", Net: 30_000_000, DiscountBP: 2000}, true, models.RoleExecutive, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := approval.DefaultPolicy.Decide(tc.r)
			if got.Required != tc.required || got.Role != tc.role || len(got.Reasons) != tc.reasons {
				t.Fatalf("Decide = %+v", got)
			}
		})
	}
}

func TestEscalationAndAuthority(t *testing.T) {
	next, ok := approval.Escalate(models.RoleApprover)
	if !ok || next != models.RoleSalesManager {
		t.Fatalf("approver escalates to %s", next)
	}
	if next, ok := approval.Escalate(models.RoleFinance); !ok || next != models.RoleExecutive {
		t.Fatalf("a credit hold escalates from finance to %s", next)
	}
	if _, ok := approval.Escalate(models.RoleExecutive); ok {
		t.Fatal("executive escalated beyond the chain")
	}
	tests := []struct {
		roles    models.Roles
		required models.Role
		ok       bool
	}{
		{models.Roles{models.RoleApprover}, models.RoleApprover, true},
		{models.Roles{models.RoleSalesManager}, models.RoleApprover, true},
		{models.Roles{models.RoleApprover}, models.RoleSalesManager, false},
		{models.Roles{models.RoleSalesRep}, models.RoleApprover, false},
		{models.Roles{models.RoleExecutive}, models.RoleExecutive, true},
		{models.Roles{models.RoleFinance}, models.RoleFinance, true},
		{models.Roles{models.RoleExecutive}, models.RoleFinance, true},
		{models.Roles{models.RoleSalesManager}, models.RoleFinance, false},
		{models.Roles{models.RoleFinance}, models.RoleApprover, false},
	}
	for _, tc := range tests {
		if approval.CanApprove(tc.roles, tc.required) != tc.ok {
			t.Errorf("%v approving at %s: want %v", tc.roles, tc.required, tc.ok)
		}
	}
}
