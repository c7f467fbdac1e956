package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Tickets: customers ask (from the portal, or about a quote, order,
// backorder or invoice) and customer service answers, assigns and closes;
// sales may open one for their customer. Escalations go to service managers.
var (
	ticketUsers    = []models.Role{models.RoleCustomer, models.RoleCustomerService, models.RoleServiceManager, models.RoleSalesRep, models.RoleSalesManager}
	ticketReaders  = append(slices.Clone(ticketUsers), models.RoleExecutive)
	ticketHandlers = []models.Role{models.RoleCustomerService, models.RoleServiceManager}
)

func (s *Server) ticketRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/tickets", Answer: models.Ticket{}, Summary: "Open a ticket (a customer for their own account), optionally about a quote, order, backorder or invoice of the customer; its first answer is due by its priority's target (normal 24 h, high 4 h, urgent 1 h), or it escalates to the service managers",
			Roles: ticketUsers, Handler: s.createTicket, Body: ticketRequest{}},
		{Method: "GET", Path: "/api/v1/tickets", Answer: store.List[models.Ticket]{}, Summary: "Tickets, newest first, paginated (?status=, ?customer_id=, ?assignee=me or a user id, ?escalated=true, ?limit=, ?cursor=); a customer sees their own", Roles: ticketReaders, Handler: s.listTickets},
		{Method: "GET", Path: "/api/v1/tickets/:id", Answer: models.Ticket{}, Summary: "A ticket with its thread; a customer sees their own, without internal comments", Roles: ticketReaders, Handler: s.getTicket},
		{Method: "POST", Path: "/api/v1/tickets/:id/comments", Answer: models.Ticket{}, Summary: "Comment on a ticket: staff's are internal unless visible is true (a visible answer is emailed to the customer and counts as the first response); a customer's are visible and open the ticket again",
			Roles: ticketUsers, Handler: s.commentTicket, Body: ticketCommentRequest{}},
		{Method: "POST", Path: "/api/v1/tickets/:id/status", Answer: models.Ticket{}, Summary: "Move a ticket to open, pending_customer, resolved or closed (closed takes no more comments)", Roles: ticketHandlers, Handler: s.setTicketStatus, Body: ticketStatusRequest{}},
		{Method: "POST", Path: "/api/v1/tickets/:id/assign", Answer: models.Ticket{}, Summary: "Give a ticket to a staff user (\"me\" for yourself, \"\" for nobody)", Roles: ticketHandlers, Handler: s.assignTicket, Body: ticketAssignRequest{}},
	}
}

type ticketRequest struct {
	CustomerID string `json:"customer_id"`
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	Priority   string `json:"priority"`
	LinkKind   string `json:"link_kind"`
	LinkID     string `json:"link_id"`
}

func (r ticketRequest) Validate() error {
	var v models.Validator
	v.Text("subject", r.Subject, true, models.MaxNameLen)
	v.Check(!strings.ContainsAny(r.Subject, "\r\n"), "subject", "must be one line (it becomes an email's subject)")
	v.Text("body", r.Body, true, models.MaxNoteLen)
	v.Check(r.Priority == "" || slices.Contains(models.TicketPriorities, r.Priority), "priority", "must be normal, high or urgent")
	v.Check(r.LinkKind == "" || slices.Contains(models.TicketLinks, r.LinkKind), "link_kind", "must be quote, order, backorder or invoice")
	v.Check((r.LinkKind == "") == (r.LinkID == ""), "link_id", "give both link_kind and link_id, or neither")
	v.Text("link_id", r.LinkID, false, models.MaxCodeLen)
	v.Text("customer_id", r.CustomerID, false, models.MaxCodeLen)
	return v.Err()
}

type ticketCommentRequest struct {
	Body    string `json:"body"`
	Visible bool   `json:"visible"`
}

func (r ticketCommentRequest) Validate() error {
	var v models.Validator
	v.Text("body", r.Body, true, models.MaxNoteLen)
	return v.Err()
}

type ticketStatusRequest struct {
	Status string `json:"status"`
}

func (r ticketStatusRequest) Validate() error {
	var v models.Validator
	v.Check(models.ValidTicketStatus(r.Status), "status", "must be open, pending_customer, resolved or closed")
	return v.Err()
}

type ticketAssignRequest struct {
	Assignee string `json:"assignee"`
}

func (r ticketAssignRequest) Validate() error {
	var v models.Validator
	v.Text("assignee", r.Assignee, false, models.MaxCodeLen)
	return v.Err()
}

func (s *Server) createTicket(c *gin.Context) {
	var req ticketRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p, _ := principalOf(c)
	customerID, err := ownAccount(p, req.CustomerID, "ticket")
	if verr := req.Validate(); verr != nil {
		fail(c, withAccountRefusal(err, verr))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	ctx := reqCtx(c)
	cust, err := s.Store.CustomerByID(ctx, customerID)
	if err != nil {
		fail(c, notFoundAsInvalid(err, "customer_id"))
		return
	}
	if req.LinkKind != "" {
		if err := s.Store.LinkedTo(ctx, req.LinkKind, req.LinkID, cust.ID); err != nil {
			fail(c, err)
			return
		}
	}
	priority := cmp.Or(req.Priority, models.PriorityNormal)
	id := updateID(c)
	ticketID := businessID(c, "TK-", id)
	now := time.Now().UTC()
	tr := workflows.TicketRequest{
		Ticket: models.Ticket{ID: ticketID, CustomerID: cust.ID, Subject: strings.TrimSpace(req.Subject), Status: models.TicketOpen, Priority: priority,
			LinkKind: req.LinkKind, LinkID: req.LinkID, OpenedBy: p.Subject(), FromCustomer: p.IsCustomer(), Rev: 1,
			ResponseDueAt: now.Add(models.ResponseTargets[priority]), CreatedAt: now, UpdatedAt: now},
		First: models.TicketComment{ID: ticketID + "-0", TicketID: ticketID, Author: p.Subject(), AuthorName: p.Name, FromStaff: !p.IsCustomer(),
			Visible: true, Body: req.Body, CreatedAt: now},
		Customer: models.Contact{Name: cust.Name, Email: cust.Email, Phone: cust.Phone},
	}
	if !p.IsCustomer() {
		// Staff opening a ticket is staff speaking first: nothing waits for
		// a first answer, and the customer is emailed the message.
		tr.Ticket.FirstResponseAt, tr.Ticket.Status = &now, models.TicketPendingCustomer
	}
	var t models.Ticket
	if !s.open(c, workflows.TicketWorkflowID(ticketID), id, "/api/v1/tickets/"+ticketID, workflows.TicketWorkflowName, tr, workflows.UpdateTicketOpen, &t) {
		return
	}
	c.Header("Location", "/api/v1/tickets/"+t.ID)
	c.JSON(http.StatusCreated, t)
}

func (s *Server) listTickets(c *gin.Context) {
	p, _ := principalOf(c)
	f := store.TicketFilter{CustomerID: customerScope(c, p), Status: c.Query("status"), Assignee: c.Query("assignee"), Escalated: c.Query("escalated") == "true"}
	if f.Assignee == "me" {
		f.Assignee = p.ID
	}
	if f.Status != "" && !models.ValidTicketStatus(f.Status) {
		fail(c, models.Invalid("status", "must be open, pending_customer, resolved or closed"))
		return
	}
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Ticket], error) {
		return s.Store.ListTickets(ctx, f, page)
	})
}

// ticketFor reads a ticket the caller may see: a customer's own, without
// internal comments; another customer's is "not found".
func (s *Server) ticketFor(c *gin.Context) (models.Ticket, error) {
	p, _ := principalOf(c)
	t, err := s.Store.TicketByID(reqCtx(c), c.Param("id"), !p.IsCustomer())
	if err == nil && p.IsCustomer() && t.CustomerID != p.CustomerID {
		return models.Ticket{}, models.NotFound("ticket", c.Param("id"))
	}
	return t, err
}

func (s *Server) getTicket(c *gin.Context) {
	t, err := s.ticketFor(c)
	respond(c, http.StatusOK, t, err)
}

// ticketUpdate sends an Update to a ticket the caller may see and answers
// with the ticket as the caller sees it afterwards.
func (s *Server) ticketUpdate(c *gin.Context, name string, arg any) {
	t, err := s.ticketFor(c)
	if err == nil && t.Status == models.TicketClosed {
		err = fmt.Errorf("%w: ticket %s is closed: open a new one", models.ErrConflict, t.ID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	var done models.Ticket
	if !s.update(c, workflows.TicketWorkflowID(c.Param("id")), "/api/v1/tickets/"+c.Param("id"), name, arg, &done) {
		return
	}
	t, err = s.ticketFor(c)
	respond(c, http.StatusOK, t, err)
}

func (s *Server) commentTicket(c *gin.Context) {
	var req ticketCommentRequest
	if !bind(c, &req) {
		return
	}
	s.ticketUpdate(c, workflows.UpdateTicketComment, workflows.TicketCommentInput{Actor: actorOf(c), ID: updateID(c), Body: req.Body, Visible: req.Visible})
}

func (s *Server) setTicketStatus(c *gin.Context) {
	var req ticketStatusRequest
	if !bind(c, &req) {
		return
	}
	s.ticketUpdate(c, workflows.UpdateTicketStatus, workflows.TicketStatusInput{Actor: actorOf(c), Status: req.Status})
}

func (s *Server) assignTicket(c *gin.Context) {
	var req ticketAssignRequest
	if !bind(c, &req) {
		return
	}
	p, _ := principalOf(c)
	if req.Assignee == "me" {
		req.Assignee = p.ID
	}
	if req.Assignee != "" {
		u, err := s.Store.UserByID(reqCtx(c), req.Assignee)
		if err != nil || !u.Active || !u.Roles.Any(ticketHandlers) {
			fail(c, models.Invalid("assignee", "is not an active member of customer service"))
			return
		}
	}
	s.ticketUpdate(c, workflows.UpdateTicketAssign, workflows.TicketAssignInput{Actor: actorOf(c), Assignee: req.Assignee})
}
