package backorder

import "time"

// ETA sources.
const (
	SourceStock    = "stock"     // free stock is already there (held for a ship-whole line)
	SourceSupply   = "supply"    // an open purchase or production order
	SourceLeadTime = "lead time" // no supply covers it: ordered date plus supplier lead time
)

// Lot is open supply: Qty units still expected on ETA.
type Lot struct {
	Ref      string    `json:"ref"`      // supply order id
	Supplier string    `json:"supplier"` // who is bringing it
	Qty      int64     `json:"qty"`
	ETA      time.Time `json:"eta"`
}

// Estimate is when a waiting line's last unit is expected, and from where.
type Estimate struct {
	ID       string    `json:"id"`
	ETA      time.Time `json:"eta"`
	Source   string    `json:"source"`
	Ref      string    `json:"ref,omitempty"`
	Supplier string    `json:"supplier,omitempty"`
}

// PlanETAs gives every waiting line its ETA: lines in priority order draw
// first on free stock (available now), then on open supply by date, and
// what nothing covers comes with the supplier's lead time. A line's ETA is
// the date its last unit is covered. A supply date in the past is kept as it
// is (the line is then overdue and escalates) rather than moved silently.
// lots must be in ETA order.
func (p Policy) PlanETAs(waiting []Line, free int64, lots []Lot, now time.Time) []Estimate {
	out := make([]Estimate, 0, len(waiting))
	lot, inLot := 0, int64(0) // the lot being drawn on and what of it is used
	for _, l := range p.ranked(waiting) {
		need := l.Short
		e := Estimate{ID: l.ID, ETA: now, Source: SourceStock}
		take := min(max(free, 0), need)
		free, need = free-take, need-take
		for need > 0 && lot < len(lots) {
			x := lots[lot]
			take := min(x.Qty-inLot, need)
			need, inLot = need-take, inLot+take
			e = Estimate{ID: l.ID, ETA: x.ETA, Source: SourceSupply, Ref: x.Ref, Supplier: x.Supplier}
			if inLot >= x.Qty {
				lot, inLot = lot+1, 0
			}
		}
		if need > 0 {
			e = Estimate{ID: l.ID, ETA: l.LeadTimeETA, Source: SourceLeadTime}
		}
		out = append(out, e)
	}
	return out
}
