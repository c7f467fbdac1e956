package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
)

// capture is a stand-in provider on 127.0.0.1 that records what the SDKs
// really send and answers with a status the test chooses.
type capture struct {
	mu       sync.Mutex
	requests []captured
	status   int
	body     string
	header   map[string]string
}

type captured struct {
	Method, Path, Auth, ContentType string
	Body                            []byte
}

func newCapture(t *testing.T, status int, body string, header map[string]string) (*capture, string) {
	c := &capture{status: status, body: body, header: header}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.requests = append(c.requests, captured{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b})
		c.mu.Unlock()
		for k, v := range c.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(c.status)
		_, _ = io.WriteString(w, c.body)
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL
}

func (c *capture) only(t *testing.T) captured {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) != 1 {
		t.Fatalf("provider got %d requests, want 1", len(c.requests))
	}
	return c.requests[0]
}

var email = notify.Message{Channel: models.ChannelEmail, To: "buyer@example.com", ToName: "Buyer", Subject: "Order confirmed",
	Text: "Your order Q-1 is confirmed.", HTML: "<p>Your order Q-1 is confirmed.</p>", IdempotencyKey: "Order:Q-1/confirmed"}

var sms = notify.Message{Channel: models.ChannelSMS, To: "+14155550100", Text: "Order Q-1 shipped", IdempotencyKey: "Order:Q-1/shipped"}

func TestSendGridSendsWhatTheAPIExpects(t *testing.T) {
	c, base := newCapture(t, http.StatusAccepted, "", map[string]string{"X-Message-Id": "sg-123"})
	sg := notify.SendGrid{APIKey: "SG.test-key", BaseURL: base, From: "orders@q2c.test", FromName: "q2c"}
	rec, err := sg.Send(context.Background(), email)
	if err != nil || rec.MessageID != "sg-123" || rec.Provider != "sendgrid" {
		t.Fatalf("Send = %+v, %v", rec, err)
	}
	r := c.only(t)
	if r.Method != http.MethodPost || r.Path != "/v3/mail/send" || r.Auth != "Bearer SG.test-key" || !strings.HasPrefix(r.ContentType, "application/json") {
		t.Fatalf("request = %s %s auth=%q type=%q", r.Method, r.Path, r.Auth, r.ContentType)
	}
	var body struct {
		From             struct{ Email, Name string }
		Subject          string
		Personalizations []struct {
			To []struct{ Email, Name string }
		}
		Content    []struct{ Type, Value string }
		CustomArgs map[string]string `json:"custom_args"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
	}
	if body.From.Email != "orders@q2c.test" || body.Subject != "Order confirmed" ||
		len(body.Personalizations) != 1 || body.Personalizations[0].To[0].Email != "buyer@example.com" ||
		len(body.Content) != 2 || body.Content[0].Type != "text/plain" || body.Content[1].Type != "text/html" ||
		body.CustomArgs["q2c_key"] != "Order:Q-1/confirmed" {
		t.Fatalf("unexpected mail body: %s", r.Body)
	}
}

// TestSendGridMarketingCarriesOneClickUnsubscribe: a marketing email names
// its unsubscribe URL in List-Unsubscribe and offers the one-click POST
// (RFC 8058); a transactional one carries neither.
func TestSendGridMarketingCarriesOneClickUnsubscribe(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		want      map[string]string
	}{
		{"marketing", "https://q2c.test/unsubscribe?c=1&t=x", map[string]string{
			"List-Unsubscribe": "<https://q2c.test/unsubscribe?c=1&t=x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}},
		{"transactional", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, base := newCapture(t, http.StatusAccepted, "", map[string]string{"X-Message-Id": "sg-1"})
			m := email
			m.Unsubscribe = tc.url
			if _, err := (notify.SendGrid{APIKey: "SG.k", BaseURL: base, From: "offers@q2c.test"}).Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			var body struct{ Headers map[string]string }
			if err := json.Unmarshal(c.only(t).Body, &body); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(body.Headers) != fmt.Sprint(tc.want) {
				t.Fatalf("headers %v, want %v", body.Headers, tc.want)
			}
		})
	}
}

func TestTwilioSendsWhatTheAPIExpects(t *testing.T) {
	c, base := newCapture(t, http.StatusCreated, `{"sid":"SM123","status":"queued"}`, map[string]string{"Content-Type": "application/json"})
	tw := notify.Twilio{AccountSID: "AC123", AuthToken: "tok", BaseURL: base, From: "+15005550006"}
	rec, err := tw.Send(context.Background(), sms)
	if err != nil || rec.MessageID != "SM123" {
		t.Fatalf("Send = %+v, %v", rec, err)
	}
	r := c.only(t)
	if r.Method != http.MethodPost || r.Path != "/2010-04-01/Accounts/AC123/Messages.json" || !strings.HasPrefix(r.ContentType, "application/x-www-form-urlencoded") {
		t.Fatalf("request = %s %s type=%q", r.Method, r.Path, r.ContentType)
	}
	req := &http.Request{Header: http.Header{"Authorization": {r.Auth}}}
	if u, p, ok := req.BasicAuth(); !ok || u != "AC123" || p != "tok" {
		t.Fatalf("basic auth = %q", r.Auth)
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil || form.Get("To") != "+14155550100" || form.Get("From") != "+15005550006" || form.Get("Body") != "Order Q-1 shipped" {
		t.Fatalf("form = %v, %v", form, err)
	}
}

func TestProviderAnswersAreClassified(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
	}{
		{"bad address is permanent", 400, `{"code":21211,"message":"Invalid 'To' Phone Number","status":400}`, true},
		{"bad credentials are permanent", 401, `{"code":20003,"message":"Authenticate","status":401}`, true},
		{"rate limit is retried", 429, `{"code":20429,"message":"Too Many Requests","status":429}`, false},
		{"server error is retried", 500, `oops`, false},
		{"unavailable is retried", 503, `{"message":"down"}`, false},
	}
	for _, tc := range tests {
		t.Run("sendgrid/"+tc.name, func(t *testing.T) {
			_, base := newCapture(t, tc.status, tc.body, nil)
			_, err := notify.SendGrid{APIKey: "k", BaseURL: base, From: "a@q2c.test"}.Send(context.Background(), email)
			if err == nil || notify.IsPermanent(err) != tc.permanent {
				t.Fatalf("err = %v, permanent want %v", err, tc.permanent)
			}
		})
		t.Run("twilio/"+tc.name, func(t *testing.T) {
			_, base := newCapture(t, tc.status, tc.body, map[string]string{"Content-Type": "application/json"})
			_, err := notify.Twilio{AccountSID: "AC1", AuthToken: "t", BaseURL: base, From: "+15005550006"}.Send(context.Background(), sms)
			if err == nil || notify.IsPermanent(err) != tc.permanent {
				t.Fatalf("err = %v, permanent want %v", err, tc.permanent)
			}
		})
	}
}

func TestNetworkFailureIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now
	_, err := notify.Twilio{AccountSID: "AC1", AuthToken: "t", BaseURL: base, From: "+15005550006"}.Send(context.Background(), sms)
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("twilio err = %v, want transient", err)
	}
	_, err = notify.SendGrid{APIKey: "k", BaseURL: base, From: "a@q2c.test"}.Send(context.Background(), email)
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("sendgrid err = %v, want transient", err)
	}
}

type memRecorder struct{ got []models.OutboxMessage }

func (m *memRecorder) RecordOutboxMessage(_ context.Context, msg models.OutboxMessage) (models.OutboxMessage, error) {
	msg.ID = "rec-1"
	m.got = append(m.got, msg)
	return msg, nil
}

func TestRouterValidatesAndDispatches(t *testing.T) {
	rec := &memRecorder{}
	r := notify.Router{Email: notify.Outbox{Recorder: rec}, SMS: notify.Outbox{Recorder: rec}}
	if _, err := r.Send(context.Background(), sms); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 1 || rec.got[0].Channel != models.ChannelSMS || rec.got[0].Recipient != "+14155550100" {
		t.Fatalf("recorded %+v", rec.got)
	}
	bad := sms
	bad.To = "0800-not-e164"
	_, err := r.Send(context.Background(), bad)
	var perm *notify.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(perm.Reason, "to:") {
		t.Fatalf("bad phone: %v", err)
	}
}

// twilio-go checks credentials before sending; a refusal there is a
// configuration error that no retry can fix.
func TestTwilioCredentialRefusalIsPermanent(t *testing.T) {
	c, base := newCapture(t, http.StatusCreated, `{"sid":"SM1"}`, nil)
	_, err := notify.Twilio{AccountSID: "AC1", AuthToken: "not-valid!", BaseURL: base, From: "+15005550006"}.Send(context.Background(), sms)
	if !notify.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) != 0 {
		t.Fatalf("%d requests sent with refused credentials", len(c.requests))
	}
}
