package web

import (
	"fmt"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func stockTable(levels []models.StockLevel) table {
	t := table{Caption: "Stock by warehouse", Head: []string{"Warehouse", "On hand", "Reserved", "Available"}, Empty: "No stock anywhere.", Numeric: map[int]bool{1: true, 2: true, 3: true}}
	for _, l := range levels {
		t.Rows = append(t.Rows, []templ.Component{text(l.WarehouseCode), text(itoa(l.OnHand)), text(itoa(l.Reserved)), text(itoa(l.Available()))})
	}
	return t
}

func openSupplyTable(os []models.SupplyOrder) table {
	t := table{Caption: "Open supply", Head: []string{"Reference", "Kind", "Warehouse", "Quantity", "Received", "Expected"}, Empty: "No open purchase or production orders.", Numeric: map[int]bool{3: true, 4: true}}
	for _, o := range os {
		t.Rows = append(t.Rows, []templ.Component{text(o.Reference), text(statusLabel(o.Kind)), text(o.WarehouseCode), text(itoa(o.Qty)), text(itoa(o.ReceivedQty)), when(day(o.ExpectedAt))})
	}
	return t
}

func pickTable(picks []models.Pick) table {
	t := table{Caption: "Pick list", Head: []string{"Rank", "Order", "Line", "Customer", "Tier", "Warehouse", "Quantity", "Why"}, Numeric: map[int]bool{6: true}}
	for _, p := range picks {
		t.Rows = append(t.Rows, []templ.Component{text(fmt.Sprint(p.Rank)), link("/orders/"+p.OrderID, p.OrderID), text(fmt.Sprint(p.LineNo)), text(p.Customer),
			text(fmt.Sprint(p.Tier)), text(p.Warehouse), text(itoa(p.Qty)), text(p.Reason)})
	}
	return t
}

func supplyTable(d supplyData) table {
	t := table{Caption: "Supply orders", Head: []string{"Reference", "Kind", "Product", "Warehouse", "Quantity", "Received", "Expected", "Status"}, Empty: "No supply orders.", Numeric: map[int]bool{4: true, 5: true}}
	if d.Planner {
		t.Head = append(t.Head, "Change")
	}
	for _, o := range d.Orders {
		row := []templ.Component{text(o.Reference), text(statusLabel(o.Kind)), link("/stock?sku="+o.SKU, o.SKU), text(o.WarehouseCode), text(itoa(o.Qty)),
			text(itoa(o.ReceivedQty)), when(day(o.ExpectedAt)), badge(o.Status)}
		if d.Planner {
			row = append(row, supplyActions(o, d.CSRF))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func bottleneckSKUTable(bs []store.Bucket) table {
	t := table{Caption: "Waiting by SKU", Head: []string{"SKU", "Backorders", "Units", "Value"}, Empty: "Nothing waits.", Numeric: map[int]bool{1: true, 2: true, 3: true}}
	for _, b := range bs {
		t.Rows = append(t.Rows, []templ.Component{link("/backorders?sku="+b.Key, b.Key), text(itoa(b.Count)), text(itoa(b.Qty)), text(amounts(b.Value))})
	}
	return t
}

func bottleneckSupplierTable(bs []store.SupplierBottleneck) table {
	t := table{Caption: "Waiting by supplier", Head: []string{"Supplier", "Backorders", "Units", "Late supply orders", "Past due", "Average slip"},
		Empty: "Nothing waits.", Numeric: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}}
	for _, b := range bs {
		t.Rows = append(t.Rows, []templ.Component{text(b.Key), text(itoa(b.Count)), text(itoa(b.Qty)), text(itoa(b.LateSupplyOrders)),
			text(itoa(b.OpenPastDueSupply)), text(fmt.Sprintf("%.1f days", b.AvgSlippageDays))})
	}
	return t
}

// amounts shows a sum per currency ("USD 10.00 + EUR 5.00"): never added up.
func amounts(as []store.Amount) string {
	if len(as) == 0 {
		return "—"
	}
	out := ""
	for i, a := range as {
		if i > 0 {
			out += " + "
		}
		out += money(a.Amount, a.Currency)
	}
	return out
}
