package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/messages"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/workflows"
)

// NotifyRole emails every active user holding a role. Each recipient's
// message has its own idempotency key, so a retry sends nobody a second copy.
func (a *Activities) NotifyRole(ctx context.Context, m workflows.RoleMessage) (int, error) {
	users, err := a.Store.ActiveUsersWithRole(ctx, m.Role)
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		if _, err := a.SendNotification(ctx, workflows.Notification{Channel: models.ChannelEmail, To: u.Email, ToName: u.Name,
			IdempotencyKey: fmt.Sprintf("%s/%s", m.IdempotencyKey, u.ID),
			Event:          m.Event, OwnerKind: models.OwnerUser, OwnerID: u.ID, Phone: u.Phone, Data: m.Data}); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

func toMessage(n workflows.Notification) notify.Message {
	return notify.Message{Channel: n.Channel, To: n.To, ToName: n.ToName, Subject: n.Subject, Text: n.Text, HTML: n.HTML, IdempotencyKey: n.IdempotencyKey,
		Unsubscribe: n.Data["unsubscribe_url"]} // set on marketing messages only
}

// SendNotification delivers a message through the outbox. For each channel
// the owner wants (email unless turned off; SMS when turned on and a valid
// phone is known) it writes the message as a row before sending, and sends
// only a row not yet sent. The guarantee is at least once: a crash after the
// provider accepted but before the row says so re-sends on retry, with the
// same idempotency key in the provider's metadata (SendGrid custom arg
// q2c_key) so it can be recognised. A permanent refusal (a bad address) is
// recorded as failed and does not fail the workflow; anything else is
// retried by Temporal.
func (a *Activities) SendNotification(ctx context.Context, n workflows.Notification) (notify.Receipt, error) {
	if messages.Marketing[n.Event] {
		ok, err := a.marketingAllowed(ctx, &n)
		if err != nil || !ok {
			return notify.Receipt{}, err
		}
	}
	if n.Data != nil {
		if link := a.pageLink(n.Data); link != "" && n.Data["link"] == "" {
			n.Data = maps.Clone(n.Data)
			n.Data["link"] = link
		}
		r, err := messages.Render(n.Event, n.Data)
		if err != nil { // a template and its data disagree: a bug no retry fixes
			return notify.Receipt{}, temporal.NewNonRetryableApplicationError(err.Error(), "TemplateError", err)
		}
		n.Subject, n.Text, n.HTML, n.SMS = r.Subject, r.Text, r.HTML, r.SMS
	}
	msgs, err := a.channelsFor(ctx, n)
	if err != nil {
		return notify.Receipt{}, err
	}
	var first notify.Receipt
	for i, m := range msgs {
		r, err := a.deliver(ctx, n, m)
		if err != nil {
			return notify.Receipt{}, err
		}
		if i == 0 {
			first = r
		}
	}
	return first, nil
}

// linkedPages are the pages a message may link to, the most particular
// first: a message naming an invoice and its order links to the invoice.
var linkedPages = []struct{ key, path string }{
	{"ticket_id", "/tickets/"}, {"return_id", "/returns/"}, {"invoice_id", "/invoices/"}, {"order_id", "/orders/"}, {"quote_id", "/quotes/"},
}

// pageLink is the page in q2c a message is about, or "" when it names none
// or no portal address is set. The page itself checks who may read it.
func (a *Activities) pageLink(data map[string]string) string {
	if a.PortalURL == "" {
		return ""
	}
	for _, p := range linkedPages {
		if id := data[p.key]; id != "" {
			return strings.TrimRight(a.PortalURL, "/") + p.path + url.PathEscape(id)
		}
	}
	return ""
}

// marketingAllowed checks consent (only customers give it) and adds the
// unsubscribe link. Without consent the message is recorded as refused and
// not sent.
func (a *Activities) marketingAllowed(ctx context.Context, n *workflows.Notification) (bool, error) {
	consent := false
	if n.OwnerKind == models.OwnerCustomer && a.UnsubscribeURL != nil {
		var err error
		if consent, err = a.Store.MarketingConsent(ctx, n.OwnerID); err != nil && !errors.Is(err, models.ErrNotFound) {
			return false, err
		}
	}
	if !consent {
		row, err := a.Store.ClaimNotification(ctx, models.Notification{IdempotencyKey: n.IdempotencyKey, Event: n.Event, Channel: models.ChannelEmail,
			Recipient: n.To, RecipientName: n.ToName, BodyText: "(not sent)", OwnerKind: n.OwnerKind, OwnerID: n.OwnerID})
		if err != nil {
			return false, err
		}
		return false, a.Store.MarkAttemptFailed(ctx, row.ID, true, "no marketing consent")
	}
	if n.Data == nil {
		n.Data = map[string]string{}
	}
	n.Data["unsubscribe_url"] = a.UnsubscribeURL(n.OwnerID)
	return true, nil
}

// channelsFor applies the owner's preferences to n.
func (a *Activities) channelsFor(ctx context.Context, n workflows.Notification) ([]notify.Message, error) {
	email := n.Channel != models.ChannelSMS
	sms := n.Channel == models.ChannelSMS
	if n.OwnerKind != "" && n.Event != "" {
		prefs, err := a.Store.Preferences(ctx, n.OwnerKind, n.OwnerID)
		if err != nil {
			return nil, err
		}
		for _, p := range prefs {
			if p.Event != n.Event {
				continue
			}
			switch p.Channel {
			case models.ChannelEmail:
				email = email && p.Enabled
			case models.ChannelSMS:
				sms = sms || (p.Enabled && models.ValidPhone(n.Phone))
			}
		}
	}
	var out []notify.Message
	if email && n.Channel != models.ChannelSMS {
		out = append(out, toMessage(n))
	}
	if sms {
		m := toMessage(n)
		m.Channel, m.Subject, m.HTML = models.ChannelSMS, "", ""
		if n.Channel != models.ChannelSMS {
			m.To, m.IdempotencyKey = n.Phone, n.IdempotencyKey+"/sms"
			if n.SMS != "" {
				m.Text = n.SMS
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func (a *Activities) deliver(ctx context.Context, n workflows.Notification, m notify.Message) (notify.Receipt, error) {
	row, started, err := a.Store.StartNotification(ctx, models.Notification{IdempotencyKey: m.IdempotencyKey, Event: n.Event, Channel: m.Channel,
		Recipient: m.To, RecipientName: m.ToName, Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML,
		OwnerKind: n.OwnerKind, OwnerID: n.OwnerID, OrderID: n.OrderID})
	if err != nil {
		return notify.Receipt{}, err
	}
	if slices.Contains(doneStatuses, row.Status) { // sent before: never again
		return notify.Receipt{Provider: row.Provider, MessageID: row.ProviderMessageID}, nil
	}
	if !started { // a retry: this attempt counts too
		if err := a.Store.MarkSending(ctx, row.ID); err != nil {
			return notify.Receipt{}, err
		}
	}
	r, err := a.Sender.Send(ctx, m)
	var perm *notify.PermanentError
	if errors.As(err, &perm) {
		return notify.Receipt{}, a.Store.MarkAttemptFailed(ctx, row.ID, true, perm.Error())
	}
	if err != nil {
		if merr := a.Store.MarkAttemptFailed(ctx, row.ID, false, err.Error()); merr != nil {
			return notify.Receipt{}, errors.Join(err, merr)
		}
		return notify.Receipt{}, err
	}
	return r, a.Store.MarkSent(ctx, row.ID, r.Provider, r.MessageID)
}
