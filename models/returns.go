package models

import "time"

// Return statuses: authorized when requested (the customer may send the
// goods), received when the warehouse took them in (a credit note was
// issued for what came back), cancelled when nothing will come.
const (
	ReturnAuthorized = "authorized"
	ReturnReceived   = "received"
	ReturnCancelled  = "cancelled"
)

// Why goods come back.
const (
	ReturnDamaged      = "damaged"
	ReturnWrongItem    = "wrong_item"
	ReturnNotNeeded    = "not_needed"
	ReturnDefective    = "defective"
	ReturnLateDelivery = "late_delivery"
)

// ReturnReasons lists them.
var ReturnReasons = []string{ReturnDamaged, ReturnDefective, ReturnWrongItem, ReturnNotNeeded, ReturnLateDelivery}

// Return is an RMA: units of an order's shipped lines the customer may send
// back, each pointing at the invoice line that billed them.
type Return struct {
	ID          string       `json:"id"`
	Number      int64        `json:"number"`
	Key         *string      `json:"-" gorm:"column:return_key"`
	OrderID     string       `json:"order_id"`
	CustomerID  string       `json:"customer_id"`
	Status      string       `json:"status"`
	Reason      string       `json:"reason"`
	Note        string       `json:"note,omitempty"`
	Warehouse   string       `json:"warehouse,omitempty"`
	RequestedBy string       `json:"requested_by"`
	ReceivedBy  string       `json:"received_by,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	ReceivedAt  *time.Time   `json:"received_at,omitempty"`
	Lines       []ReturnLine `json:"lines" gorm:"-"`
	CreditNotes []CreditNote `json:"credit_notes,omitempty" gorm:"-"`
	// CreditsPending counts the invoices a received return still owes a
	// credit note on (one could not be issued when it was received).
	CreditsPending int `json:"credits_pending,omitempty" gorm:"-"`
}

func (Return) TableName() string { return "returns" }

// ReturnLine is units of one invoice line coming back; Received of them
// came back, Restocked of those were sellable and went back on the shelf.
type ReturnLine struct {
	ReturnID  string `json:"-"`
	InvoiceID string `json:"invoice_id"`
	LineNo    int    `json:"line_no"`
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
	Received  int64  `json:"received"`
	Restocked int64  `json:"restocked"`
}

func (ReturnLine) TableName() string { return "return_lines" }

// Credit note kinds.
const (
	CreditForReturn       = "return"
	CreditPriceCorrection = "price_correction"
	CreditCancellation    = "cancellation"
)

// CreditNote credits one invoice: Applied of its Total paid the invoice's
// open balance, ToAccount became credit on the customer's account.
type CreditNote struct {
	ID         string           `json:"id"`
	Number     int64            `json:"number"`
	Key        string           `json:"-" gorm:"column:credit_key"`
	InvoiceID  string           `json:"invoice_id"`
	OrderID    string           `json:"order_id"`
	CustomerID string           `json:"customer_id"`
	Currency   Currency         `json:"currency"`
	Kind       string           `json:"kind"`
	ReturnID   string           `json:"return_id,omitempty"`
	Reason     string           `json:"reason"`
	Net        int64            `json:"net"`
	Tax        int64            `json:"tax"`
	Total      int64            `json:"total"`
	Applied    int64            `json:"applied"`
	ToAccount  int64            `json:"to_account"`
	Lines      []CreditNoteLine `json:"lines" gorm:"serializer:json"`
	IssuedBy   string           `json:"issued_by"`
	IssuedAt   time.Time        `json:"issued_at"`
}

func (CreditNote) TableName() string { return "credit_notes" }

// StatusOf is the status of the invoice the note credited, now paid of
// total after it: a cancellation voids it; otherwise it is paid in full,
// partly paid, or stays as it was (an overdue invoice stays overdue while
// anything is owed).
func (cn CreditNote) StatusOf(status string, paid, total int64) string {
	switch {
	case cn.Kind == CreditCancellation:
		return InvoiceVoid
	case paid >= total:
		return InvoicePaid
	case paid > 0 && status != InvoiceOverdue:
		return InvoicePartiallyPaid
	}
	return status
}

// CreditNoteLine is what a credit note gives back on one invoice line
// (LineNo 0: a correction of the invoice as a whole).
type CreditNoteLine struct {
	LineNo int    `json:"line_no"`
	SKU    string `json:"sku,omitempty"`
	Qty    int64  `json:"qty,omitempty"`
	// Gross less Discount is Net (a correction of the price is all net).
	Gross    int64 `json:"gross"`
	Discount int64 `json:"discount"`
	Net      int64 `json:"net"`
	Tax      int64 `json:"tax"`
	Total    int64 `json:"total"`
}

// Refund pays unused credit back to a customer.
type Refund struct {
	ID         string    `json:"id"`
	Key        string    `json:"-" gorm:"column:refund_key"`
	CustomerID string    `json:"customer_id"`
	Currency   Currency  `json:"currency"`
	Amount     int64     `json:"amount"`
	Reference  string    `json:"reference"`
	RefundedBy string    `json:"refunded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

func (Refund) TableName() string { return "refunds" }
