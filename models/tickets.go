package models

import (
	"slices"
	"time"
)

// Ticket statuses.
const (
	TicketOpen            = "open"
	TicketPendingCustomer = "pending_customer" // answered; waits for the customer
	TicketResolved        = "resolved"
	TicketClosed          = "closed"
)

// TicketStatuses lists them in their usual order.
var TicketStatuses = []string{TicketOpen, TicketPendingCustomer, TicketResolved, TicketClosed}

// Ticket priorities.
const (
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// TicketPriorities lists them, lowest first.
var TicketPriorities = []string{PriorityNormal, PriorityHigh, PriorityUrgent}

// ResponseTargets is how soon staff must first answer a ticket, by
// priority; past it the ticket escalates to the service managers.
var ResponseTargets = map[string]time.Duration{PriorityNormal: 24 * time.Hour, PriorityHigh: 4 * time.Hour, PriorityUrgent: time.Hour}

// What a ticket can be about.
const (
	LinkQuote     = "quote"
	LinkOrder     = "order"
	LinkBackorder = "backorder"
	LinkInvoice   = "invoice"
)

// TicketLinks lists them.
var TicketLinks = []string{LinkQuote, LinkOrder, LinkBackorder, LinkInvoice}

// MaxTicketComments bounds a ticket's thread (and its workflow's history).
const MaxTicketComments = 500

// Ticket is a customer's problem or question, tracked until it is closed.
type Ticket struct {
	ID              string          `json:"id"`
	CustomerID      string          `json:"customer_id"`
	Subject         string          `json:"subject"`
	Status          string          `json:"status"`
	Priority        string          `json:"priority"`
	LinkKind        string          `json:"link_kind,omitempty"`
	LinkID          string          `json:"link_id,omitempty"`
	OpenedBy        string          `json:"opened_by"`
	FromCustomer    bool            `json:"from_customer"`
	Assignee        string          `json:"assignee,omitempty"` // a staff user ID
	Rev             int             `json:"rev"`
	ResponseDueAt   time.Time       `json:"response_due_at"`
	FirstResponseAt *time.Time      `json:"first_response_at,omitempty"`
	EscalatedAt     *time.Time      `json:"escalated_at,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	Comments        []TicketComment `json:"comments,omitempty" gorm:"-"`
}

func (Ticket) TableName() string { return "tickets" }

// TicketComment is one entry of a ticket's thread. Internal ones
// (Visible false) are never shown to the customer.
type TicketComment struct {
	ID         string    `json:"id"`
	TicketID   string    `json:"ticket_id"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name,omitempty"`
	FromStaff  bool      `json:"from_staff"`
	Visible    bool      `json:"visible"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

func (TicketComment) TableName() string { return "ticket_comments" }

// ValidTicketStatus reports whether s is a ticket status.
func ValidTicketStatus(s string) bool { return slices.Contains(TicketStatuses, s) }
