package web

import (
	"fmt"
	"maps"
	"slices"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func userToggle(u models.User) string {
	if u.Active {
		return "deactivate"
	}
	return "reactivate"
}

func userTable(us []models.User, customers names) table {
	t := table{Caption: "Users", Head: []string{"Name", "Email", "Roles", "Customer", "Status"}, Empty: "No users."}
	for _, u := range us {
		cust, status := "", "active"
		if u.CustomerID != nil {
			cust = customers.of(*u.CustomerID)
		}
		if !u.Active {
			status = "inactive"
		}
		t.Rows = append(t.Rows, []templ.Component{link("/admin/users/"+u.ID, u.Name), text(u.Email), text(rolesText(u.Roles)), text(cust), badge(status)})
	}
	return t
}

func keyTable(ks []models.APIKey, csrf string, customers names) table {
	t := table{Caption: "API keys", Head: []string{"Name", "Starts with", "Roles", "Customer", "Created", "Revoked", "Change"}, Empty: "No API keys."}
	for _, k := range ks {
		cust := ""
		if k.CustomerID != nil {
			cust = customers.of(*k.CustomerID)
		}
		revoked := templ.Component(text(""))
		if k.RevokedAt != nil {
			revoked = when(at(*k.RevokedAt))
		}
		t.Rows = append(t.Rows, []templ.Component{text(k.Name), text(k.Prefix), text(rolesText(k.Roles)), text(cust), when(at(k.CreatedAt)), revoked, revokeButton(k, csrf)})
	}
	return t
}

func auditTable(es []models.AuditEvent) table {
	t := table{Caption: "Audit trail", Head: []string{"No.", "When", "Who", "Action", "What", "Detail"}, Empty: "Nothing recorded yet."}
	for _, e := range es {
		t.Rows = append(t.Rows, []templ.Component{text(fmt.Sprint(e.Seq)), when(at(e.At)), text(e.Actor), text(e.Action), text(e.Entity + " " + e.EntityID), text(e.Detail)})
	}
	return t
}

func outboxTable(ms []models.OutboxMessage) table {
	t := table{Caption: "Recorded messages", Head: []string{"When", "Channel", "To", "Subject", "Text"}, Empty: "No messages recorded."}
	for _, m := range ms {
		t.Rows = append(t.Rows, []templ.Component{when(at(m.CreatedAt)), text(m.Channel), text(m.Recipient), text(m.Subject), text(m.BodyText)})
	}
	return t
}

// erasureRows says what an erasure changed, a table a line, in a fixed order.
func erasureRows(e *store.Erasure) []string {
	var out []string
	for _, t := range slices.Sorted(maps.Keys(e.Rows)) {
		out = append(out, fmt.Sprintf("%s: %d", t, e.Rows[t]))
	}
	return out
}
