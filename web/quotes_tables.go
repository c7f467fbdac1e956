package web

import (
	"fmt"
	"time"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

func quoteTable(qs []models.QuoteRecord, customers names) table {
	staff := customers != nil
	t := table{Caption: "Quotes", Head: []string{"Quote", "Status", "Total", "Valid until", "Order", "Updated"}, Empty: "No quotes yet.", Numeric: map[int]bool{2: true}}
	if staff {
		t.Head = append(t.Head, "Customer")
	}
	for _, q := range qs {
		valid := templ.Component(text(""))
		if q.ValidUntil != nil {
			valid = when(day(*q.ValidUntil))
		}
		order := templ.Component(text(""))
		if q.OrderID != "" {
			order = link("/orders/"+q.OrderID, q.OrderID)
		}
		row := []templ.Component{link("/quotes/"+q.ID, q.ID), badge(q.Status), text(money(q.Total, q.Currency)), valid, order, when(at(q.UpdatedAt))}
		if staff {
			row = append(row, text(customers.of(q.CustomerID)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// pricedTable is a quote's lines as priced; a customer reads the
// customer's own price as "Your price", staff as "Customer price".
func pricedTable(st workflows.QuoteState, customer bool) table {
	cur := st.Priced.Pricing.Currency
	price := "Customer price"
	if customer {
		price = "Your price"
	}
	t := table{Caption: "Lines", Head: []string{"Product", "Qty", "List price", price, "Discounts", "Tax", "Line total", "Promised"},
		Empty: "No lines.", Numeric: map[int]bool{1: true, 2: true, 3: true, 5: true, 6: true}}
	for i, l := range st.Priced.Pricing.Lines {
		t.Rows = append(t.Rows, []templ.Component{
			text(l.SKU + " · " + l.Name), text(itoa(l.Qty)), text(money(l.ListUnit, cur)),
			text(money(l.UnitPrice, cur) + " (" + l.PriceSource + ")"), discountsCell(st, i),
			text(money(l.Tax, cur) + fmt.Sprintf(" (%s%%)", basisPoints(l.TaxBP))), text(money(l.Total, cur)), promiseCell(st, i),
		})
	}
	return t
}

func approvalTable(qs []workflows.QuoteState, empty string) table {
	t := table{Caption: "Quotes waiting for a decision", Head: []string{"Quote", "Customer", "Total", "Needs", "Why", "Escalates"}, Empty: empty, Numeric: map[int]bool{2: true}}
	now := time.Now()
	for _, q := range qs {
		t.Rows = append(t.Rows, []templ.Component{link("/quotes/"+q.QuoteID, q.QuoteID), text(q.Priced.Customer.Name),
			text(money(q.Priced.Pricing.Total, q.Priced.Pricing.Currency)), text(roleLabel(q.ApprovalRole)), reasonsList(q), timeLeft(q, now)})
	}
	return t
}

// basisPoints shows 725 as "7.25" with integer arithmetic.
func basisPoints(bp int64) string {
	return fmt.Sprintf("%d.%02d", bp/100, bp%100)
}

// untilText says how long until t, in words ("in 5 h", "overdue 2 h").
func untilText(t, now time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	word := "in "
	if d < 0 {
		word, d = "overdue ", -d
	}
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%s%d days", word, int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%s%d h", word, int(d.Hours()))
	}
	return fmt.Sprintf("%s%d min", word, int(d.Minutes()))
}

// decider names who decided: their name when the decision recorded it.
func decider(d workflows.Decision) string {
	if d.ByName != "" {
		return d.ByName
	}
	return d.By
}
