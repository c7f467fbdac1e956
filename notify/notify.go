// Package notify sends email and SMS. It wraps SendGrid (sendgrid-go) and
// Twilio (twilio-go) and offers an outbox recorder for the dev stack. Only
// activities call it, so every send runs with Temporal's retries.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/q2c-dev/q2c/models"
)

// Message is one email or SMS.
type Message struct {
	Channel string // models.ChannelEmail or models.ChannelSMS
	To      string // email address or E.164 phone number
	ToName  string
	Subject string // email only
	Text    string
	HTML    string // email only; optional
	// IdempotencyKey identifies the message across retries; providers get it
	// as metadata, the outbox as its unique key.
	IdempotencyKey string
	// Unsubscribe, on a marketing email, is its one-click unsubscribe URL:
	// sent as List-Unsubscribe with List-Unsubscribe-Post (RFC 8058), so a
	// mail client's button unsubscribes by POST while a scanner that fetches
	// links unsubscribes nobody.
	Unsubscribe string
}

// Validate checks the message before any provider sees it.
func (m Message) Validate() error {
	var v models.Validator
	switch m.Channel {
	case models.ChannelEmail:
		v.Check(models.ValidEmail(m.To), "to", "must be an email address")
		v.Check(m.Subject != "", "subject", "is required for email")
	case models.ChannelSMS:
		v.Check(models.ValidPhone(m.To), "to", "must be an E.164 phone number such as +14155550100")
	default:
		v.Add("channel", "must be email or sms")
	}
	v.Check(m.Text != "", "text", "is required")
	v.Check(m.IdempotencyKey != "", "idempotency_key", "is required")
	return v.Err()
}

// Receipt says who accepted a message and under which id.
type Receipt struct {
	Provider  string
	MessageID string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) (Receipt, error)
}

// PermanentError is a refusal that a retry cannot fix (a bad address, bad
// credentials). Other errors are transient: 429, 5xx, network failures.
type PermanentError struct {
	Provider string
	Status   int
	Reason   string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("%s refused the message (HTTP %d): %s", e.Provider, e.Status, e.Reason)
}

// IsPermanent reports whether err must not be retried.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// classify turns a provider's HTTP status into nil, a transient error, or a
// PermanentError.
func classify(provider string, status int, reason string) error {
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusTooManyRequests || status >= 500 || status == http.StatusRequestTimeout:
		return fmt.Errorf("%s is unavailable (HTTP %d), will retry: %s", provider, status, reason)
	default:
		return &PermanentError{Provider: provider, Status: status, Reason: reason}
	}
}

// Router sends each message through the sender of its channel.
type Router struct {
	Email Sender
	SMS   Sender
}

// Send implements Sender.
func (r Router) Send(ctx context.Context, m Message) (Receipt, error) {
	if err := m.Validate(); err != nil {
		return Receipt{}, &PermanentError{Provider: "q2c", Status: http.StatusBadRequest, Reason: err.Error()}
	}
	if m.Channel == models.ChannelSMS {
		return r.SMS.Send(ctx, m)
	}
	return r.Email.Send(ctx, m)
}

// redirect is a per-call transport: it sends every request to base (the
// configured provider URL, a local capture server in tests), carries the
// caller's context (twilio-go takes none) and remembers the last status.
type redirect struct {
	ctx    context.Context
	base   *url.URL
	next   http.RoundTripper
	status int
}

func (r *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(r.ctx)
	out.URL.Scheme, out.URL.Host, out.Host = r.base.Scheme, r.base.Host, r.base.Host
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(out)
	if resp != nil {
		r.status = resp.StatusCode
	}
	return resp, err
}
