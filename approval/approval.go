// Package approval decides whether a priced quote needs approval and from
// whom. It is pure and deterministic, so the quote workflow calls it
// directly.
//
// Rules (defaults in DefaultPolicy, each a threshold):
//   - a discount from list price above DiscountBP needs an approver;
//   - a discount above HighDiscountBP needs a sales manager;
//   - a net total above LargeOrder needs a sales manager;
//   - a net total above VeryLargeOrder needs an executive.
//
// The strictest rule that fires sets the level. When an approval waits
// longer than the SLA, it escalates one level up the chain (approver →
// sales_manager → executive); the executive is the last level. A higher
// level may always approve in place of a lower one.
package approval

import (
	"fmt"
	"slices"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

// Chain is the escalation order, lowest first.
var Chain = []models.Role{models.RoleApprover, models.RoleSalesManager, models.RoleExecutive}

// Policy holds the thresholds. Amounts are minor units of the quote's currency.
type Policy struct {
	DiscountBP     int64         `json:"discount_bp"`
	HighDiscountBP int64         `json:"high_discount_bp"`
	LargeOrder     int64         `json:"large_order"`
	VeryLargeOrder int64         `json:"very_large_order"`
	SLA            time.Duration `json:"sla"`
}

// DefaultPolicy: over 15% off needs an approver, over 30% a sales manager;
// over 50,000.00 a sales manager, over 250,000.00 an executive; 24 h SLA.
var DefaultPolicy = Policy{DiscountBP: 1500, HighDiscountBP: 3000, LargeOrder: 5_000_000, VeryLargeOrder: 25_000_000, SLA: 24 * time.Hour}

// Requirement is the decision for one priced quote.
type Requirement struct {
	Required bool        `json:"required"`
	Role     models.Role `json:"role,omitempty"`
	Reasons  []string    `json:"reasons,omitempty"`
}

// Decide applies p to a priced quote.
func (p Policy) Decide(r pricing.Result) Requirement {
	var req Requirement
	need := func(role models.Role, reason string) {
		req.Required = true
		req.Reasons = append(req.Reasons, reason)
		if level(role) > level(req.Role) {
			req.Role = role
		}
	}
	pct := func(bp int64) string { return fmt.Sprintf("%d.%02d%%", bp/100, bp%100) }
	money := func(a int64) string { return models.NewMoney(a, r.Currency).Display() }
	// DiscountBP is everything off list: a customer's own price and a price
	// list count as much as a promotion, so the reason says "off list
	// price" (a line may show no discount and still be far below list).
	switch {
	case r.DiscountBP > p.HighDiscountBP:
		need(models.RoleSalesManager, fmt.Sprintf("%s off list price, above the %s an approver may allow", pct(r.DiscountBP), pct(p.HighDiscountBP)))
	case r.DiscountBP > p.DiscountBP:
		need(models.RoleApprover, fmt.Sprintf("%s off list price, above the %s allowed without approval", pct(r.DiscountBP), pct(p.DiscountBP)))
	}
	switch {
	case r.Net > p.VeryLargeOrder:
		need(models.RoleExecutive, fmt.Sprintf("net %s is above %s", money(r.Net), money(p.VeryLargeOrder)))
	case r.Net > p.LargeOrder:
		need(models.RoleSalesManager, fmt.Sprintf("net %s is above %s", money(r.Net), money(p.LargeOrder)))
	}
	return req
}

// chainOf is the chain a required role belongs to: the credit chain for
// finance, the sales chain otherwise.
func chainOf(role models.Role) []models.Role {
	if role == models.RoleFinance {
		return CreditChain
	}
	return Chain
}

// Escalate returns the next role up the role's chain, and false at the top.
func Escalate(role models.Role) (models.Role, bool) {
	chain := chainOf(role)
	i := slices.Index(chain, role)
	if i < 0 || i == len(chain)-1 {
		return role, false
	}
	return chain[i+1], true
}

// CanApprove reports whether holder of roles may approve at level required:
// the required role or any role above it in its chain.
func CanApprove(roles models.Roles, required models.Role) bool {
	chain := chainOf(required)
	for _, r := range roles {
		if at := slices.Index(chain, r); at >= 0 && at >= slices.Index(chain, required) {
			return true
		}
	}
	return false
}

func level(r models.Role) int { return slices.Index(Chain, r) + 1 } // 0 when not in the chain
