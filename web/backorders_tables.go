package web

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
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
	named := false // a series named for what it counts, not for its unit
	for i, l := range c.Labels {
		var vs []string
		for _, s := range c.Series {
			if i >= len(s.Values) || s.gap(i) {
				continue
			}
			n := models.Grouped(s.Values[i])
			switch {
			case c.Unit == "%":
				n += "%"
				if len(c.Series) > 1 {
					n = s.Label + " " + n
				}
			case s.Label == c.Unit && s.Values[i] == 1 && s.One != "":
				n = "1 " + s.One
			case s.Label == c.Unit:
				n += " " + s.Label
			default:
				n, named = s.Label+" "+n, true
			}
			vs = append(vs, n)
		}
		if len(vs) > 0 {
			parts = append(parts, l+": "+strings.Join(vs, ", "))
		}
	}
	if len(parts) == 0 {
		return "nothing measured yet"
	}
	out := strings.Join(parts, "; ")
	if named && c.Unit != "" {
		out += " (" + c.Unit + ")"
	}
	return out
}
