package workflows_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

type ticketFakes struct {
	fakes
	saved    []models.Ticket
	comments []models.TicketComment
}

func ticketEnv(t *testing.T, f *ticketFakes) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger)
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	env.RegisterWorkflowWithOptions(workflows.Ticket, workflow.RegisterOptions{Name: workflows.TicketWorkflowName})
	env.RegisterActivityWithOptions(func(_ context.Context, tk models.Ticket) error {
		f.saved = append(f.saved, tk)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivitySaveTicket})
	env.RegisterActivityWithOptions(func(_ context.Context, c models.TicketComment) error {
		f.comments = append(f.comments, c)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityAddTicketComment})
	f.registerMessages(env)
	return env
}

func ticketRequest(due time.Duration) workflows.TicketRequest {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	return workflows.TicketRequest{
		Ticket: models.Ticket{ID: "TK-1", CustomerID: "acme", Subject: "Where is my pump?", Status: models.TicketOpen, Priority: models.PriorityHigh,
			OpenedBy: customer.Subject, FromCustomer: true, Rev: 1, ResponseDueAt: start.Add(due), CreatedAt: start, UpdatedAt: start},
		First:    models.TicketComment{ID: "c0", TicketID: "TK-1", Author: customer.Subject, Visible: true, Body: "It was due Monday."},
		Customer: models.Contact{Name: "Acme", Email: "buyer@acme.example"},
	}
}

func ticketUpdate(env *testsuite.TestWorkflowEnvironment, at time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, name+at.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.rejected, o.done = err, true }, OnAccept: func() {},
			OnComplete: func(_ any, err error) { o.failed, o.done = err, true },
		}, arg)
	}, at)
	return o
}

var service = workflows.Actor{Subject: "user:service", Roles: models.Roles{models.RoleCustomerService}, Name: "Sam"}

// Nobody answers within the 4 h target: the service managers are told
// once; a later internal note does not count as an answer, a visible one
// is emailed to the customer; closing the ticket ends its workflow.
func TestTicketEscalatesWhenUnanswered(t *testing.T) {
	f := &ticketFakes{}
	env := ticketEnv(t, f)
	ticketUpdate(env, 5*time.Hour, workflows.UpdateTicketComment, workflows.TicketCommentInput{Actor: service, ID: "c1", Body: "Checking with the carrier."})
	ticketUpdate(env, 6*time.Hour, workflows.UpdateTicketComment, workflows.TicketCommentInput{Actor: service, ID: "c2", Body: "It left our dock today.", Visible: true})
	ticketUpdate(env, 7*time.Hour, workflows.UpdateTicketStatus, workflows.TicketStatusInput{Actor: service, Status: models.TicketClosed})
	env.ExecuteWorkflow(workflows.TicketWorkflowName, ticketRequest(4*time.Hour))
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("ticket: %v", env.GetWorkflowError())
	}
	var tk models.Ticket
	if err := env.GetWorkflowResult(&tk); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	if tk.EscalatedAt == nil || !tk.EscalatedAt.Equal(start.Add(4*time.Hour)) || tk.FirstResponseAt == nil || !tk.FirstResponseAt.Equal(start.Add(6*time.Hour)) {
		t.Fatalf("escalated %v, first answer %v", tk.EscalatedAt, tk.FirstResponseAt)
	}
	if len(f.roleMsgs) != 1 || f.roleMsgs[0].Role != models.RoleServiceManager || f.roleMsgs[0].IdempotencyKey != "Ticket:TK-1/escalated" {
		t.Fatalf("escalations %+v", f.roleMsgs)
	}
	if len(f.notes) != 1 || f.notes[0].IdempotencyKey != "Ticket:TK-1/reply/c2" || f.notes[0].To != "buyer@acme.example" {
		t.Fatalf("customer told %+v, want the visible answer only", f.notes)
	}
	if tk.Status != models.TicketClosed || len(f.comments) != 3 || f.comments[1].Visible {
		t.Fatalf("closed %s, comments %+v", tk.Status, f.comments)
	}
	if last := f.saved[len(f.saved)-1]; last.Rev != tk.Rev || last.Status != models.TicketClosed {
		t.Fatalf("read model rev %d %s, workflow rev %d", last.Rev, last.Status, tk.Rev)
	}
}

// An answer before the target stops the timer: nobody is escalated to.
func TestTicketAnsweredInTimeIsNotEscalated(t *testing.T) {
	f := &ticketFakes{}
	env := ticketEnv(t, f)
	ticketUpdate(env, time.Hour, workflows.UpdateTicketComment, workflows.TicketCommentInput{Actor: service, ID: "c1", Body: "On its way.", Visible: true})
	ticketUpdate(env, 2*time.Hour, workflows.UpdateTicketComment, workflows.TicketCommentInput{Actor: customer, ID: "c2", Body: "It is not."})
	ticketUpdate(env, 48*time.Hour, workflows.UpdateTicketStatus, workflows.TicketStatusInput{Actor: service, Status: models.TicketClosed})
	env.ExecuteWorkflow(workflows.TicketWorkflowName, ticketRequest(4*time.Hour))
	var tk models.Ticket
	if err := env.GetWorkflowResult(&tk); err != nil {
		t.Fatal(err)
	}
	if tk.EscalatedAt != nil || len(f.roleMsgs) != 0 {
		t.Fatalf("escalated %v: %+v", tk.EscalatedAt, f.roleMsgs)
	}
	var reopened bool
	for _, s := range f.saved {
		reopened = reopened || (s.Status == models.TicketOpen && s.FirstResponseAt != nil)
	}
	if !reopened {
		t.Fatal("the customer's reply did not open the ticket again")
	}
}

// A ticket staff open is staff speaking first: the customer is emailed it
// and nothing waits for a first answer.
func TestTicketOpenedByStaffTellsTheCustomer(t *testing.T) {
	f := &ticketFakes{}
	env := ticketEnv(t, f)
	req := ticketRequest(4 * time.Hour)
	req.Ticket.FromCustomer, req.Ticket.OpenedBy = false, service.Subject
	answered := req.Ticket.CreatedAt
	req.Ticket.FirstResponseAt, req.Ticket.Status = &answered, models.TicketPendingCustomer
	req.First.FromStaff, req.First.Author = true, service.Subject
	ticketUpdate(env, 48*time.Hour, workflows.UpdateTicketStatus, workflows.TicketStatusInput{Actor: service, Status: models.TicketClosed})
	env.ExecuteWorkflow(workflows.TicketWorkflowName, req)
	var tk models.Ticket
	if err := env.GetWorkflowResult(&tk); err != nil {
		t.Fatal(err)
	}
	if tk.EscalatedAt != nil || len(f.roleMsgs) != 0 || len(f.notes) != 1 || f.notes[0].IdempotencyKey != "Ticket:TK-1/reply/c0" {
		t.Fatalf("escalated %v, told %+v", tk.EscalatedAt, f.notes)
	}
}
