// Package backorder decides who gets stock that arrives for waiting
// backorders. It is pure and deterministic; the store and the allocator
// workflow (issue 5) feed it and apply its decisions.
//
// The priority policy, in order:
//  1. customer tier (1 first);
//  2. promised date (earliest first);
//  3. when the order was placed (oldest first);
//  4. order id, then line number (a fixed tie-break).
//
// Partial fills: a line that allows partial shipment takes what there is.
// A line that must ship whole is skipped while the stock cannot fill it,
// so smaller lines behind it are not blocked; but once it has been skipped
// MaxSkips times it blocks: nothing behind it is served until it is filled,
// and arriving stock accumulates for it. Every decision says why.
package backorder

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// MaxSkips is how often a ship-whole line may be passed over before stock
// is held for it.
const MaxSkips = 3

// Line is a backordered order line waiting for stock.
type Line struct {
	OrderID      string    `json:"order_id"`
	LineNo       int       `json:"line_no"`
	Tier         int       `json:"tier"`
	PromisedDate time.Time `json:"promised_date"`
	OrderedAt    time.Time `json:"ordered_at"`
	Short        int64     `json:"short"`         // units still missing
	AllowPartial bool      `json:"allow_partial"` // false: ship the line whole
	Skips        int       `json:"skips"`         // times passed over so far
}

// Decision is what one line gets from a receipt, and why.
type Decision struct {
	OrderID string `json:"order_id"`
	LineNo  int    `json:"line_no"`
	Qty     int64  `json:"qty"`     // units allocated now (0 when skipped)
	Skipped bool   `json:"skipped"` // a ship-whole line that could not be filled
	Rank    int    `json:"rank"`    // position in priority order, from 1
	Reason  string `json:"reason"`
}

// Less orders lines by the priority policy.
func Less(a, b Line) int {
	return cmp.Or(
		cmp.Compare(a.Tier, b.Tier),
		a.PromisedDate.Compare(b.PromisedDate),
		a.OrderedAt.Compare(b.OrderedAt),
		cmp.Compare(a.OrderID, b.OrderID),
		cmp.Compare(a.LineNo, b.LineNo),
	)
}

// Allocate hands qty arriving units to waiting lines by priority. It
// returns one decision per line it considered and the units left over.
func Allocate(waiting []Line, qty int64) (decisions []Decision, left int64) {
	lines := slices.Clone(waiting)
	slices.SortStableFunc(lines, Less)
	left = qty
	for i, l := range lines {
		if left == 0 || l.Short <= 0 {
			break
		}
		why := fmt.Sprintf("priority %d: tier %d, promised %s, ordered %s", i+1, l.Tier,
			l.PromisedDate.Format(time.DateOnly), l.OrderedAt.Format(time.DateOnly))
		d := Decision{OrderID: l.OrderID, LineNo: l.LineNo, Rank: i + 1}
		switch {
		case l.AllowPartial || left >= l.Short:
			d.Qty = min(left, l.Short)
			d.Reason = why
			if d.Qty < l.Short {
				d.Reason += fmt.Sprintf("; partial, %d still short", l.Short-d.Qty)
			}
		case l.Skips >= MaxSkips:
			// Held: nothing behind this line is served until it is whole.
			d.Skipped = true
			d.Reason = why + fmt.Sprintf("; ships whole and was passed over %d times: holding stock for it", l.Skips)
			decisions = append(decisions, d)
			return decisions, left
		default:
			d.Skipped = true
			d.Reason = why + fmt.Sprintf("; ships whole and needs %d, only %d arrived: passed over", l.Short, left)
		}
		left -= d.Qty
		decisions = append(decisions, d)
	}
	return decisions, left
}
