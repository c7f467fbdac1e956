package web

import (
	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
)

func customerTable(cs []models.Customer) table {
	t := table{Caption: "Customers", Head: []string{"Customer", "Name", "Email", "Segment", "Tier", "Region"}, Empty: "No customer matches."}
	for _, c := range cs {
		t.Rows = append(t.Rows, []templ.Component{link("/customers/"+c.ID, c.ID), text(c.Name), text(c.Email), text(c.Segment), text(itoa(int64(c.Tier))), text(c.Region)})
	}
	return t
}

func messageTable(d customer360) table {
	t := table{Caption: "Messages", Head: []string{"Sent", "Event", "Channel", "To", "Subject", "Status", "Resend"}, Empty: "No messages."}
	for _, n := range d.Messages.Items {
		t.Rows = append(t.Rows, []templ.Component{when(at(n.CreatedAt)), text(statusLabel(n.Event)), text(n.Channel), text(n.Recipient), text(n.Subject), badge(n.Status), resendForm(n, d)})
	}
	return t
}
