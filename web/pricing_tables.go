package web

import (
	"slices"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
)

func windowCells(w pricing.Window) []templ.Component {
	to := templ.Component(text("open-ended"))
	if !w.To.IsZero() {
		to = when(day(w.To))
	}
	return []templ.Component{when(day(w.From)), to}
}

func priceListTable(ls []pricing.PriceList) table {
	t := table{Caption: "Price lists", Head: []string{"Name", "Segment", "Region", "Prices", "From", "Until"}, Empty: "No price lists."}
	for _, l := range ls {
		var items []string
		for _, sku := range sortedKeys(l.Items) {
			for _, tr := range l.Items[sku] {
				items = append(items, sku+" from "+itoa(tr.MinQty)+": "+money(tr.UnitPrice, l.Currency))
			}
		}
		t.Rows = append(t.Rows, append([]templ.Component{text(l.Name), text(l.Segment), text(l.Region), text(joinSemi(items))}, windowCells(l.Window)...))
	}
	return t
}

func customerPriceTable(cs []pricing.CustomerPrice, customers names) table {
	t := table{Caption: "Customer prices", Head: []string{"Customer", "SKU", "Unit price", "From", "Until"}, Empty: "No customer prices.", Numeric: map[int]bool{2: true}}
	for _, c := range cs {
		t.Rows = append(t.Rows, append([]templ.Component{text(firstOf(customers[c.CustomerID], c.CustomerID)), text(c.SKU), text(money(c.UnitPrice, c.Currency))}, windowCells(c.Window)...))
	}
	return t
}

func promotionTable(ps []pricing.Promotion) table {
	t := table{Caption: "Promotions", Head: []string{"Description", "Code", "SKU", "Off", "From", "Until"}, Empty: "No promotions."}
	for _, p := range ps {
		off := basisPoints(p.PercentBP) + "%"
		if p.AmountOff > 0 {
			off = money(p.AmountOff, p.Currency) + " per unit"
		}
		t.Rows = append(t.Rows, append([]templ.Component{text(p.Description), text(p.Code), text(p.SKU), text(off)}, windowCells(p.Window)...))
	}
	return t
}

func taxRateTable(rs []store.TaxRate) table {
	t := table{Caption: "Tax rates", Head: []string{"Region", "Rate"}, Empty: "No tax rates.", Numeric: map[int]bool{1: true}}
	for _, r := range rs {
		t.Rows = append(t.Rows, []templ.Component{text(r.Region), text(basisPoints(r.RateBP) + "%")})
	}
	return t
}

func joinSemi(s []string) string {
	slices.Sort(s)
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}
