package models

import (
	"fmt"
	"time"
)

// Backorder statuses: open → partially_filled → allocated → shipped, or
// cancelled from any but shipped.
const (
	BackorderOpen            = "open"
	BackorderPartiallyFilled = "partially_filled"
	BackorderAllocated       = "allocated" // every unit reserved; the warehouse can ship
	BackorderShipped         = "shipped"
	BackorderCancelled       = "cancelled"
)

// BackorderStatuses lists every status, for validating filters.
var BackorderStatuses = []string{BackorderOpen, BackorderPartiallyFilled, BackorderAllocated, BackorderShipped, BackorderCancelled}

// Backorder is an order line's shortfall waiting for supply. Quantities
// are units; LineNet and ValueOpen are minor units of Currency.
type Backorder struct {
	ID           string     `json:"id"`
	OrderID      string     `json:"order_id"`
	LineNo       int        `json:"line_no"`
	CustomerID   string     `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	CustomerTier int        `json:"customer_tier"`
	Region       string     `json:"region"`
	SKU          string     `json:"sku"`
	QtyOrdered   int64      `json:"qty_ordered"`
	QtyShort     int64      `json:"qty_short"`
	QtyFilled    int64      `json:"qty_filled"`
	QtyCancelled int64      `json:"qty_cancelled"`
	AllowPartial bool       `json:"allow_partial"`
	Skips        int        `json:"skips"`
	Status       string     `json:"status"`
	Currency     Currency   `json:"currency"`
	LineNet      int64      `json:"line_net"`
	ValueOpen    int64      `json:"value_open"`
	PromisedAt   time.Time  `json:"promised_at"`
	ETA          time.Time  `json:"eta"`
	ETASource    string     `json:"eta_source"`
	ETARef       string     `json:"eta_ref,omitempty"`
	Supplier     string     `json:"supplier,omitempty"`
	ToldETA      *time.Time `json:"told_eta,omitempty"`
	EscalatedETA *time.Time `json:"escalated_eta,omitempty"`
	OrderedAt    time.Time  `json:"ordered_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	FilledAt     *time.Time `json:"filled_at,omitempty"`
	Rev          int        `json:"rev"`
	AnnouncedRev int        `json:"-"`
}

func (Backorder) TableName() string { return "backorders" }

// BackorderID is the backorder of an order line, from its business key.
func BackorderID(orderID string, lineNo int) string { return fmt.Sprintf("%s-L%d", orderID, lineNo) }

// Waiting is what the line still waits for.
func (b Backorder) Waiting() int64 { return b.QtyShort - b.QtyFilled - b.QtyCancelled }

// IsWaiting reports whether the backorder is in the queue for stock.
func (b Backorder) IsWaiting() bool {
	return b.Status == BackorderOpen || b.Status == BackorderPartiallyFilled
}

// WaitingValue is the net value of n waiting units: the line's net amount
// pro rata, rounded half away from zero.
func (b Backorder) WaitingValue(n int64) int64 {
	return NewMoney(b.LineNet, b.Currency).MulRatio(n, b.QtyOrdered).Amount
}

// Backorder event kinds.
const (
	BackorderEventCreated    = "created"
	BackorderEventAllocated  = "allocated"
	BackorderEventPassedOver = "passed_over"
	BackorderEventHeld       = "held"
	BackorderEventETAChanged = "eta_changed"
	BackorderEventEscalated  = "escalated"
	BackorderEventCancelled  = "cancelled"
	BackorderEventShipped    = "shipped"
	BackorderEventNote       = "note"
)

// BackorderEvent is one entry in a backorder's history.
type BackorderEvent struct {
	ID          string    `json:"id"`
	BackorderID string    `json:"backorder_id"`
	At          time.Time `json:"at"`
	Kind        string    `json:"kind"`
	Actor       string    `json:"actor"`
	Qty         int64     `json:"qty,omitempty"`
	Detail      string    `json:"detail"`
}

func (BackorderEvent) TableName() string { return "backorder_events" }

// Pick is one line of a warehouse pick list: units reserved for a
// backorder at a warehouse, in priority order.
type Pick struct {
	Rank        int    `json:"rank"`
	BackorderID string `json:"backorder_id"`
	OrderID     string `json:"order_id"`
	LineNo      int    `json:"line_no"`
	Customer    string `json:"customer"`
	Tier        int    `json:"tier"`
	Warehouse   string `json:"warehouse"`
	Qty         int64  `json:"qty"`
	Reason      string `json:"reason"`
}

// AllocationRun is stock handed to backorders in one go, and the pick list
// the warehouse is sent for it.
type AllocationRun struct {
	ID      string `json:"id"`
	SKU     string `json:"sku"`
	Trigger string `json:"trigger"`
	Picks   []Pick `json:"picks"`
}

// ReceiptResult is what a receipt did: the stock it added, the pick list of
// backorders it filled, and what is left free.
type ReceiptResult struct {
	Key       string         `json:"key"`
	SKU       string         `json:"sku"`
	Warehouse string         `json:"warehouse"`
	Qty       int64          `json:"qty"`
	Run       *AllocationRun `json:"allocation,omitempty"`
	Free      int64          `json:"free"` // units free at the SKU afterwards
	// Replayed: the key was received before; this is that receipt's result.
	Replayed bool `json:"replayed,omitempty"`
}

// Contact is where a message for a person goes.
type Contact struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// BackorderNotice is a backorder with news to tell, and whom to tell.
type BackorderNotice struct {
	Backorder
	Customer Contact  `json:"customer"`
	Rep      *Contact `json:"rep,omitempty"` // the sales rep who made the quote, if a person did
	// New: never announced before (its SKU's allocator has yet to hear of it).
	New bool `json:"new,omitempty"`
}

// BackorderNews is what a SKU's allocator has to tell: backorders changed
// since they were last announced, and pick lists not yet sent.
type BackorderNews struct {
	Backorders []BackorderNotice `json:"backorders"`
	Runs       []AllocationRun   `json:"runs"`
	// MakeToOrder: the SKU is made to order, so production is told of new backorders.
	MakeToOrder bool `json:"make_to_order"`
	// Coverage, for a SKU made to stock: what its waiting backorders need
	// against what is free and what open supply orders will bring. When
	// Waiting exceeds Free + OnOrder, production is told of the shortage.
	Coverage *StockCoverage `json:"coverage,omitempty"`
	// NextEscalation is the earliest ETA that will escalate when it passes.
	NextEscalation *time.Time `json:"next_escalation,omitempty"`
	More           bool       `json:"more"` // more news than fitted in this batch
}

// StockCoverage is a SKU's waiting units against free stock and open supply.
type StockCoverage struct {
	Waiting int64 `json:"waiting"`
	Free    int64 `json:"free"`
	OnOrder int64 `json:"on_order"`
}

// Short is how many units neither stock nor open supply covers.
func (c StockCoverage) Short() int64 { return max(c.Waiting-c.Free-c.OnOrder, 0) }

// Announced says which news was told: each backorder up to the revision
// told and with the ETA the customer now knows, and each pick list sent.
type Announced struct {
	Backorders []AnnouncedBackorder `json:"backorders"`
	Runs       []string             `json:"runs"`
}

// AnnouncedBackorder is one backorder's news, told.
type AnnouncedBackorder struct {
	ID      string     `json:"id"`
	Rev     int        `json:"rev"`
	ToldETA *time.Time `json:"told_eta,omitempty"` // nil: the customer was not told a date this time
}

// WaitingSummary is what waits for one SKU, for production planning.
type WaitingSummary struct {
	SKU      string    `json:"sku"`
	Qty      int64     `json:"qty"`
	Orders   int64     `json:"orders"`
	Earliest time.Time `json:"earliest"` // the earliest promised date
	Schedule string    `json:"schedule"` // the waiting lines in priority order, one a line
}

// Stock adjustment reasons.
const (
	AdjustCycleCount = "cycle_count"
	AdjustDamaged    = "damaged"
	AdjustLost       = "lost"
	AdjustFound      = "found"
	AdjustCorrection = "correction"
)

// AdjustReasons are the reasons a stock count or adjustment may give.
var AdjustReasons = []string{AdjustCycleCount, AdjustDamaged, AdjustLost, AdjustFound, AdjustCorrection}

// StockAdjustment is a count or adjustment of one SKU at one warehouse:
// stock before and after, why, and the backorders the units found filled.
type StockAdjustment struct {
	ID         string         `json:"id"`
	Key        string         `json:"key"`
	SKU        string         `json:"sku"`
	Warehouse  string         `json:"warehouse"`
	Before     int64          `json:"before"`
	After      int64          `json:"after"`
	Reason     string         `json:"reason"`
	Note       string         `json:"note,omitempty"`
	AdjustedBy string         `json:"adjusted_by"`
	At         time.Time      `json:"at"`
	Run        *AllocationRun `json:"allocation,omitempty"`
	Free       int64          `json:"free"` // units free at the SKU afterwards
	// Replayed: the key was used before; this is that adjustment's result.
	Replayed bool `json:"replayed,omitempty"`
}
