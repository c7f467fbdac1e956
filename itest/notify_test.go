package itest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// provider stands in for SendGrid or Twilio on 127.0.0.1: it answers each
// call with the next scripted status (the last one repeats) and records
// what the SDK sent.
type provider struct {
	mu       sync.Mutex
	statuses []int
	calls    []providerCall
}

type providerCall struct {
	Path, Auth, Body string
}

func newProvider(t *testing.T, statuses ...int) (*provider, string) {
	p := &provider{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		i := min(len(p.calls), len(p.statuses)-1)
		p.calls = append(p.calls, providerCall{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: string(b)})
		status := p.statuses[i]
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case status == http.StatusAccepted: // SendGrid
			w.Header().Set("X-Message-Id", fmt.Sprintf("sg-%d", i))
			w.WriteHeader(status)
		case status == http.StatusCreated: // Twilio
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"sid":"SM%d","status":"queued"}`, i)
		default:
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"code":%d,"message":"scripted %d","status":%d}`, 20000+status, status, status)
		}
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *provider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// send runs one notification through a Resend workflow on the embedded
// server and waits for it, then returns the outbox row.
func (a *app) send(n workflows.Notification) models.Notification {
	a.t.Helper()
	ctx := context.Background()
	run, err := a.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ResendWorkflowID(n.IdempotencyKey), TaskQueue: a.TaskQueue},
		workflows.ResendWorkflowName, n)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		a.t.Fatalf("notification workflow: %v", err)
	}
	key := n.IdempotencyKey
	l, err := a.Store.ListNotifications(ctx, store.NotificationFilter{}, store.Page{Limit: 200})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, row := range l.Items {
		if row.IdempotencyKey == key {
			return row
		}
	}
	a.t.Fatalf("no outbox row for %s", key)
	return models.Notification{}
}

// TestProviderAnswersDecideTheOutboxState: for each answer SendGrid or
// Twilio can give, the outbox row ends in the right state after the right
// number of attempts, and the SDK sent the right request.
func TestProviderAnswersDecideTheOutboxState(t *testing.T) {
	tests := []struct {
		name         string
		channel      string
		statuses     []int
		wantStatus   string
		wantAttempts int
		wantID       string
	}{
		{"sendgrid accepts", models.ChannelEmail, []int{202}, models.NotificationSent, 1, "sg-0"},
		{"sendgrid refuses a bad address: failed, not retried", models.ChannelEmail, []int{400}, models.NotificationFailed, 1, ""},
		{"sendgrid rate-limits twice, then accepts", models.ChannelEmail, []int{429, 429, 202}, models.NotificationSent, 3, "sg-2"},
		{"sendgrid fails once, then accepts", models.ChannelEmail, []int{500, 202}, models.NotificationSent, 2, "sg-1"},
		{"twilio accepts", models.ChannelSMS, []int{201}, models.NotificationSent, 1, "SM0"},
		{"twilio refuses a bad number: failed, not retried", models.ChannelSMS, []int{400}, models.NotificationFailed, 1, ""},
		{"twilio rate-limits, then accepts", models.ChannelSMS, []int{429, 201}, models.NotificationSent, 2, "SM1"},
		{"twilio fails once, then accepts", models.ChannelSMS, []int{500, 201}, models.NotificationSent, 2, "SM1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, base := newProvider(t, tc.statuses...)
			a := newApp(t, withSendGrid(base), withTwilio(base))
			n := workflows.Notification{Channel: tc.channel, To: "buyer@acme.example", Subject: "Order SO-1 shipped", Text: "On its way",
				IdempotencyKey: "Order:SO-1/S1/shipped", Event: workflows.EventShipped}
			if tc.channel == models.ChannelSMS {
				n.To = "+14155550100"
			}
			row := a.send(n)
			if row.Status != tc.wantStatus || row.Attempts != tc.wantAttempts || row.ProviderMessageID != tc.wantID || p.count() != tc.wantAttempts {
				t.Fatalf("row %s after %d attempts (provider id %q, %d calls); want %s after %d (%q)",
					row.Status, row.Attempts, row.ProviderMessageID, p.count(), tc.wantStatus, tc.wantAttempts, tc.wantID)
			}
			if tc.wantStatus == models.NotificationFailed && row.LastError == "" {
				t.Fatal("a failed message does not say why")
			}
			call := p.calls[0]
			switch tc.channel {
			case models.ChannelEmail:
				if call.Path != "/v3/mail/send" || call.Auth != "Bearer SG.itest" {
					t.Fatalf("sendgrid call %s auth %q", call.Path, call.Auth)
				}
			case models.ChannelSMS:
				form, _ := url.ParseQuery(call.Body)
				if call.Path != "/2010-04-01/Accounts/ACitest/Messages.json" || form.Get("To") != "+14155550100" || form.Get("Body") != "On its way" {
					t.Fatalf("twilio call %s body %q", call.Path, call.Body)
				}
			}
			// Running the same message (same idempotency key) again sends nothing.
			before := p.count()
			again := a.send(n)
			if p.count() != before || again.ID != row.ID {
				t.Fatalf("a repeat of the same message called the provider %d more times", p.count()-before)
			}
		})
	}
}

// crashAfterSend sends for real, then dies the first time, as a worker
// process killed after the provider accepted but before the outbox update.
type crashAfterSend struct {
	next    notify.Sender
	crashed atomic.Bool
}

func (c *crashAfterSend) Send(ctx context.Context, m notify.Message) (notify.Receipt, error) {
	r, err := c.next.Send(ctx, m)
	if err == nil && c.crashed.CompareAndSwap(false, true) {
		panic("worker killed between the provider call and the outbox update")
	}
	return r, err
}

// TestCrashBetweenSendAndRecordSendsAgain pins the guarantee: at least once.
// A crash after SendGrid accepted but before the outbox row says so makes
// the retry send again; both requests carry the same q2c_key, so the
// duplicate is recognisable, and the row ends sent after two attempts.
func TestCrashBetweenSendAndRecordSendsAgain(t *testing.T) {
	p, base := newProvider(t, 202)
	a := newApp(t, withSendGrid(base), withSenderWrap(func(s notify.Sender) notify.Sender { return &crashAfterSend{next: s} }))
	row := a.send(workflows.Notification{Channel: models.ChannelEmail, To: "buyer@acme.example", Subject: "Invoice INV-1", Text: "Due soon",
		IdempotencyKey: "Order:SO-9/INV-000001/issued", Event: workflows.EventInvoiceIssued})
	if p.count() != 2 || row.Status != models.NotificationSent || row.Attempts != 2 {
		t.Fatalf("%d provider calls, row %s after %d attempts; want 2 calls, sent after 2", p.count(), row.Status, row.Attempts)
	}
	for _, c := range p.calls {
		if !strings.Contains(c.Body, `"q2c_key":"Order:SO-9/INV-000001/issued"`) {
			t.Fatalf("a send lacks the idempotency key: %s", c.Body)
		}
	}
}

// TestStaffListAndResend: customer service finds an order's messages and
// sends one again; the copy is a new message with its own outbox row.
func TestStaffListAndResend(t *testing.T) {
	p, base := newProvider(t, 202)
	a := newApp(t, withSendGrid(base))
	orig := a.send(workflows.Notification{Channel: models.ChannelEmail, To: "buyer@acme.example", Subject: "Invoice INV-7", Text: "Due",
		IdempotencyKey: "Order:SO-7/INV-000007/issued", Event: workflows.EventInvoiceIssued, OrderID: "SO-7"})
	service := a.login("service@q2c.local")
	var l store.List[models.Notification]
	if r := a.call("GET", "/api/v1/notifications?order_id=SO-7", service, "", nil, &l); r.StatusCode != 200 || len(l.Items) != 1 || l.Items[0].ID != orig.ID {
		t.Fatalf("list: %d %+v", r.StatusCode, l.Items)
	}
	var started struct {
		Key        string `json:"idempotency_key"`
		WorkflowID string `json:"workflow_id"`
	}
	if r := a.call("POST", "/api/v1/notifications/"+orig.ID+"/resend", service, `{"reason":"customer lost the email"}`, nil, &started); r.StatusCode != 202 {
		t.Fatalf("resend: %d", r.StatusCode)
	}
	if err := a.Client.GetWorkflow(context.Background(), started.WorkflowID, "").Get(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	copyRow, err := a.Store.NotificationByKey(context.Background(), started.Key)
	if err != nil || copyRow.Status != models.NotificationSent || copyRow.OrderID != "SO-7" || p.count() != 2 {
		t.Fatalf("copy %+v, %v; provider calls %d", copyRow, err, p.count())
	}
	if r := a.call("POST", "/api/v1/notifications/"+orig.ID+"/resend", a.login("buyer@acme.example"), `{"reason":"x"}`, nil, nil); r.StatusCode != 403 {
		t.Fatalf("customer resending: %d", r.StatusCode)
	}
}
