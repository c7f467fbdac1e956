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

func slippageTable(r store.SlippageReport) table {
	t := table{Caption: "Deliveries by supplier and month", Empty: "Nothing was received in this period.",
		Head: []string{"Supplier", "Month", "Received", "Late", "Average slip (days)"}, Numeric: map[int]bool{2: true, 3: true, 4: true}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []templ.Component{text(x.Supplier), text(x.Month), text(itoa(x.Received)), text(itoa(x.Late)), text(signedTenths(x.AvgSlipTenths))})
	}
	return t
}

func salesTable(r store.SalesReport) table {
	t := table{Caption: "By " + r.GroupBy + ", " + r.From + " to " + r.To + " against " + r.PreviousFrom + " to " + r.PreviousTo,
		Empty:   "Nothing was ordered or invoiced in this period.",
		Head:    []string{"Group", "Bookings", "Revenue", "Units invoiced", "Margin", "Margin %", "Revenue before", "Change"},
		Numeric: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}}
	row := func(x store.SalesRow, label string) []templ.Component {
		return []templ.Component{text(label), text(money(x.Total.Booked.Net, x.Currency)), text(money(x.Total.Invoiced.Net, x.Currency)),
			text(itoa(x.Total.Invoiced.Qty)), text(money(x.Total.Invoiced.Margin, x.Currency)), text(marginPct(x.Total.Invoiced.MarginBP)),
			text(money(x.Previous.Invoiced.Net, x.Currency)), text(change(x.Change.InvoicedNetBP, x.Change.InvoicedNet))}
	}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, row(x, x.Label))
	}
	for _, x := range r.Totals {
		t.Rows = append(t.Rows, row(x, "Total "+string(x.Currency)))
	}
	return t
}
