package workflows

// Notification is a message for the SendNotification activity, which
// writes it to the outbox, applies the owner's channel preferences and sends
// it (workflows import no I/O packages).
type Notification struct {
	Channel        string `json:"channel"`
	To             string `json:"to"`
	ToName         string `json:"to_name,omitempty"`
	Subject        string `json:"subject,omitempty"`
	Text           string `json:"text"`
	HTML           string `json:"html,omitempty"`
	IdempotencyKey string `json:"idempotency_key"`
	// Event names the kind of message, for preferences and templates.
	Event string `json:"event,omitempty"`
	// OwnerKind and OwnerID say whose preferences apply (a customer account
	// or a staff user); OrderID links the message to an order.
	OwnerKind string `json:"owner_kind,omitempty"`
	OwnerID   string `json:"owner_id,omitempty"`
	OrderID   string `json:"order_id,omitempty"`
	// Phone and SMS are used when the owner turned SMS on for Event.
	Phone string `json:"phone,omitempty"`
	SMS   string `json:"sms,omitempty"`
	// Data carries the event's figures; when set, the activity renders the
	// event's templates from it (package messages) instead of Subject/Text.
	Data map[string]string `json:"data,omitempty"`
}

// Notification events.
const (
	EventQuoteReady        = "quote_ready"
	EventQuoteRejected     = "quote_rejected"
	EventQuoteExpired      = "quote_expired"
	EventQuoteWithdrawn    = "quote_withdrawn"
	EventApprovalRequested = "approval_requested"
	EventApprovalEscalated = "approval_escalated"
	EventOrderConfirmed    = "order_confirmed"
	EventOrderCancelled    = "order_cancelled"
	EventShipped           = "shipped"
	EventInvoiceIssued     = "invoice_issued"
	EventPaymentReminder   = "payment_reminder"
	EventPaymentOverdue    = "payment_overdue"
	EventPaymentReceived   = "payment_received"
	EventLineBackordered   = "line_backordered"
	EventETAChanged        = "eta_changed"
	EventStockArrived      = "stock_arrived"
	EventProductionAlert   = "production_alert"
	EventBackorderOverdue  = "backorder_overdue" // to customer service: a backorder is past its ETA
	EventBackorderCreated  = "backorder_created" // to warehouse managers: an order's line waits for supply
	EventPromotion         = "promotion"         // marketing: needs consent, carries an unsubscribe link
	EventTicketReply       = "ticket_reply"      // to the customer: staff answered their ticket
	EventTicketEscalated   = "ticket_escalated"  // to service managers: a ticket missed its response target
	EventCreditNoteIssued  = "credit_note_issued"
	EventStockShortage     = "stock_shortage" // to production managers: a SKU made to stock is short of what waits
	EventSupplySlipped     = "supply_slipped" // to production managers: a later supply date broke promised dates
	EventReturnAuthorized  = "return_authorized"
	EventReturnReceived    = "return_received"
)

// Events lists every event kind, for preferences.
var Events = []string{EventQuoteReady, EventQuoteRejected, EventQuoteExpired, EventQuoteWithdrawn, EventApprovalRequested,
	EventApprovalEscalated, EventOrderConfirmed, EventOrderCancelled, EventShipped, EventInvoiceIssued, EventPaymentReminder,
	EventPaymentOverdue, EventPaymentReceived, EventLineBackordered, EventETAChanged, EventStockArrived, EventProductionAlert, EventBackorderOverdue, EventBackorderCreated, EventPromotion, EventTicketReply, EventTicketEscalated, EventCreditNoteIssued, EventStockShortage, EventSupplySlipped, EventReturnAuthorized, EventReturnReceived}

// CustomerEvents are the events a customer can be told of (the rest go to
// staff: approvals, production alerts, overdue escalations).
var CustomerEvents = []string{EventQuoteReady, EventQuoteRejected, EventQuoteExpired, EventQuoteWithdrawn, EventOrderConfirmed,
	EventOrderCancelled, EventShipped, EventInvoiceIssued, EventPaymentReminder, EventPaymentOverdue, EventPaymentReceived,
	EventLineBackordered, EventETAChanged, EventStockArrived, EventPromotion, EventTicketReply, EventCreditNoteIssued, EventReturnAuthorized, EventReturnReceived}
