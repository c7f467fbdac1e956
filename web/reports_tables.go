package web

import (
	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/store"
)

func agingTable(r store.ARAging) table {
	t := table{Caption: "Receivables by customer", Empty: "Nothing is owed.",
		Head:    append(append([]string{"Customer", "Invoices"}, agingBuckets...), "Total"),
		Numeric: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true}}
	row := func(name string, a store.AgingRow) []templ.Component {
		cells := []templ.Component{text(name), text(itoa(a.Invoices))}
		for _, v := range agingValues(a) {
			cells = append(cells, text(money(v, a.Currency)))
		}
		return append(cells, text(money(a.Total, a.Currency)))
	}
	for _, a := range r.Customers {
		t.Rows = append(t.Rows, row(a.CustomerName, a))
	}
	for _, a := range r.Totals {
		t.Rows = append(t.Rows, row("Total "+string(a.Currency), a))
	}
	return t
}
