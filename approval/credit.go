package approval

import (
	"fmt"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// CreditChain is who releases a credit hold, lowest first: finance, then
// an executive when finance has not answered within the SLA.
var CreditChain = []models.Role{models.RoleFinance, models.RoleExecutive}

// DefaultOverdueDays: a customer with an invoice more than 30 days past due
// needs a credit approval for a new order.
const DefaultOverdueDays = 30

// Credit is a customer's position when an order is about to be placed,
// in the customer's currency.
type Credit struct {
	Currency models.Currency `json:"currency"`
	// Limit is what the customer may owe; nil is no limit.
	Limit *int64 `json:"limit,omitempty"`
	// OpenInvoices is what the customer owes on invoices issued;
	// Uninvoiced is the part of orders placed not invoiced yet.
	OpenInvoices int64 `json:"open_invoices"`
	Uninvoiced   int64 `json:"uninvoiced"`
	// OldestOverdue is when the oldest unpaid invoice fell due (nil when
	// none is past due), OverdueBalance what is owed on those past due.
	OldestOverdue  *time.Time `json:"oldest_overdue,omitempty"`
	OverdueBalance int64      `json:"overdue_balance"`
}

// Exposure is what the customer owes or has ordered and not paid.
func (c Credit) Exposure() int64 { return c.OpenInvoices + c.Uninvoiced }

// CreditReasons says why placing an order of total (same currency) needs
// a credit approval at now: it would take the customer over its limit, or
// an invoice is more than overdueDays past due. Each reason carries its
// figures; none means the order may go ahead.
func CreditReasons(c Credit, total int64, now time.Time, overdueDays int) []string {
	money := func(a int64) string { return models.NewMoney(a, c.Currency).Display() }
	var reasons []string
	if c.Limit != nil && c.Exposure()+total > *c.Limit {
		reasons = append(reasons, fmt.Sprintf("credit limit: %s owed and ordered + this order %s = %s, over the limit of %s",
			money(c.Exposure()), money(total), money(c.Exposure()+total), money(*c.Limit)))
	}
	if c.OldestOverdue != nil {
		// Whole days past due, counted as the dunning does: a day is 24 h.
		days := int(now.Sub(*c.OldestOverdue) / (24 * time.Hour))
		if days > overdueDays {
			reasons = append(reasons, fmt.Sprintf("overdue: an invoice is %d days past due (%s overdue in all), more than the %d days allowed",
				days, money(c.OverdueBalance), overdueDays))
		}
	}
	return reasons
}
