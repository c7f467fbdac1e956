package api

import (
	"cmp"
	"context"
	"encoding/json"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

func (s *Server) shippingRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/shipping/ready", Answer: store.List[readyOrder]{}, Summary: "Orders that can ship now, oldest first (?limit=, at most 200, and ?cursor= from next_cursor): each with its customer, ship-to, delivery instructions, and per line the SKU and the units reserved for it; a ship-complete order appears only once every open unit is reserved", Roles: shippers, Handler: s.readyToShip},
	}
}

// readyBatch is how many orders with reserved units the queue reads at a
// time.
const readyBatch = store.MaxPageSize

// shippableStatuses are the order statuses that may ship.
var shippableStatuses = []string{workflows.OrderAllocated, workflows.OrderPartiallyShipped, workflows.OrderBackordered}

// readyOrder is one order in the warehouse's queue.
type readyOrder struct {
	OrderID      string    `json:"order_id"`
	CustomerID   string    `json:"customer_id"`
	CustomerName string    `json:"customer_name"`
	Status       string    `json:"status"`
	PlacedAt     time.Time `json:"placed_at"`
	ShipTo       string    `json:"ship_to"`
	ShipComplete bool      `json:"ship_complete"`
	// UnitsReady are reserved and may ship now; UnitsWaiting wait for stock.
	UnitsReady   int64 `json:"units_ready"`
	UnitsWaiting int64 `json:"units_waiting"`
	// Lines are what to pick: each open line's SKU and units ready.
	Lines        []readyLine `json:"lines"`
	Instructions string      `json:"delivery_instructions,omitempty"`
}

// readyLine is one order line in the queue.
type readyLine struct {
	LineNo  int    `json:"line_no"`
	SKU     string `json:"sku"`
	Ready   int64  `json:"units_ready"`
	Waiting int64  `json:"units_waiting"`
}

func (s *Server) readyToShip(c *gin.Context) { listPage(c, s.readyOrders) }

// readyOrders is one page of the warehouse's queue; it holds up to
// MaxPageSize orders unless the page asks for fewer.
func (s *Server) readyOrders(ctx context.Context, page store.Page) (store.List[readyOrder], error) {
	limit := cmp.Or(page.Limit, store.MaxPageSize)
	afterAt, afterID, err := page.TimeAfter()
	if err != nil {
		return store.List[readyOrder]{}, err
	}
	// Ship-complete orders still waiting for stock hold units but cannot
	// ship: read on past them, a batch at a time, until limit orders can
	// and one more shows there is a next page.
	out := store.List[readyOrder]{Items: []readyOrder{}}
	var lastAt time.Time
	lastID := ""
	for out.NextCursor == "" {
		recs, err := s.Store.OrdersWithReservedUnits(ctx, shippableStatuses, afterAt, afterID, readyBatch)
		if err != nil {
			return out, err
		}
		for _, rec := range recs {
			var st workflows.OrderState
			if err := json.Unmarshal([]byte(rec.State), &st); err != nil {
				return out, err
			}
			if o, ok := readyOf(st); ok {
				if len(out.Items) == limit {
					out.NextCursor = store.TimeCursor(lastAt, lastID)
					break
				}
				out.Items, lastAt, lastID = append(out.Items, o), rec.CreatedAt, rec.ID
			}
			afterAt, afterID = rec.CreatedAt, rec.ID
		}
		if len(recs) < readyBatch {
			break
		}
	}
	return out, nil
}

// readyOf is the order as the warehouse's queue shows it, and whether it
// can ship now: something reserved, and for a ship-complete order every
// open unit (the shipment validator's rule).
func readyOf(st workflows.OrderState) (readyOrder, bool) {
	o := readyOrder{OrderID: st.OrderID, CustomerID: st.CustomerID, CustomerName: st.Customer.Name, Status: st.Status,
		PlacedAt: st.CreatedAt, ShipTo: st.ShipToText(), ShipComplete: !st.AllowPartial, Instructions: st.Instructions, Lines: []readyLine{}}
	for _, l := range st.Lines {
		ready, waiting := max(l.Reserved, 0), max(l.Backordered(), 0)
		o.UnitsReady += ready
		o.UnitsWaiting += waiting
		if ready+waiting > 0 {
			o.Lines = append(o.Lines, readyLine{LineNo: l.LineNo, SKU: l.SKU, Ready: ready, Waiting: waiting})
		}
	}
	return o, o.UnitsReady > 0 && (st.AllowPartial || o.UnitsWaiting == 0)
}
