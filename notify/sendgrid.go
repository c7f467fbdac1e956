package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"

	"github.com/q2c-dev/q2c/models"
)

// SendGrid sends email through SendGrid's v3 mail API.
type SendGrid struct {
	APIKey   string
	BaseURL  string // https://api.sendgrid.com, or a capture server in tests
	From     string
	FromName string
	// Transport carries requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	Timeout   time.Duration
}

// Send implements Sender. SendGrid answers 202 with an X-Message-Id header;
// the SDK returns no error for 4xx/5xx, so the status decides.
func (s SendGrid) Send(ctx context.Context, m Message) (Receipt, error) {
	if m.Channel != models.ChannelEmail {
		return Receipt{}, fmt.Errorf("sendgrid: cannot send %s", m.Channel)
	}
	if _, err := url.Parse(s.BaseURL); err != nil {
		return Receipt{}, fmt.Errorf("sendgrid: base URL: %w", err)
	}
	email := mail.NewV3Mail()
	email.SetFrom(mail.NewEmail(s.FromName, s.From))
	email.Subject = m.Subject
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail(m.ToName, m.To))
	email.AddPersonalizations(p)
	email.AddContent(mail.NewContent("text/plain", m.Text))
	if m.HTML != "" {
		email.AddContent(mail.NewContent("text/html", m.HTML))
	}
	email.SetCustomArg("q2c_key", m.IdempotencyKey)
	if m.Unsubscribe != "" {
		email.SetHeader("List-Unsubscribe", "<"+m.Unsubscribe+">")
		email.SetHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}

	req := sendgrid.GetRequest(s.APIKey, "/v3/mail/send", s.BaseURL)
	req.Method = rest.Post
	req.Body = mail.GetRequestBody(email)
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	client := rest.Client{HTTPClient: &http.Client{Transport: s.Transport, Timeout: timeout}}
	resp, err := client.SendWithContext(ctx, req)
	if err != nil {
		return Receipt{}, fmt.Errorf("sendgrid: %w", err)
	}
	if err := classify("sendgrid", resp.StatusCode, resp.Body); err != nil {
		return Receipt{}, err
	}
	id := ""
	if v := resp.Headers["X-Message-Id"]; len(v) > 0 {
		id = v[0]
	}
	return Receipt{Provider: "sendgrid", MessageID: id}, nil
}
