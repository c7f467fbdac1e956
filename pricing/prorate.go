package pricing

import "github.com/q2c-dev/q2c/models"

// Invoiced is what has been billed of one priced line.
type Invoiced struct {
	Qty      int64 `json:"qty"`
	Gross    int64 `json:"gross"`
	Discount int64 `json:"discount"`
	Net      int64 `json:"net"`
	Tax      int64 `json:"tax"`
	Total    int64 `json:"total"`
}

// Add returns the sum of two billed amounts.
func (a Invoiced) Add(b Invoiced) Invoiced {
	return Invoiced{Qty: a.Qty + b.Qty, Gross: a.Gross + b.Gross, Discount: a.Discount + b.Discount,
		Net: a.Net + b.Net, Tax: a.Tax + b.Tax, Total: a.Total + b.Total}
}

// Prorate returns the amounts to bill for qty more units of l when prior is
// already billed. Each amount is the line's amount for the cumulative
// quantity (rounded half away from zero) minus what was billed before, so
// rounding never drifts: however a line is split across shipments, its
// invoices add up exactly to its priced gross, discount, tax and total.
func Prorate(l PricedLine, qty int64, prior Invoiced) Invoiced {
	cum := prior.Qty + qty
	share := func(amount int64) int64 { return models.DivRoundHalfAwayFromZero(amount*cum, l.Qty) }
	out := Invoiced{Qty: qty, Gross: share(l.Gross) - prior.Gross, Discount: share(l.Discount) - prior.Discount, Tax: share(l.Tax) - prior.Tax}
	out.Net = out.Gross - out.Discount
	out.Total = out.Net + out.Tax
	return out
}
