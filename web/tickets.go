package web

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// ticketsPage lists tickets: a customer's own, or for service the queue
// with filters.
func (s *Server) ticketsPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.Ticket]
	path := withQuery("/api/v1/tickets", url.Values{"status": {q.Get("status")}, "assignee": {q.Get("assignee")}, "escalated": {q.Get("escalated")},
		"customer_id": {q.Get("customer_id")}, "cursor": {q.Get("cursor")}})
	if err := v.call(http.MethodGet, path, nil, &l); err != nil {
		return err
	}
	first, next := pages("/tickets", q, l.NextCursor, "status", "assignee", "escalated", "customer_id")
	names, err := v.customerNames()
	if err != nil {
		return err
	}
	return v.show(ticketsView(ticketList{Tickets: l.Items, Names: names, Status: q.Get("status"), Assignee: q.Get("assignee"),
		Escalated: q.Get("escalated") == "true", Staff: !v.me.IsCustomer(), CanOpen: v.s.mayUse(v.me, "POST /api/v1/tickets"), First: first, Next: next}))
}

type ticketList struct {
	Tickets          []models.Ticket
	Names            names
	Status, Assignee string
	Escalated        bool
	Staff, CanOpen   bool
	First, Next      string // pager links
}

var ticketStatusOptions = []option{{"", "Any status"}, {models.TicketOpen, "Open"}, {models.TicketPendingCustomer, "Waiting for the customer"},
	{models.TicketResolved, "Resolved"}, {models.TicketClosed, "Closed"}}

var priorityOptions = []option{{models.PriorityNormal, "Normal (answer within 24 h)"}, {models.PriorityHigh, "High (4 h)"}, {models.PriorityUrgent, "Urgent (1 h)"}}

func ticketTable(l ticketList) table {
	t := table{Caption: "Tickets, newest first", Empty: "No tickets.", Head: []string{"Ticket", "Subject", "Status", "Priority", "First answer", "Opened"}}
	if l.Staff {
		t.Head = []string{"Ticket", "Subject", "Customer", "Status", "Priority", "First answer", "Opened"}
	}
	for _, tk := range l.Tickets {
		row := []templ.Component{link("/tickets/"+tk.ID, tk.ID), text(tk.Subject)}
		if l.Staff {
			row = append(row, text(firstOf(l.Names[tk.CustomerID], tk.CustomerID)))
		}
		t.Rows = append(t.Rows, append(row, badge(tk.Status), text(statusLabel(tk.Priority)), answerCell(tk), when(at(tk.CreatedAt))))
	}
	return t
}

// answerCell says when a ticket was first answered, or when it is due and
// whether it was escalated.
func answerCell(tk models.Ticket) templ.Component {
	switch {
	case tk.FirstResponseAt != nil:
		return when(at(*tk.FirstResponseAt))
	case tk.EscalatedAt != nil:
		return text("escalated: none by " + tk.ResponseDueAt.UTC().Format("2 Jan 15:04 UTC"))
	}
	return text("due by " + tk.ResponseDueAt.UTC().Format("2 Jan 15:04 UTC"))
}

// newTicketPage asks a question or reports a problem, about a document
// when the link says which.
func (s *Server) newTicketPage(v *visit) error { return v.showTicketForm(nil) }

func (v *visit) showTicketForm(formErr *apiError) error {
	q := v.r.URL.Query()
	val := func(k, d string) string {
		if formErr != nil {
			return v.r.PostFormValue(k)
		}
		return d
	}
	kind, id := val("link_kind", q.Get("link_kind")), val("link_id", q.Get("link_id"))
	fields, bodyLabel, submit := []field{}, "Your question or problem", "Send"
	if !v.me.IsCustomer() {
		bodyLabel, submit = "The customer's question or problem", "Open the ticket"
		customers, err := v.customerOptions("Choose a customer")
		if err != nil {
			return err
		}
		fields = append(fields, field{Name: "customer_id", Label: "Customer", Type: "select", Options: customers, Value: val("customer_id", q.Get("customer_id")), Required: true})
	}
	fields = append(fields,
		field{Name: "link_kind", Type: "hidden", Value: kind}, field{Name: "link_id", Type: "hidden", Value: id},
		field{Name: "subject", Label: "Subject", Value: val("subject", ""), Required: true},
		field{Name: "body", Label: bodyLabel, Type: "textarea", Value: val("body", ""), Required: true},
		field{Name: "priority", Label: "Priority", Type: "select", Options: priorityOptions, Value: val("priority", models.PriorityNormal)})
	f := form{Action: "/tickets", Submit: submit, CSRF: v.csrf, Key: randomToken(), Err: formErr, Fields: fields}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, v.page.Title, ticketFormView(f, kind, id))
}

func (s *Server) createTicket(v *visit) error {
	f := v.r.PostFormValue
	body := map[string]any{"customer_id": f("customer_id"), "subject": f("subject"), "body": f("body"), "priority": f("priority"),
		"link_kind": f("link_kind"), "link_id": f("link_id")}
	var t models.Ticket
	if err := v.call(http.MethodPost, "/api/v1/tickets", body, &t); err != nil {
		if ae := refusal(err); ae != nil {
			return v.showTicketForm(ae)
		}
		return err
	}
	if !v.me.IsCustomer() { // staff opened it, on the customer's behalf
		return v.redirectDone("/tickets/"+t.ID, doneOpened)
	}
	return v.redirectDone("/tickets/"+t.ID, doneAsked)
}

// ticketPage is a ticket's thread, and for service the answer, status and
// assignment forms.
func (s *Server) ticketPage(v *visit) error { return v.showTicket(nil) }

type ticketData struct {
	Ticket           models.Ticket
	Customer         string
	CSRF             string
	Err              *apiError
	Staff, CanHandle bool
	CanComment       bool
	MyID             string
}

func (v *visit) showTicket(formErr *apiError) error {
	id := v.r.PathValue("id")
	var t models.Ticket
	if err := v.call(http.MethodGet, "/api/v1/tickets/"+url.PathEscape(id), nil, &t); err != nil {
		return err
	}
	d := ticketData{Ticket: t, CSRF: v.csrf, Err: formErr, Staff: !v.me.IsCustomer(), MyID: v.me.ID,
		CanHandle: v.s.mayUse(v.me, "POST /api/v1/tickets/:id/status"), CanComment: v.s.mayUse(v.me, "POST /api/v1/tickets/:id/comments")}
	if d.Staff {
		names, err := v.customerNames()
		if err != nil {
			return err
		}
		d.Customer = firstOf(names[t.CustomerID], t.CustomerID)
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, t.ID+": "+t.Subject, ticketView(d))
}

// ticketAction posts a comment, a status or an assignment.
func (s *Server) ticketAction(action string) func(v *visit) error {
	return func(v *visit) error {
		id := v.r.PathValue("id")
		f := v.r.PostFormValue
		var body map[string]any
		switch action {
		case "comments":
			body = map[string]any{"body": f("body"), "visible": f("visible") == "true"}
		case "status":
			body = map[string]any{"status": f("status")}
		default:
			body = map[string]any{"assignee": f("assignee")}
		}
		err := v.call(http.MethodPost, "/api/v1/tickets/"+url.PathEscape(id)+"/"+action, body, nil)
		switch ae := refusal(err); {
		case ae != nil:
			return v.showTicket(ae)
		case err != nil:
			return err
		}
		return v.redirectDone("/tickets/"+id, doneSaved)
	}
}

// linkOf is where a ticket's document lives in the web app.
func linkOf(kind, id string) string {
	switch kind {
	case models.LinkQuote:
		return "/quotes/" + id
	case models.LinkOrder:
		return "/orders/" + id
	case models.LinkBackorder:
		return "/backorders/" + id
	case models.LinkInvoice:
		return "/invoices/" + id
	}
	return ""
}

// commentAuthor names a comment's author when their name is unknown.
func commentAuthor(c models.TicketComment) string {
	if c.FromStaff {
		return "Customer service"
	}
	return "Customer"
}
