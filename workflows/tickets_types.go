package workflows

import (
	"github.com/q2c-dev/q2c/models"
)

// Ticket workflow names.
const (
	TicketWorkflowName = "Ticket"

	// UpdateTicketOpen is sent with the start (Update-with-Start) and
	// answers with the ticket once it is stored.
	UpdateTicketOpen    = "open"
	UpdateTicketComment = "comment"
	UpdateTicketStatus  = "status"
	UpdateTicketAssign  = "assign"

	ActivitySaveTicket       = "SaveTicket"
	ActivityAddTicketComment = "AddTicketComment"
)

// TicketWorkflowID is a ticket's workflow ID, from its business key.
func TicketWorkflowID(ticketID string) string { return "Ticket:" + ticketID }

// TicketRequest opens a ticket: the ticket (its response target set from
// its priority) and its first comment.
type TicketRequest struct {
	Ticket   models.Ticket        `json:"ticket"`
	First    models.TicketComment `json:"first"`
	Customer models.Contact       `json:"customer"` // who is told of visible answers
}

// TicketCommentInput adds a comment; ID makes a retried comment one.
type TicketCommentInput struct {
	Actor   Actor  `json:"actor"`
	ID      string `json:"id"`
	Body    string `json:"body"`
	Visible bool   `json:"visible"`
}

// TicketStatusInput moves a ticket to a status.
type TicketStatusInput struct {
	Actor  Actor  `json:"actor"`
	Status string `json:"status"`
}

// TicketAssignInput gives a ticket to a staff user ("" for nobody).
type TicketAssignInput struct {
	Actor    Actor  `json:"actor"`
	Assignee string `json:"assignee"`
}
