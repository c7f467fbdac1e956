package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
)

// ticketFlow carries a ticket's state and what its handlers share.
type ticketFlow struct {
	req      TicketRequest
	t        models.Ticket
	comments int
	mu       workflow.Mutex
	opened   bool
}

// Ticket is one ticket's life: stored when opened, then commented on,
// assigned and moved between statuses until it is closed. While nobody on
// staff has answered it, a durable timer waits for its response target;
// when it passes, the ticket is escalated to the service managers, once.
// The customer is emailed every answer staff make visible to them.
func Ticket(ctx workflow.Context, req TicketRequest) (models.Ticket, error) {
	f := &ticketFlow{req: req, t: req.Ticket, mu: workflow.NewMutex(ctx)}
	if err := f.registerHandlers(ctx); err != nil {
		return f.t, err
	}
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.t, err
	}
	err := f.save(ctx)
	if err == nil {
		err = workflow.ExecuteActivity(ctx, ActivityAddTicketComment, req.First).Get(ctx, nil)
	}
	if err == nil && req.First.FromStaff {
		err = f.tellCustomer(ctx, req.First) // staff opened it: the customer hears of it
	}
	f.comments, f.opened = 1, true
	f.mu.Unlock()
	if err != nil {
		return f.t, err
	}
	err = eventLoop(ctx, f.mu, func() bool { return f.t.Status == models.TicketClosed }, func() int { return f.t.Rev },
		func() (time.Time, bool) {
			return f.t.ResponseDueAt, f.t.FirstResponseAt == nil && f.t.EscalatedAt == nil
		}, f.escalate)
	return f.t, err
}

// escalate tells the service managers a ticket missed its response target.
func (f *ticketFlow) escalate(ctx workflow.Context) error {
	if f.t.FirstResponseAt != nil || f.t.EscalatedAt != nil {
		return nil
	}
	now := workflow.Now(ctx)
	f.t.EscalatedAt = &now
	if err := f.change(ctx); err != nil {
		return err
	}
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleServiceManager, Event: EventTicketEscalated,
		Data: map[string]string{"ticket_id": f.t.ID, "subject": f.t.Subject, "customer_name": f.req.Customer.Name, "priority": f.t.Priority,
			"due": f.t.ResponseDueAt.UTC().Format("2006-01-02 15:04 UTC")},
		IdempotencyKey: TicketWorkflowID(f.t.ID) + "/escalated"}).Get(ctx, nil)
}

// change bumps the revision and saves the ticket.
func (f *ticketFlow) change(ctx workflow.Context) error {
	f.t.Rev++
	f.t.UpdatedAt = workflow.Now(ctx)
	return f.save(ctx)
}

func (f *ticketFlow) save(ctx workflow.Context) error {
	return workflow.ExecuteActivity(ctx, ActivitySaveTicket, f.t).Get(ctx, nil)
}

func (f *ticketFlow) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (models.Ticket, error) { return f.t, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateTicketOpen, func(ctx workflow.Context) (models.Ticket, error) {
		err := workflow.Await(ctx, func() bool { return f.opened })
		return f.t, err
	}); err != nil {
		return err
	}
	open := func() error {
		if f.t.Status == models.TicketClosed {
			return fmt.Errorf("ticket %s is closed", f.t.ID)
		}
		return nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateTicketComment, f.comment, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in TicketCommentInput) error {
			if err := open(); err != nil {
				return err
			}
			if f.comments >= models.MaxTicketComments {
				return fmt.Errorf("ticket %s has %d comments, the most one ticket keeps: open a new ticket", f.t.ID, models.MaxTicketComments)
			}
			if strings.TrimSpace(in.Body) == "" || in.ID == "" {
				return errors.New("a comment needs a body and an id")
			}
			return nil
		}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateTicketStatus, func(ctx workflow.Context, in TicketStatusInput) (models.Ticket, error) {
		return f.under(ctx, func(ctx workflow.Context) error {
			if f.t.Status == in.Status {
				return nil
			}
			f.t.Status = in.Status
			return f.change(ctx)
		})
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in TicketStatusInput) error {
		if !models.ValidTicketStatus(in.Status) {
			return fmt.Errorf("status %q is not a ticket status", in.Status)
		}
		return open()
	}}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateTicketAssign, func(ctx workflow.Context, in TicketAssignInput) (models.Ticket, error) {
		return f.under(ctx, func(ctx workflow.Context) error {
			if f.t.Assignee == in.Assignee {
				return nil
			}
			f.t.Assignee = in.Assignee
			return f.change(ctx)
		})
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in TicketAssignInput) error { return open() }})
}

// under runs fn holding the ticket's mutex, with activity options.
func (f *ticketFlow) under(ctx workflow.Context, fn func(workflow.Context) error) (models.Ticket, error) {
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.t, err
	}
	defer f.mu.Unlock()
	return f.t, fn(ctx)
}

// comment adds a comment. Staff's first visible answer stops the response
// timer; a visible answer is emailed to the customer and waits for them; a
// customer's comment opens the ticket again.
func (f *ticketFlow) comment(ctx workflow.Context, in TicketCommentInput) (models.Ticket, error) {
	return f.under(ctx, func(ctx workflow.Context) error {
		staff := !in.Actor.Roles.Has(models.RoleCustomer)
		now := workflow.Now(ctx)
		c := models.TicketComment{ID: in.ID, TicketID: f.t.ID, Author: in.Actor.Subject, AuthorName: in.Actor.Name, FromStaff: staff,
			Visible: in.Visible || !staff, Body: in.Body, CreatedAt: now}
		if err := workflow.ExecuteActivity(ctx, ActivityAddTicketComment, c).Get(ctx, nil); err != nil {
			return err
		}
		f.comments++
		switch {
		case staff && c.Visible:
			if f.t.FirstResponseAt == nil {
				f.t.FirstResponseAt = &now
			}
			f.t.Status = models.TicketPendingCustomer
		case !staff:
			f.t.Status = models.TicketOpen
		}
		if err := f.change(ctx); err != nil {
			return err
		}
		if !staff || !c.Visible {
			return nil
		}
		return f.tellCustomer(ctx, c)
	})
}

// tellCustomer emails the customer a visible message from staff, once.
func (f *ticketFlow) tellCustomer(ctx workflow.Context, c models.TicketComment) error {
	if f.req.Customer.Email == "" {
		return nil
	}
	return workflow.ExecuteActivity(ctx, ActivitySendNotification, Notification{
		Channel: models.ChannelEmail, To: f.req.Customer.Email, ToName: f.req.Customer.Name,
		IdempotencyKey: TicketWorkflowID(f.t.ID) + "/reply/" + c.ID, Event: EventTicketReply,
		OwnerKind: models.OwnerCustomer, OwnerID: f.t.CustomerID, Phone: f.req.Customer.Phone,
		Data: map[string]string{"ticket_id": f.t.ID, "subject": f.t.Subject, "customer_name": f.req.Customer.Name, "body": c.Body},
	}).Get(ctx, nil)
}
