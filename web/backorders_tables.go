package web

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"
)

func backorderTable(rows []backorderRow) table {
	t := table{Caption: "Backorders", Head: []string{"SKU", "Customer", "Tier", "Order", "Waiting", "ETA", "Age", "Open value", "Status"},
		Empty: "No backorder matches.", Numeric: map[int]bool{4: true, 7: true}}
	for _, b := range rows {
		eta := when(day(b.ETA))
		status := badge(b.Status)
		if b.Overdue {
			status = badge("overdue")
		}
		t.Rows = append(t.Rows, []templ.Component{link("/backorders/"+b.ID, b.SKU), text(b.CustomerName), text(fmt.Sprint(b.CustomerTier)),
			link("/orders/"+b.OrderID, b.OrderID), text(itoa(b.Waiting)), eta, text(fmt.Sprintf("%d d", b.AgeDays)), text(money(b.ValueOpen, b.Currency)), status})
	}
	return t
}

func percent(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

// chartSummary says in words what a chart shows.
func chartSummary(c chart) string {
	if len(c.Labels) == 0 {
		return "no data yet"
	}
	var parts []string
	for i, l := range c.Labels {
		var vs []string
		for _, s := range c.Series {
			if i < len(s.Values) && !s.gap(i) {
				vs = append(vs, fmt.Sprintf("%d %s", s.Values[i], s.Label))
			}
		}
		if len(vs) > 0 {
			parts = append(parts, l+": "+strings.Join(vs, ", "))
		}
	}
	if len(parts) == 0 {
		return "nothing measured yet"
	}
	return strings.Join(parts, "; ")
}
