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
	UpdateOrderShip   = "ship"
	UpdateOrderPay    = "pay"
	UpdateOrderCredit = "credit"

	ActivitySaveOrder          = "SaveOrder"
	ActivityReserveLine        = "ReserveLine"
	ActivityReleaseLine        = "ReleaseLine"
	ActivityShipLines          = "ShipLines"
	ActivityIssueInvoice       = "IssueInvoice"
	ActivityRecordPayment      = "RecordPayment"
	ActivityMarkInvoiceOverdue = "MarkInvoiceOverdue"
	ActivityIssueCreditNote    = "IssueCreditNote"
)

// PaymentTermsDays is the net 30 of orders placed before terms were the
// customer's: an invoice is due 30 days after it is issued.
const PaymentTermsDays = models.DefaultTermsDays

// Reminder schedule relative to an invoice's due date.
var (
	ReminderBeforeDue = 3 * 24 * time.Hour // a friendly reminder before it is due
	OverdueAfter      = 24 * time.Hour     // marked overdue a day after the due date
	OverdueRepeat     = 7 * 24 * time.Hour // then reminded weekly
	MaxOverdueNotices = 3
)

// Order statuses.
const (
	OrderAllocating       = "allocating"
	OrderAllocated        = "allocated"   // every line fully reserved
	OrderBackordered      = "backordered" // some line waits for supply
	OrderPartiallyShipped = "partially_shipped"
	OrderShipped          = "shipped"   // everything shipped, invoices open
	OrderCompleted        = "completed" // everything shipped and paid
	OrderCancelled        = "cancelled" // cancelled before anything shipped
	// OrderRemainderCancelled: part shipped, the rest cancelled; the shipped
	// part's invoices are still being collected.
	OrderRemainderCancelled = "remainder_cancelled"
	// OrderCompletedShort: part shipped and paid, the rest cancelled. Ending
	// such an order "cancelled" would hide a sale that happened; "completed"
	// would hide the cancellation.
	OrderCompletedShort = "completed_short"
)

// OrderStatuses are every status an order can have, for list filters.
var OrderStatuses = []string{OrderAllocating, OrderAllocated, OrderBackordered, OrderPartiallyShipped, OrderShipped, OrderCompleted,
	OrderCancelled, OrderRemainderCancelled, OrderCompletedShort}

// OrderWorkflowID is an order's workflow ID, from its business key.
func OrderWorkflowID(orderID string) string { return "Order:" + orderID }

// OrderRequest starts an order from an accepted quote.
type OrderRequest struct {
	OrderID      string         `json:"order_id"`
	QuoteID      string         `json:"quote_id"`
	CustomerID   string         `json:"customer_id"`
	Customer     models.Contact `json:"customer"`
	Pricing      pricing.Result `json:"pricing"`
	AllowPartial bool           `json:"allow_partial"`
	AcceptedBy   string         `json:"accepted_by"`
	// Where the goods go and the customer's payment terms, as quoted;
	// orders placed before either existed have neither.
	ShipTo       *models.Address `json:"ship_to,omitempty"`
	Instructions string          `json:"delivery_instructions,omitempty"`
	TermsDays    *int            `json:"terms_days,omitempty"`
}

// OrderLine is one line's position.
type OrderLine struct {
	LineNo    int              `json:"line_no"`
	SKU       string           `json:"sku"`
	Qty       int64            `json:"qty"`
	Reserved  int64            `json:"reserved"`
	Shipped   int64            `json:"shipped"`
	Cancelled int64            `json:"cancelled"`
	Billed    pricing.Invoiced `json:"billed"`
	// Backorder: units reserved since from arriving stock (cumulative), the
	// last backorder revision heard, and when the rest is expected.
	BackorderFilled int64      `json:"backorder_filled,omitempty"`
	BackorderRev    int        `json:"backorder_rev,omitempty"`
	ETA             *time.Time `json:"eta,omitempty"`
}

// Open is what is neither shipped nor cancelled.
func (l OrderLine) Open() int64 { return l.Qty - l.Shipped - l.Cancelled }

// Backordered is what the line still waits for.
func (l OrderLine) Backordered() int64 { return l.Qty - l.Reserved - l.Shipped - l.Cancelled }

// OrderState is everything known about an order.
type OrderState struct {
	OrderID      string          `json:"order_id"`
	QuoteID      string          `json:"quote_id"`
	CustomerID   string          `json:"customer_id"`
	Customer     models.Contact  `json:"customer"`
	Status       string          `json:"status"`
	Rev          int             `json:"rev"`
	Currency     models.Currency `json:"currency"`
	Total        int64           `json:"total"`
	AllowPartial bool            `json:"allow_partial"`
	Lines        []OrderLine     `json:"lines"`
	Shipments    []ShipmentRef   `json:"shipments,omitempty"`
	Invoices     []InvoiceRef    `json:"invoices,omitempty"`
	Timeline     []Event         `json:"timeline"`
	CreatedAt    time.Time       `json:"created_at"`
	ShipTo       *models.Address `json:"ship_to,omitempty"`
	Instructions string          `json:"delivery_instructions,omitempty"`
	TermsDays    *int            `json:"terms_days,omitempty"`
	CreditNotes  []CreditNoteRef `json:"credit_notes,omitempty"`
}

// Terms is the order's payment terms in days: the customer's when it was
// quoted, net 30 for orders from before terms were the customer's.
func (s OrderState) Terms() int {
	if s.TermsDays == nil {
		return PaymentTermsDays
	}
	return *s.TermsDays
}

// ShipToText is the ship-to on one line, "" when the order has none.
func (s OrderState) ShipToText() string {
	if s.ShipTo == nil {
		return ""
	}
	return s.ShipTo.String()
}

// ReserveLineInput reserves stock for one order line; the rest describes
// the line for its backorder, should it fall short.
type ReserveLineInput struct {
	OrderID      string          `json:"order_id"`
	LineNo       int             `json:"line_no"`
	SKU          string          `json:"sku"`
	Qty          int64           `json:"qty"`
	CustomerID   string          `json:"customer_id,omitempty"`
	AllowPartial bool            `json:"allow_partial,omitempty"`
	LineNet      int64           `json:"line_net,omitempty"`
	Currency     models.Currency `json:"currency,omitempty"`
	OrderedAt    time.Time       `json:"ordered_at,omitzero"`
}

// ReleaseLineInput frees an order line's reservations.
type ReleaseLineInput struct {
	OrderID string `json:"order_id"`
	LineNo  int    `json:"line_no"`
	SKU     string `json:"sku,omitempty"` // wakes the SKU's allocator: the freed stock may fill backorders
}

// CancelInput cancels whatever of an order has not shipped.
type CancelInput struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason"`
}

// ShipLineInput is a quantity of one line in a shipment.
type ShipLineInput struct {
	LineNo int   `json:"line_no"`
	Qty    int64 `json:"qty"`
}

// ShipInput confirms a shipment picked, packed and handed to a carrier.
type ShipInput struct {
	Actor    Actor           `json:"actor"`
	Carrier  string          `json:"carrier"`
	Tracking string          `json:"tracking"`
	Lines    []ShipLineInput `json:"lines"`
}

// ShipmentRef is a shipment as the order knows it.
type ShipmentRef struct {
	ID        string          `json:"id"`
	Carrier   string          `json:"carrier"`
	Tracking  string          `json:"tracking"`
	Lines     []ShipLineInput `json:"lines"`
	ShippedAt time.Time       `json:"shipped_at"`
	InvoiceID string          `json:"invoice_id"`
}

// ShipLinesInput is the ShipLines activity's input.
type ShipLinesInput struct {
	ShipmentID string          `json:"shipment_id"`
	OrderID    string          `json:"order_id"`
	Carrier    string          `json:"carrier"`
	Tracking   string          `json:"tracking"`
	Lines      []ShipLineInput `json:"lines"`
	SKUs       []string        `json:"skus"` // SKU of each entry in Lines
	ShippedBy  string          `json:"shipped_by"`
	ShippedAt  time.Time       `json:"shipped_at"`
}

// InvoiceLine is one billed line of an invoice.
type InvoiceLine struct {
	LineNo    int    `json:"line_no"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	UnitPrice int64  `json:"unit_price"`
	pricing.Invoiced
}

// IssueInvoiceInput is the IssueInvoice activity's input.
type IssueInvoiceInput struct {
	OrderID    string          `json:"order_id"`
	ShipmentID string          `json:"shipment_id"`
	CustomerID string          `json:"customer_id"`
	Currency   models.Currency `json:"currency"`
	Lines      []InvoiceLine   `json:"lines"`
	IssuedAt   time.Time       `json:"issued_at"`
	DueAt      time.Time       `json:"due_at"`
	TermsDays  *int            `json:"terms_days,omitempty"`
	ShipTo     string          `json:"ship_to,omitempty"`
}

// InvoiceRef is an invoice as the order knows it.
type InvoiceRef struct {
	ID             string    `json:"id"`
	Number         int64     `json:"number"`
	ShipmentID     string    `json:"shipment_id"`
	Total          int64     `json:"total"`
	Paid           int64     `json:"paid"`
	Status         string    `json:"status"`
	DueAt          time.Time `json:"due_at"`
	RemindersSent  int       `json:"reminders_sent"`
	NextReminderAt time.Time `json:"next_reminder_at,omitzero"`
	// PaymentRefs are the references of the payments recorded against it,
	// so that one entered again is answered, not refused as too much.
	PaymentRefs []string `json:"payment_refs,omitempty"`
}

// Settled reports whether nothing more is owed.
func (i InvoiceRef) Settled() bool {
	return i.Status == models.InvoicePaid || i.Status == models.InvoiceVoid
}

// PayInput records a payment against one of the order's invoices.
type PayInput struct {
	Actor     Actor  `json:"actor"`
	InvoiceID string `json:"invoice_id"`
	Reference string `json:"reference"`
	Amount    int64  `json:"amount"`
	Method    string `json:"method"`
	// MaxOverpayment bounds Amount above the invoice's open balance; the API
	// sets it from its configuration.
	MaxOverpayment int64 `json:"max_overpayment,omitempty"`
}

// RecordPaymentInput is the RecordPayment activity's input.
type RecordPaymentInput struct {
	PayInput
	ReceivedAt time.Time `json:"received_at"`
}

// PaymentResult is the invoice after a payment, and what became credit.
type PaymentResult struct {
	Invoice InvoiceRef `json:"invoice"`
	Credit  int64      `json:"credit"`
	// Duplicate: this reference was already recorded; nothing changed.
	Duplicate bool `json:"duplicate,omitempty"`
}

// CreditInput issues a credit note on one of the order's open invoices:
// for returned goods (Lines), a price correction (Amount, tax included) or
// the whole invoice (a cancellation). Key makes a retry issue it once.
type CreditInput struct {
	Actor     Actor               `json:"actor"`
	Key       string              `json:"key"`
	InvoiceID string              `json:"invoice_id"`
	Kind      string              `json:"kind"`
	ReturnID  string              `json:"return_id,omitempty"`
	Reason    string              `json:"reason"`
	Amount    int64               `json:"amount,omitempty"`
	Lines     []models.ReturnLine `json:"lines,omitempty"`
}

// IssueCreditNoteInput is the IssueCreditNote activity's input.
type IssueCreditNoteInput struct {
	CreditInput
	IssuedAt time.Time `json:"issued_at"`
}

// CreditNoteRef is a credit note as the order knows it.
type CreditNoteRef struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"` // the request's, so a retry is answered`
	InvoiceID string    `json:"invoice_id"`
	Kind      string    `json:"kind"`
	Total     int64     `json:"total"`
	Applied   int64     `json:"applied"`
	IssuedAt  time.Time `json:"issued_at"`
}
