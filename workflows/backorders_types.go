package workflows

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/q2c-dev/q2c/models"
)

// Allocator workflow names. One Allocator runs per SKU: it receives goods
// (Update "receive", so a receipt is validated before anything happens and
// answered with its pick list), and tells everyone what changed for the
// SKU's backorders: the warehouse its pick lists, each order its filled
// units and ETA, customers and sales reps their new dates, production its
// make-to-order shortfalls, customer service the backorders past their ETA.
const (
	AllocatorWorkflowName  = "Allocator"
	UpdateAllocatorReceive = "receive"
	SignalAllocatorWake    = "wake" // the SKU's backorders changed: announce the news
	SignalOrderBackorder   = "backorder"

	ActivityReceiveStock    = "ReceiveStock"
	ActivityBackorderNews   = "BackorderNews"
	ActivityMarkAnnounced   = "MarkAnnounced"
	ActivityEscalateOverdue = "EscalateOverdue"
	ActivityWaitingForSKU   = "WaitingForSKU"
)

// AllocatorContinueAfter is how many wake-ups one run handles before it
// continues as new, keeping its history short.
const AllocatorContinueAfter = 200

// AllocatorWorkflowID is the SKU's allocator, from its business key.
func AllocatorWorkflowID(sku string) string { return "Allocator:" + sku }

// AllocatorInput starts (or continues) a SKU's allocator.
type AllocatorInput struct {
	SKU string `json:"sku"`
}

// ReceiveInput is a goods receipt for the allocator's SKU.
type ReceiveInput struct {
	Actor Actor `json:"actor"`
	// Key identifies the delivery (for example the packing slip number);
	// the same key received again is answered with the first result.
	Key           string `json:"key"`
	Warehouse     string `json:"warehouse"`
	Qty           int64  `json:"qty"`
	SupplyOrderID string `json:"supply_order_id,omitempty"`
	CloseShort    bool   `json:"close_short,omitempty"`
}

// MaxReceiptQty bounds one receipt.
const MaxReceiptQty = 10_000_000

// Validate checks a receipt before the allocator accepts it.
func (in ReceiveInput) Validate() error {
	var v models.Validator
	v.Check(strings.TrimSpace(in.Key) != "" && utf8.RuneCountInString(in.Key) <= models.MaxNameLen, "reference", fmt.Sprintf("is required (at most %d characters): the delivery's own reference", models.MaxNameLen))
	v.Text("warehouse", in.Warehouse, true, models.MaxCodeLen)
	v.Text("supply_order_id", in.SupplyOrderID, false, models.MaxCodeLen)
	v.Check(in.Qty > 0 && in.Qty <= MaxReceiptQty, "qty", fmt.Sprintf("must be between 1 and %d", MaxReceiptQty))
	v.Check(!in.CloseShort || in.SupplyOrderID != "", "close_short", "needs supply_order_id")
	return v.Err()
}

// ReceiveStockInput is the ReceiveStock activity's input.
type ReceiveStockInput struct {
	SKU string `json:"sku"`
	ReceiveInput
}

// EscalateInput asks for a SKU's backorders past their ETA at At.
type EscalateInput struct {
	SKU string    `json:"sku"`
	At  time.Time `json:"at"`
}

// BackorderUpdate tells an order what happened to one of its backordered
// lines. Filled is cumulative and Rev only grows, so a repeated or late
// update changes nothing.
type BackorderUpdate struct {
	LineNo int       `json:"line_no"`
	Rev    int       `json:"rev"`
	Filled int64     `json:"filled"`
	Status string    `json:"status"`
	ETA    time.Time `json:"eta"`
}
