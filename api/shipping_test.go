package api

import (
	"testing"

	"github.com/q2c-dev/q2c/workflows"
)

// TestReadyToShip: an order is in the warehouse's queue when something is
// reserved for it, and a ship-complete one only when nothing waits.
func TestReadyToShip(t *testing.T) {
	line := func(qty, reserved, shipped int64) workflows.OrderLine {
		return workflows.OrderLine{LineNo: 1, SKU: "WID-1", Qty: qty, Reserved: reserved, Shipped: shipped}
	}
	for _, tc := range []struct {
		name           string
		allowPartial   bool
		lines          []workflows.OrderLine
		ready          bool
		units, waiting int64
	}{
		{"all reserved, ships complete", false, []workflows.OrderLine{line(5, 5, 0), line(2, 2, 0)}, true, 7, 0},
		{"part reserved, parts allowed", true, []workflows.OrderLine{line(5, 3, 0), line(2, 0, 0)}, true, 3, 4},
		{"part reserved, ships complete", false, []workflows.OrderLine{line(5, 3, 0), line(2, 2, 0)}, false, 5, 2},
		{"the rest reserved after a shipment", true, []workflows.OrderLine{line(5, 2, 3)}, true, 2, 0},
		{"nothing reserved", true, []workflows.OrderLine{line(5, 0, 0)}, false, 0, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := readyOf(workflows.OrderState{OrderID: "SO-1", AllowPartial: tc.allowPartial, Lines: tc.lines})
			if ok != tc.ready || o.UnitsReady != tc.units || o.UnitsWaiting != tc.waiting || o.ShipComplete == tc.allowPartial {
				t.Fatalf("ready %v with %d units, %d waiting, ship complete %v; want %v, %d, %d",
					ok, o.UnitsReady, o.UnitsWaiting, o.ShipComplete, tc.ready, tc.units, tc.waiting)
			}
		})
	}
}
