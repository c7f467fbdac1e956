package activities_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

type fakeSender struct {
	err   error
	calls int
}

func (f *fakeSender) Send(_ context.Context, m notify.Message) (notify.Receipt, error) {
	f.calls++
	return notify.Receipt{Provider: "fake", MessageID: "m1"}, f.err
}

// run executes SendNotification once, as one activity attempt.
func run(t *testing.T, a *activities.Activities, n workflows.Notification) error {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.SendNotification, n)
	return err
}

func only(t *testing.T, st *store.Store) models.Notification {
	t.Helper()
	l, err := st.ListNotifications(context.Background(), store.NotificationFilter{}, store.Page{})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("outbox has %d rows, %v", len(l.Items), err)
	}
	return l.Items[0]
}

func TestSendNotificationOutboxStates(t *testing.T) {
	msg := workflows.Notification{Channel: models.ChannelEmail, To: "a@example.com", Subject: "s", Text: "hi", IdempotencyKey: "k1", Event: workflows.EventShipped}
	tests := []struct {
		name       string
		err        error
		wantErr    bool
		wantStatus string
	}{
		{"delivered", nil, false, models.NotificationSent},
		{"provider down: retried by Temporal", errors.New("sendgrid is unavailable (HTTP 503)"), true, models.NotificationPending},
		{"bad address: failed, the workflow goes on", &notify.PermanentError{Provider: "sendgrid", Status: 400, Reason: "invalid To"}, false, models.NotificationFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := testdb.SQLite(t)
			snd := &fakeSender{err: tc.err}
			a := &activities.Activities{Store: st, Sender: snd}
			if err := run(t, a, msg); (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			row := only(t, st)
			if row.Status != tc.wantStatus || row.Attempts != 1 || (tc.err != nil && row.LastError == "") {
				t.Fatalf("row %+v", row)
			}
			// Another attempt sends again only if the first did not go out.
			snd.err = nil
			_ = run(t, a, msg)
			wantCalls := 1
			if tc.wantStatus == models.NotificationPending {
				wantCalls = 2
			}
			if snd.calls != wantCalls {
				t.Fatalf("%d provider calls after a repeat, want %d", snd.calls, wantCalls)
			}
		})
	}
}

func TestPreferencesChooseChannels(t *testing.T) {
	ctx := context.Background()
	msg := workflows.Notification{Channel: models.ChannelEmail, To: "a@example.com", Subject: "Order shipped", Text: "long text", SMS: "Shipped",
		IdempotencyKey: "k", Event: workflows.EventShipped, OwnerKind: models.OwnerCustomer, OwnerID: "c1", Phone: "+14155550100"}
	tests := []struct {
		name      string
		prefs     []models.Preference
		phone     string
		wantChans []string
	}{
		{"default: email only", nil, "+14155550100", []string{"email"}},
		{"sms turned on", []models.Preference{{Event: workflows.EventShipped, Channel: "sms", Enabled: true}}, "+14155550100", []string{"email", "sms"}},
		{"sms on but no valid phone", []models.Preference{{Event: workflows.EventShipped, Channel: "sms", Enabled: true}}, "555-0100", []string{"email"}},
		{"email off, sms on", []models.Preference{{Event: workflows.EventShipped, Channel: "email", Enabled: false}, {Event: workflows.EventShipped, Channel: "sms", Enabled: true}}, "+14155550100", []string{"sms"}},
		{"another event's choice does not apply", []models.Preference{{Event: workflows.EventInvoiceIssued, Channel: "email", Enabled: false}}, "+14155550100", []string{"email"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := testdb.SQLite(t)
			for _, p := range tc.prefs {
				p.OwnerKind, p.OwnerID, p.UpdatedBy = models.OwnerCustomer, "c1", "test"
				if err := st.SetPreference(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			n := msg
			n.Phone = tc.phone
			if err := run(t, &activities.Activities{Store: st, Sender: &fakeSender{}}, n); err != nil {
				t.Fatal(err)
			}
			l, _ := st.ListNotifications(ctx, store.NotificationFilter{}, store.Page{})
			var chans []string
			for _, r := range l.Items {
				chans = append(chans, r.Channel)
				if r.Channel == "sms" && (r.Recipient != tc.phone || r.BodyText != "Shipped" || r.IdempotencyKey != "k/sms") {
					t.Fatalf("sms row %+v", r)
				}
			}
			if len(chans) != len(tc.wantChans) || (len(chans) > 0 && chans[0] != tc.wantChans[0]) {
				t.Fatalf("channels %v, want %v", chans, tc.wantChans)
			}
		})
	}
}

func TestMarketingNeedsConsentAndCarriesUnsubscribe(t *testing.T) {
	ctx := context.Background()
	st := testdb.SQLite(t)
	cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
	if err := st.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	snd := &recordingSender{}
	a := &activities.Activities{Store: st, Sender: snd, UnsubscribeURL: func(id string) string { return "https://q2c.test/unsubscribe?c=" + id + "&t=sig" }}
	promo := workflows.Notification{Channel: models.ChannelEmail, To: cust.Email, IdempotencyKey: "promo-1", Event: workflows.EventPromotion,
		OwnerKind: models.OwnerCustomer, OwnerID: cust.ID, Data: map[string]string{"customer_name": "Acme", "headline": "Sale", "body": "10% off"}}
	if err := run(t, a, promo); err != nil {
		t.Fatal(err)
	}
	row := only(t, st)
	if len(snd.sent) != 0 || row.Status != models.NotificationFailed || row.LastError != "no marketing consent" {
		t.Fatalf("without consent: %d sent, row %+v", len(snd.sent), row)
	}
	if err := st.SetMarketingConsent(ctx, cust.ID, true); err != nil {
		t.Fatal(err)
	}
	promo.IdempotencyKey = "promo-2"
	if err := run(t, a, promo); err != nil {
		t.Fatal(err)
	}
	if len(snd.sent) != 1 || !strings.Contains(snd.sent[0].Text, "https://q2c.test/unsubscribe?c="+cust.ID) || !strings.Contains(snd.sent[0].HTML, "Unsubscribe</a>") {
		t.Fatalf("with consent: %+v", snd.sent)
	}
	// Transactional messages never ask for marketing consent.
	if err := st.SetMarketingConsent(ctx, cust.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := run(t, a, workflows.Notification{Channel: models.ChannelEmail, To: cust.Email, IdempotencyKey: "ship-1", Event: workflows.EventShipped,
		OwnerKind: models.OwnerCustomer, OwnerID: cust.ID, Data: map[string]string{"order_id": "SO-1", "shipment_id": "SO-1/S1", "carrier": "UPS", "tracking": "1Z"}}); err != nil {
		t.Fatal(err)
	}
	if len(snd.sent) != 2 || strings.Contains(snd.sent[1].Text, "nsubscribe") {
		t.Fatalf("transactional: %+v", snd.sent)
	}
}

// TestMessagesLinkToTheirPage: a message about an invoice of an order links
// to the invoice (the most particular page it names), under the portal's
// address; without an address it carries no link.
func TestMessagesLinkToTheirPage(t *testing.T) {
	st := testdb.SQLite(t)
	for _, tc := range []struct {
		name, portal, want string
	}{
		{"under the portal's address", "https://q2c.example.com/", "See it in q2c: https://q2c.example.com/invoices/INV-000007"},
		{"no address, no link", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snd := &recordingSender{}
			a := &activities.Activities{Store: st, Sender: snd, PortalURL: tc.portal}
			if err := run(t, a, workflows.Notification{Channel: models.ChannelEmail, To: "ap@acme.example", IdempotencyKey: "inv-7-" + tc.name,
				Event: workflows.EventInvoiceIssued, Data: map[string]string{"invoice_id": "INV-000007", "order_id": "SO-1",
					"amount": "USD 10.00", "due_date": "2026-12-31", "terms_days": "30"}}); err != nil {
				t.Fatal(err)
			}
			if len(snd.sent) != 1 || (tc.want != "") != strings.Contains(snd.sent[0].Text, "See it in q2c") || !strings.Contains(snd.sent[0].Text, tc.want) {
				t.Fatalf("sent %+v, want %q", snd.sent, tc.want)
			}
		})
	}
}

type recordingSender struct{ sent []notify.Message }

func (r *recordingSender) Send(_ context.Context, m notify.Message) (notify.Receipt, error) {
	r.sent = append(r.sent, m)
	return notify.Receipt{Provider: "rec", MessageID: "m"}, nil
}

// TestStoreKnowsTheQuoteStatuses: the store's funnel reads the quote
// workflow's statuses as text; the names must stay the same.
func TestStoreKnowsTheQuoteStatuses(t *testing.T) {
	for _, tc := range []struct{ store, workflow string }{
		{store.QuoteStatusRejected, workflows.QuoteRejected},
		{store.QuoteStatusExpired, workflows.QuoteExpired},
		{store.QuoteStatusWithdrawn, workflows.QuoteWithdrawn},
		{store.QuoteStatusInvalid, workflows.QuoteInvalid},
	} {
		if tc.store != tc.workflow {
			t.Errorf("store says %q, the quote workflow %q", tc.store, tc.workflow)
		}
	}
	if store.OverdueGrace != workflows.OverdueAfter {
		t.Errorf("store counts overdue %s after due, the dunning %s", store.OverdueGrace, workflows.OverdueAfter)
	}
	open := []string{workflows.OrderAllocating, workflows.OrderAllocated, workflows.OrderBackordered, workflows.OrderPartiallyShipped}
	if !slices.Equal(store.OpenOrderStatuses, open) {
		t.Errorf("store's open orders are %q, the order workflow's %q", store.OpenOrderStatuses, open)
	}
}
