package web

import (
	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
)

func customerTable(cs []models.Customer) table {
	t := table{Caption: "Customers", Head: []string{"Customer", "Email", "Segment", "Tier", "Region"}, Empty: "No customer matches."}
	for _, c := range cs {
		t.Rows = append(t.Rows, []templ.Component{link("/customers/"+c.ID, c.Name), text(c.Email), text(c.Segment), text(itoa(int64(c.Tier))), text(c.Region)})
	}
	return t
}

func messageTable(d customer360) table {
	t := table{Caption: "Messages", Head: []string{"Sent", "Event", "Channel", "To", "Subject", "Status", "Resend"}, Empty: "No messages."}
	for _, n := range d.Notifications {
		t.Rows = append(t.Rows, []templ.Component{when(at(n.CreatedAt)), text(statusLabel(n.Event)), text(n.Channel), text(n.Recipient), text(n.Subject), badge(n.Status), resendForm(n, d)})
	}
	return t
}

func contactTable(c models.Customer) table {
	t := table{Caption: "Contacts", Head: []string{"Name", "Role", "Email", "Phone"}, Empty: "No contacts: messages go to the account's email and phone."}
	for _, p := range c.Contacts {
		t.Rows = append(t.Rows, []templ.Component{text(p.Name), text(p.Role), text(p.Email), text(p.Phone)})
	}
	return t
}

func addressTable(c models.Customer) table {
	t := table{Caption: "Addresses", Head: []string{"Kind", "Address", "Default"}, Empty: "No addresses: quotes for this customer cannot be accepted until it has a shipping address."}
	for _, a := range c.Addresses {
		def := ""
		if a.IsDefault {
			def = "default"
		}
		t.Rows = append(t.Rows, []templ.Component{text(statusLabel(a.Kind)), text(a.String()), text(def)})
	}
	return t
}

// creditLimitText is a credit limit, or says there is none.
func creditLimitText(limit *int64, cur models.Currency) string {
	if limit == nil {
		return "none"
	}
	return money(*limit, cur)
}

// limitValue is a credit limit as the form shows it: an amount without its
// currency, or empty for none.
func limitValue(limit *int64, cur models.Currency) string {
	if limit == nil {
		return ""
	}
	return models.NewMoney(*limit, cur).Decimal()
}

func errIf(ok bool, err *apiError) *apiError {
	if ok {
		return err
	}
	return nil
}

func withType(f field, typ string) field {
	f.Type = typ
	return f
}
