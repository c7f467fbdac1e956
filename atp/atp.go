// Package atp answers "when can we deliver?": available-to-promise by date
// for one SKU. It is pure; the store supplies the figures.
//
// The rule: units available in stock now are promised today. Open supply
// (purchase and production orders) is first set against demand already
// waiting for it (backordered shortfalls), earliest ETA first; what is left
// of each order is promised on its ETA, or today if that ETA has passed.
// Anything beyond stock and open supply is promised at today plus the
// supplier's lead time.
package atp

import (
	"slices"
	"time"
)

// Supply is an open supply order's remaining quantity and expected date.
type Supply struct {
	Qty int64     `json:"qty"`
	ETA time.Time `json:"eta"`
}

// Position is what is known about a SKU.
type Position struct {
	Now          time.Time `json:"now"`
	Available    int64     `json:"available"` // in stock, not reserved nor owed to waiting backorders
	Supply       []Supply  `json:"supply"`
	Waiting      int64     `json:"waiting"` // backordered demand ahead of any new order, beyond free stock
	LeadTimeDays int       `json:"lead_time_days"`
}

// Source says where promised units come from.
type Source string

// Sources of a promise.
const (
	FromStock    Source = "stock"
	FromSupply   Source = "open supply"
	FromLeadTime Source = "supplier lead time"
)

// Slice is part of a promise: Qty units on Date.
type Slice struct {
	Qty    int64     `json:"qty"`
	Date   time.Time `json:"date"`
	Source Source    `json:"source"`
}

// Promise is when qty can be delivered: Date is when the last unit is
// available; Slices say how much comes when (for partial shipments).
type Promise struct {
	Qty    int64     `json:"qty"`
	Date   time.Time `json:"date"`
	Source Source    `json:"source"`
	Slices []Slice   `json:"slices"`
}

// Promise returns when qty units can be delivered.
func (p Position) Promise(qty int64) Promise {
	out := Promise{Qty: qty, Date: p.Now, Source: FromStock}
	if qty <= 0 {
		return out
	}
	left := qty
	if take := min(max(p.Available, 0), left); take > 0 {
		out.Slices = append(out.Slices, Slice{Qty: take, Date: p.Now, Source: FromStock})
		left -= take
	}
	supply := slices.Clone(p.Supply)
	slices.SortStableFunc(supply, func(a, b Supply) int { return a.ETA.Compare(b.ETA) })
	waiting := max(p.Waiting, 0)
	for _, s := range supply {
		if left == 0 {
			break
		}
		free := s.Qty
		used := min(free, waiting)
		free, waiting = free-used, waiting-used
		if take := min(free, left); take > 0 {
			eta := s.ETA
			if eta.Before(p.Now) {
				eta = p.Now // overdue supply: promise from today, never a past date
			}
			out.Slices = append(out.Slices, Slice{Qty: take, Date: eta, Source: FromSupply})
			left -= take
		}
	}
	if left > 0 {
		out.Slices = append(out.Slices, Slice{Qty: left, Date: p.Now.AddDate(0, 0, p.LeadTimeDays), Source: FromLeadTime})
	}
	for _, s := range out.Slices {
		if !s.Date.Before(out.Date) {
			out.Date, out.Source = s.Date, s.Source
		}
	}
	return out
}
