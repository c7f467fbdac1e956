package workflows

import (
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

// Order workflow names.
const (
	OrderWorkflowName = "Order"

	UpdateOrderCancel = "cancel"

	ActivitySaveOrder   = "SaveOrder"
	ActivityReserveLine = "ReserveLine"
	ActivityReleaseLine = "ReleaseLine"
)

// Order statuses.
const (
	OrderAllocating  = "allocating"
	OrderAllocated   = "allocated"   // every line fully reserved
	OrderBackordered = "backordered" // some line waits for supply
	OrderCancelled   = "cancelled"
)

// OrderWorkflowID is an order's workflow ID, from its business key.
func OrderWorkflowID(orderID string) string { return "Order:" + orderID }

// OrderRequest starts an order from an accepted quote.
type OrderRequest struct {
	OrderID      string         `json:"order_id"`
	QuoteID      string         `json:"quote_id"`
	CustomerID   string         `json:"customer_id"`
	Customer     Contact        `json:"customer"`
	Pricing      pricing.Result `json:"pricing"`
	AllowPartial bool           `json:"allow_partial"`
	AcceptedBy   string         `json:"accepted_by"`
}

// OrderLine is one line's position.
type OrderLine struct {
	LineNo    int    `json:"line_no"`
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
	Reserved  int64  `json:"reserved"`
	Shipped   int64  `json:"shipped"`
	Cancelled int64  `json:"cancelled"`
}

// Backordered is what the line still waits for.
func (l OrderLine) Backordered() int64 { return l.Qty - l.Reserved - l.Cancelled }

// OrderState is everything known about an order.
type OrderState struct {
	OrderID      string          `json:"order_id"`
	QuoteID      string          `json:"quote_id"`
	CustomerID   string          `json:"customer_id"`
	Customer     Contact         `json:"customer"`
	Status       string          `json:"status"`
	Rev          int             `json:"rev"`
	Currency     models.Currency `json:"currency"`
	Total        int64           `json:"total"`
	AllowPartial bool            `json:"allow_partial"`
	Lines        []OrderLine     `json:"lines"`
	Timeline     []Event         `json:"timeline"`
	CreatedAt    time.Time       `json:"created_at"`
}

// ReserveLineInput reserves stock for one order line.
type ReserveLineInput struct {
	OrderID string `json:"order_id"`
	LineNo  int    `json:"line_no"`
	SKU     string `json:"sku"`
	Qty     int64  `json:"qty"`
}

// ReleaseLineInput frees an order line's reservations.
type ReleaseLineInput struct {
	OrderID string `json:"order_id"`
	LineNo  int    `json:"line_no"`
}

// CancelInput cancels whatever of an order has not shipped.
type CancelInput struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason"`
}
