package models

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// User is a person who signs in: staff, or a customer's contact (then
// CustomerID is set and they only ever see that customer's data).
type User struct {
	ID string `json:"id"`
	// Email, Name and Phone are sealed in the database (store/sealed.go);
	// EmailHash is the keyed hash that finds a user by address.
	Email        string  `json:"email" gorm:"serializer:sealed"`
	EmailHash    string  `json:"-"`
	Name         string  `json:"name" gorm:"serializer:sealed"`
	Phone        string  `json:"phone,omitempty" gorm:"serializer:sealed"`
	Roles        Roles   `json:"roles"`
	CustomerID   *string `json:"customer_id,omitempty"`
	PasswordHash string  `json:"-"`
	Active       bool    `json:"active"`
	// TokenVersion is carried by every token; bumping it ends them all.
	TokenVersion int       `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func (User) TableName() string { return "users" }

// APIKey lets a portal integration call the API. Only a hash of the key is kept.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters of the key, to recognise it
	KeyHash    string     `json:"-"`
	Roles      Roles      `json:"roles"`
	CustomerID *string    `json:"customer_id,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func (APIKey) TableName() string { return "api_keys" }

// Customer is a buying account. Name, Email and Phone are the account's
// own: notifications go to them. Contacts are the people behind it.
type Customer struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	LegalName string   `json:"legal_name,omitempty"`
	Email     string   `json:"email" gorm:"serializer:sealed"` // sealed in the database, found by EmailHash
	EmailHash string   `json:"-"`
	Phone     string   `json:"phone,omitempty" gorm:"serializer:sealed"`
	PhoneHash string   `json:"-"`
	Segment   string   `json:"segment"`              // e.g. "enterprise", "smb"
	Region    string   `json:"region"`               // e.g. "US-CA"
	TaxRegion string   `json:"tax_region,omitempty"` // the region whose tax rates apply; Region when empty
	OwnerID   string   `json:"owner_id,omitempty"`   // the account's sales rep (a user ID)
	Tier      int      `json:"tier"`                 // 1 is the most important
	Currency  Currency `json:"currency"`
	// TermsDays is days from invoice to due date: 0 is due on receipt.
	TermsDays int `json:"terms_days"`
	// CreditLimit is what the account may owe, open invoices and open
	// orders together, in minor units of Currency; nil is no limit.
	CreditLimit *int64            `json:"credit_limit"`
	Version     int               `json:"version"`
	Contacts    []CustomerContact `json:"contacts,omitempty" gorm:"-"`
	Addresses   []Address         `json:"addresses,omitempty" gorm:"-"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   *time.Time        `json:"updated_at,omitempty"`
}

func (Customer) TableName() string { return "customers" }

// Product is a sellable SKU.
type Product struct {
	SKU           string   `json:"sku" gorm:"primaryKey"`
	Name          string   `json:"name"`
	UnitOfMeasure string   `json:"unit_of_measure"`
	ListPrice     int64    `json:"list_price"` // minor units
	Currency      Currency `json:"currency"`
	Supplier      string   `json:"supplier"`
	LeadTimeDays  int      `json:"lead_time_days"`
	MakeToOrder   bool     `json:"make_to_order"`
	Category      string   `json:"category,omitempty"`
	Active        bool     `json:"active"`
	// Version counts the product's saves (optimistic locking of edits).
	Version   int       `json:"version" gorm:"default:1"`
	CreatedAt time.Time `json:"created_at"`
}

func (Product) TableName() string { return "products" }

// Warehouse is a stock location.
type Warehouse struct {
	Code   string `json:"code" gorm:"primaryKey"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

func (Warehouse) TableName() string { return "warehouses" }

// StockLevel is the stock of one SKU at one warehouse. The invariant
// OnHand = Reserved + Available holds, with Reserved >= 0 and Available >= 0.
type StockLevel struct {
	SKU           string    `json:"sku" gorm:"primaryKey"`
	WarehouseCode string    `json:"warehouse" gorm:"primaryKey"`
	OnHand        int64     `json:"on_hand"`
	Reserved      int64     `json:"reserved"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func (StockLevel) TableName() string { return "stock_levels" }

// Available is what can still be promised.
func (s StockLevel) Available() int64 { return s.OnHand - s.Reserved }

// Ping is a smoke-test workflow run: the API starts it, the worker records it.
type Ping struct {
	ID          string     `json:"id"`
	Message     string     `json:"message"`
	Reply       string     `json:"reply,omitempty"`
	RequestedBy string     `json:"requested_by"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

func (Ping) TableName() string { return "pings" }

// Ping statuses.
const (
	PingRunning   = "running"
	PingCompleted = "completed"
)

// AuditEvent records who changed what.
type AuditEvent struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Detail   string    `json:"detail,omitempty"`
	// Seq is the entry's place in the audit chain; Hash covers its content
	// and PrevHash, the hash of the entry before (store/audit.go).
	// Ref, when set, is what the entry records once (a workflow update's
	// id): appending another with the same Ref adds nothing.
	Ref      *string `json:"ref,omitempty"`
	Seq      int64   `json:"seq"`
	PrevHash string  `json:"prev_hash"`
	Hash     string  `json:"hash"`
}

func (AuditEvent) TableName() string { return "audit_events" }

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ValidPhone reports whether s is an E.164 number such as +14155550100.
func ValidPhone(s string) bool { return e164.MatchString(s) }

// NormalizePhone drops the spaces, dots, dashes and brackets people type in
// a number: "+1 (415) 555-0199" is "+14155550199". What is left must still
// be E.164.
func NormalizePhone(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(s))
}

// ValidEmail reports whether s is a single bare address.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// NormalizeEmail lower-cases and trims an address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Notification channels.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// OutboxMessage is a message the dev stack recorded instead of sending, so a
// developer can read what customers and staff would have received.
type OutboxMessage struct {
	ID             string    `json:"id"`
	IdempotencyKey string    `json:"idempotency_key"`
	Channel        string    `json:"channel"`
	Recipient      string    `json:"recipient"`
	Subject        string    `json:"subject,omitempty"`
	BodyText       string    `json:"body_text"`
	BodyHTML       string    `json:"body_html,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func (OutboxMessage) TableName() string { return "outbox_messages" }

// Reservation statuses.
const (
	ReservationActive   = "active"
	ReservationReleased = "released"
	ReservationShipped  = "shipped"
)

// Reservation holds Qty units of a SKU at a warehouse for one order line.
type Reservation struct {
	ID            string    `json:"id"`
	OrderID       string    `json:"order_id"`
	LineNo        int       `json:"line_no"`
	SKU           string    `json:"sku"`
	WarehouseCode string    `json:"warehouse"`
	Qty           int64     `json:"qty"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func (Reservation) TableName() string { return "reservations" }

// Allocation is the outcome of reserving stock for one order line: what was
// reserved when it was ordered, and the shortfall that must wait for supply
// (its backorder). Parts lists the line's reservations, including those
// made since for its backorder.
type Allocation struct {
	OrderID   string        `json:"order_id"`
	LineNo    int           `json:"line_no"`
	SKU       string        `json:"sku"`
	Requested int64         `json:"requested"`
	Reserved  int64         `json:"reserved"`
	Parts     []Reservation `json:"parts"`
	// ETA is when a shortfall is expected (its backorder's promised date),
	// known in the reservation's own transaction: the order's confirmation
	// tells it, so the customer gets one message with the date.
	ETA *time.Time `json:"eta,omitempty"`
}

// Shortfall is what could not be reserved.
func (a Allocation) Shortfall() int64 { return a.Requested - a.Reserved }

// Supply order kinds and statuses.
const (
	SupplyPurchase   = "purchase"
	SupplyProduction = "production"
	SupplyOpen       = "open"
	SupplyReceived   = "received"
	SupplyCancelled  = "cancelled"
)

// SupplyOrder is stock on its way: a purchase order from a supplier or a
// production order, expected at a warehouse on a date.
type SupplyOrder struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Reference     string    `json:"reference"`
	SKU           string    `json:"sku"`
	WarehouseCode string    `json:"warehouse"`
	Qty           int64     `json:"qty"`
	ReceivedQty   int64     `json:"received_qty"`
	ExpectedAt    time.Time `json:"expected_at"`
	// FirstExpectedAt is the date first promised; the gap to when stock
	// really came is the supplier's slippage.
	FirstExpectedAt *time.Time `json:"first_expected_at,omitempty"`
	ReceivedAt      *time.Time `json:"received_at,omitempty"`
	Supplier        string     `json:"supplier,omitempty"`
	Status          string     `json:"status"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

func (SupplyOrder) TableName() string { return "supply_orders" }

// QuoteRecord is the read model of a quote; State is the workflow's JSON.
type QuoteRecord struct {
	ID           string     `json:"id"`
	CustomerID   string     `json:"customer_id"`
	Status       string     `json:"status"`
	Version      int        `json:"version"`
	Rev          int        `json:"rev"`
	Currency     Currency   `json:"currency"`
	Total        int64      `json:"total"`
	ApprovalRole string     `json:"approval_role,omitempty"`
	ValidUntil   *time.Time `json:"valid_until,omitempty"`
	OrderID      string     `json:"order_id,omitempty"`
	CreatedBy    string     `json:"created_by"`
	// For the quote funnel: whether approval was needed, and when the quote
	// was last approved and when accepted.
	NeedsApproval bool       `json:"needs_approval"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
	State         string     `json:"-" gorm:"serializer:sealed"` // the workflow's JSON, sealed: it copies the customer's contact
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func (QuoteRecord) TableName() string { return "quotes" }

// OrderRecord is the read model of an order; State is the workflow's JSON.
type OrderRecord struct {
	ID         string    `json:"id"`
	QuoteID    string    `json:"quote_id"`
	CustomerID string    `json:"customer_id"`
	Status     string    `json:"status"`
	Rev        int       `json:"rev"`
	Currency   Currency  `json:"currency"`
	Total      int64     `json:"total"`
	State      string    `json:"-" gorm:"serializer:sealed"` // sealed: it copies the customer's contact and ship-to
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func (OrderRecord) TableName() string { return "orders" }

// Invoice statuses.
const (
	InvoiceOpen          = "open"
	InvoicePartiallyPaid = "partially_paid"
	InvoicePaid          = "paid"
	InvoiceOverdue       = "overdue"
	InvoiceVoid          = "void"
)

// InvoiceStatuses are every status an invoice can have, for list filters.
var InvoiceStatuses = []string{InvoiceOpen, InvoicePartiallyPaid, InvoicePaid, InvoiceOverdue, InvoiceVoid}

// Invoice bills one shipment. Amounts are minor units of Currency.
type Invoice struct {
	ID         string    `json:"id"`
	Number     int64     `json:"number"`
	OrderID    string    `json:"order_id"`
	ShipmentID string    `json:"shipment_id"`
	CustomerID string    `json:"customer_id"`
	Currency   Currency  `json:"currency"`
	Subtotal   int64     `json:"subtotal"`
	Discount   int64     `json:"discount"`
	Tax        int64     `json:"tax"`
	Total      int64     `json:"total"`
	Paid       int64     `json:"paid"`
	Status     string    `json:"status"`
	Lines      string    `json:"-"`
	IssuedAt   time.Time `json:"issued_at"`
	DueAt      time.Time `json:"due_at"`
	// ShipTo is where the shipment went; TermsDays the payment terms it
	// was issued on (nil: net 30, from before terms were the customer's).
	ShipTo    string `json:"ship_to,omitempty"`
	TermsDays *int   `json:"terms_days,omitempty"`
}

func (Invoice) TableName() string { return "invoices" }

// Balance is what is still owed.
func (i Invoice) Balance() int64 { return max(i.Total-i.Paid, 0) }

// Payment is money received against an invoice; Applied is the part that
// paid the invoice, the rest became credit.
type Payment struct {
	ID         string    `json:"id"`
	InvoiceID  string    `json:"invoice_id"`
	Reference  string    `json:"reference"`
	Amount     int64     `json:"amount"`
	Applied    int64     `json:"applied"`
	Method     string    `json:"method"`
	RecordedBy string    `json:"recorded_by"`
	ReceivedAt time.Time `json:"received_at"`
}

func (Payment) TableName() string { return "payments" }

// Notification statuses, in the order a message moves through them.
const (
	NotificationPending   = "pending"
	NotificationSending   = "sending"
	NotificationSent      = "sent"
	NotificationDelivered = "delivered"
	NotificationBounced   = "bounced"
	NotificationFailed    = "failed"
)

// NotificationRank orders statuses so an update never moves a message back
// (a late "sent" webhook must not undo "delivered").
func NotificationRank(status string) int {
	switch status {
	case NotificationPending:
		return 0
	case NotificationSending:
		return 1
	case NotificationSent:
		return 2
	case NotificationDelivered, NotificationBounced, NotificationFailed:
		return 3
	}
	return -1
}

// Owner kinds of notification preferences and messages.
const (
	OwnerCustomer = "customer"
	OwnerUser     = "user"
)

// Notification is one message in the outbox.
type Notification struct {
	ID                string     `json:"id"`
	IdempotencyKey    string     `json:"idempotency_key"`
	Event             string     `json:"event"`
	Channel           string     `json:"channel"`
	Recipient         string     `json:"recipient"`
	RecipientName     string     `json:"recipient_name,omitempty"`
	Subject           string     `json:"subject,omitempty"`
	BodyText          string     `json:"body_text"`
	BodyHTML          string     `json:"body_html,omitempty"`
	OwnerKind         string     `json:"owner_kind,omitempty"`
	OwnerID           string     `json:"owner_id,omitempty"`
	OrderID           string     `json:"order_id,omitempty"`
	Status            string     `json:"status"`
	Provider          string     `json:"provider,omitempty"`
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	Attempts          int        `json:"attempts"`
	LastError         string     `json:"last_error,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	SentAt            *time.Time `json:"sent_at,omitempty"`
}

func (Notification) TableName() string { return "notifications" }

// Preference turns a channel on or off for an event kind.
type Preference struct {
	OwnerKind string    `json:"owner_kind"`
	OwnerID   string    `json:"owner_id"`
	Event     string    `json:"event"`
	Channel   string    `json:"channel"`
	Enabled   bool      `json:"enabled"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (Preference) TableName() string { return "notification_preferences" }

// QuoteStart is a quote opened by the API whose workflow is to be started
// from its stored state; StartedAt is set once it has been.
type QuoteStart struct {
	QuoteID   string     `json:"quote_id" gorm:"primaryKey"`
	ValidDays int        `json:"valid_days"`
	CreatedAt time.Time  `json:"created_at"`
	StartedAt *time.Time `json:"started_at,omitempty"`
}

func (QuoteStart) TableName() string { return "quote_starts" }
