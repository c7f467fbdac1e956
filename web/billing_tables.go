package web

import (
	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
)

func invoiceTable(invs []models.Invoice, customers names) table {
	staff := customers != nil
	t := table{Caption: "Invoices", Head: []string{"Invoice", "Order", "Status", "Total", "Paid", "Issued", "Due"}, Empty: "No invoices.", Numeric: map[int]bool{3: true, 4: true}}
	if staff {
		t.Head = append(t.Head, "Customer")
	}
	for _, inv := range invs {
		row := []templ.Component{link("/invoices/"+inv.ID, inv.ID), link("/orders/"+inv.OrderID, inv.OrderID), badge(inv.Status),
			text(money(inv.Total, inv.Currency)), text(money(inv.Paid, inv.Currency)), when(day(inv.IssuedAt)), when(day(inv.DueAt))}
		if staff {
			row = append(row, text(customers.of(inv.CustomerID)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func invoiceLineTable(inv invoiceView) table {
	t := table{Caption: "Lines", Head: []string{"Product", "Qty", "Unit price", "Discount", "Tax", "Total"}, Numeric: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}}
	for _, l := range inv.Lines {
		t.Rows = append(t.Rows, []templ.Component{text(l.SKU + " · " + l.Name), text(itoa(l.Qty)), text(money(l.UnitPrice, inv.Currency)),
			text(money(l.Discount, inv.Currency)), text(money(l.Tax, inv.Currency)), text(money(l.Total, inv.Currency))})
	}
	return t
}

// paymentTable lists the payments received against an invoice; Applied is
// what paid the invoice, the rest became the customer's credit.
func paymentTable(inv invoiceView) table {
	t := table{Caption: "Payments received", Head: []string{"Received", "Reference", "Method", "Amount", "Applied to this invoice"},
		Empty: "No payment received yet.", Numeric: map[int]bool{3: true, 4: true}}
	for _, p := range inv.Payments {
		t.Rows = append(t.Rows, []templ.Component{when(at(p.ReceivedAt)), text(p.Reference), text(statusLabel(p.Method)),
			text(money(p.Amount, inv.Currency)), text(money(p.Applied, inv.Currency))})
	}
	return t
}
