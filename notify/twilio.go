package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/twilio/twilio-go"
	tclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/q2c-dev/q2c/models"
)

// Twilio sends SMS through Twilio's Messages API.
type Twilio struct {
	AccountSID string
	AuthToken  string
	BaseURL    string // https://api.twilio.com, or a capture server in tests
	From       string
	// Transport carries requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	Timeout   time.Duration
}

// Send implements Sender. twilio-go has no base-URL option and takes no
// context, so each call gets its own client whose transport does both.
func (t Twilio) Send(ctx context.Context, m Message) (Receipt, error) {
	if m.Channel != models.ChannelSMS {
		return Receipt{}, fmt.Errorf("twilio: cannot send %s", m.Channel)
	}
	base, err := url.Parse(t.BaseURL)
	if err != nil || base.Host == "" {
		return Receipt{}, fmt.Errorf("twilio: bad base URL %q", t.BaseURL)
	}
	timeout := t.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	rt := &redirect{ctx: ctx, base: base, next: t.Transport}
	c := &tclient.Client{
		Credentials: tclient.NewCredentials(t.AccountSID, t.AuthToken),
		HTTPClient: &http.Client{Transport: rt, Timeout: timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	c.SetAccountSid(t.AccountSID)
	rc := twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})

	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetFrom(t.From)
	params.SetBody(m.Text)
	msg, err := rc.Api.CreateMessage(params)
	if err != nil {
		var rest *tclient.TwilioRestError
		reason := err.Error()
		if !errors.As(err, &rest) {
			rest = nil
		} else {
			reason = fmt.Sprintf("%d %s", rest.Code, rest.Message)
		}
		if rt.status == 0 {
			if rest != nil { // twilio-go refused before sending (bad credentials): retrying cannot help
				return Receipt{}, &PermanentError{Provider: "twilio", Status: rest.Status, Reason: reason}
			}
			return Receipt{}, fmt.Errorf("twilio: %w", err) // never reached Twilio: network failure
		}
		return Receipt{}, classify("twilio", rt.status, reason)
	}
	id := ""
	if msg.Sid != nil {
		id = *msg.Sid
	}
	return Receipt{Provider: "twilio", MessageID: id}, nil
}
