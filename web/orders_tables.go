package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

func orderTable(os []models.OrderRecord, customers names) table {
	staff := customers != nil
	t := table{Caption: "Orders", Head: []string{"Order", "Status", "Total", "Placed", "Quote"}, Empty: "No orders yet.", Numeric: map[int]bool{2: true}}
	if staff {
		t.Head = append(t.Head, "Customer")
	}
	for _, o := range os {
		row := []templ.Component{link("/orders/"+o.ID, o.ID), badge(o.Status), text(money(o.Total, o.Currency)), when(at(o.CreatedAt)), link("/quotes/"+o.QuoteID, o.QuoteID)}
		if staff {
			row = append(row, text(customers.of(o.CustomerID)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func readyTable(os []readyOrder) table {
	t := table{Caption: "Ready to ship", Head: []string{"Order", "Customer", "Placed", "Ship to", "To pick", "Units ready", "Units waiting", "Shipping"},
		Empty: "Nothing to ship: no order has stock reserved for it.", Numeric: map[int]bool{5: true, 6: true}}
	for _, o := range os {
		how := "In parts as stock comes"
		if o.ShipComplete {
			how = "Complete, in one shipment"
		}
		shipTo := o.ShipTo
		if o.Instructions != "" {
			shipTo += " · " + o.Instructions
		}
		t.Rows = append(t.Rows, []templ.Component{link("/orders/"+o.OrderID, o.OrderID), text(o.CustomerName), when(at(o.PlacedAt)),
			text(shipTo), text(o.picking()), text(itoa(o.UnitsReady)), text(itoa(o.UnitsWaiting)), text(how)})
	}
	return t
}

func orderLineTable(st workflows.OrderState, rs []models.Reservation) table {
	t := table{Caption: "Lines", Head: []string{"Line", "Product", "Ordered", "Reserved", "Reserved in", "Shipped", "Cancelled", "Backorder ETA"},
		Numeric: map[int]bool{2: true, 3: true, 5: true, 6: true}}
	for _, l := range st.Lines {
		var in []string // where the line's reserved units wait: "SFO 5, NYC 3"
		for _, r := range rs {
			if r.LineNo == l.LineNo {
				in = append(in, r.WarehouseCode+" "+itoa(r.Qty))
			}
		}
		t.Rows = append(t.Rows, []templ.Component{text(itoa(int64(l.LineNo))), text(l.SKU), text(itoa(l.Qty)), text(itoa(l.Reserved)),
			text(strings.Join(in, ", ")), text(itoa(l.Shipped)), text(itoa(l.Cancelled)), etaCell(l, st.Status == workflows.OrderAllocating)})
	}
	return t
}

func shipmentTable(st workflows.OrderState) table {
	t := table{Caption: "Shipments", Head: []string{"Shipped", "Carrier", "Tracking number", "Units", "Invoice"}, Numeric: map[int]bool{3: true}}
	for _, sh := range st.Shipments {
		var units int64
		for _, l := range sh.Lines {
			units += l.Qty
		}
		invoice := text("not yet")
		if sh.InvoiceID != "" {
			invoice = link("/invoices/"+sh.InvoiceID, sh.InvoiceID)
		}
		t.Rows = append(t.Rows, []templ.Component{when(at(sh.ShippedAt)), text(sh.Carrier), text(sh.Tracking), text(itoa(units)), invoice})
	}
	return t
}

func orderInvoiceTable(st workflows.OrderState) table {
	t := table{Caption: "Invoices", Head: []string{"Invoice", "Status", "Total", "Paid", "Due"}, Numeric: map[int]bool{2: true, 3: true}}
	for _, inv := range st.Invoices {
		t.Rows = append(t.Rows, []templ.Component{link("/invoices/"+inv.ID, inv.ID), badge(inv.Status),
			text(money(inv.Total, st.Currency)), text(money(inv.Paid, st.Currency)), when(day(inv.DueAt))})
	}
	return t
}

// lineFields are the form's "ship_N" fields in line-number order.
func lineFields(form map[string][]string) []string {
	var names []string
	for k := range form {
		if strings.HasPrefix(k, "ship_") {
			names = append(names, k)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		x, _ := strconv.Atoi(strings.TrimPrefix(a, "ship_"))
		y, _ := strconv.Atoi(strings.TrimPrefix(b, "ship_"))
		return x - y
	})
	return names
}
