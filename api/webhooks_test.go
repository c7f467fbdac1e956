package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
)

const publicURL = "https://q2c.example.com"

func webhookHarness(t *testing.T) (*harness, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(d *api.Deps) {
		d.Webhooks = api.Webhooks{SendGridPublicKey: base64.StdEncoding.EncodeToString(der), TwilioAuthToken: "twilio-auth-token", PublicURL: publicURL}
	})
	ctx := context.Background()
	for _, n := range []models.Notification{
		{IdempotencyKey: "Order:SO-1/S1/shipped", Channel: "email", Recipient: "a@example.com", BodyText: "x", Event: "shipped"},
		{IdempotencyKey: "Order:SO-1/S1/shipped/sms", Channel: "sms", Recipient: "+14155550100", BodyText: "x", Event: "shipped"},
	} {
		row, err := h.st.ClaimNotification(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		provider := map[string]string{"email": "sg-abc", "sms": "SM123"}[n.Channel]
		if err := h.st.MarkSent(ctx, row.ID, "x", provider); err != nil {
			t.Fatal(err)
		}
	}
	return h, key
}

func sendgridSign(t *testing.T, key *ecdsa.PrivateKey, ts, body string) string {
	sum := sha256.Sum256([]byte(ts + body))
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func twilioSign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		b.WriteString(k + form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func statusOf(t *testing.T, h *harness, key string) string {
	t.Helper()
	n, err := h.st.NotificationByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return n.Status
}

func TestSendGridWebhookSignature(t *testing.T) {
	h, key := webhookHarness(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	body := `[{"event":"delivered","sg_message_id":"sg-abc.filter0001","q2c_key":"Order:SO-1/S1/shipped"}]`
	ts := "1700000000"
	tests := []struct {
		name, body, sig, ts string
		code                int
	}{
		{"missing signature", body, "", ts, 403},
		{"signed by another key", body, sendgridSign(t, other, ts, body), ts, 403},
		{"tampered body", strings.Replace(body, "delivered", "bounce", 1), sendgridSign(t, key, ts, body), ts, 403},
		{"tampered timestamp", body, sendgridSign(t, key, ts, body), "1700000001", 403},
		{"garbage signature", body, "bm90IGEgc2lnbmF0dXJl", ts, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", "/webhooks/sendgrid", "", tc.body, map[string]string{notify.SendGridSignatureHeader: tc.sig, notify.SendGridTimestampHeader: tc.ts})
			if w.Code != tc.code || statusOf(t, h, "Order:SO-1/S1/shipped") != models.NotificationSent {
				t.Fatalf("%d (status now %s); want %d and nothing changed", w.Code, statusOf(t, h, "Order:SO-1/S1/shipped"), tc.code)
			}
		})
	}
	w := h.do("POST", "/webhooks/sendgrid", "", body, map[string]string{notify.SendGridSignatureHeader: sendgridSign(t, key, ts, body), notify.SendGridTimestampHeader: ts})
	if w.Code != 200 || statusOf(t, h, "Order:SO-1/S1/shipped") != models.NotificationDelivered {
		t.Fatalf("valid webhook: %d %s", w.Code, w.Body)
	}
	// A late "processed"/"delivered" never moves a bounce back, and a bounce after delivery is kept.
	bounce := `[{"event":"bounce","sg_message_id":"sg-abc.x","reason":"550 mailbox unavailable"}]`
	h.do("POST", "/webhooks/sendgrid", "", bounce, map[string]string{notify.SendGridSignatureHeader: sendgridSign(t, key, ts, bounce), notify.SendGridTimestampHeader: ts})
	if s := statusOf(t, h, "Order:SO-1/S1/shipped"); s != models.NotificationDelivered {
		t.Fatalf("a final status was overwritten: %s", s)
	}
}

func TestTwilioWebhookSignature(t *testing.T) {
	h, _ := webhookHarness(t)
	form := url.Values{"MessageSid": {"SM123"}, "MessageStatus": {"delivered"}, "AccountSid": {"AC1"}}
	full := publicURL + "/webhooks/twilio"
	call := func(f url.Values, sig string) int {
		headers := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		if sig != "" {
			headers[notify.TwilioSignatureHeader] = sig
		}
		return h.do("POST", "/webhooks/twilio", "", f.Encode(), headers).Code
	}
	tampered := url.Values{"MessageSid": {"SM123"}, "MessageStatus": {"failed"}, "AccountSid": {"AC1"}}
	tests := []struct {
		name string
		form url.Values
		sig  string
	}{
		{"missing signature", form, ""},
		{"wrong token", form, twilioSign("another-token", full, form)},
		{"tampered form", tampered, twilioSign("twilio-auth-token", full, form)},
		{"signed for another URL", form, twilioSign("twilio-auth-token", "https://evil.example/webhooks/twilio", form)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code := call(tc.form, tc.sig); code != 403 || statusOf(t, h, "Order:SO-1/S1/shipped/sms") != models.NotificationSent {
				t.Fatalf("%d; want 403 and nothing changed", code)
			}
		})
	}
	if code := call(form, twilioSign("twilio-auth-token", full, form)); code != 200 || statusOf(t, h, "Order:SO-1/S1/shipped/sms") != models.NotificationDelivered {
		t.Fatalf("valid callback: %d, status %s", code, statusOf(t, h, "Order:SO-1/S1/shipped/sms"))
	}
}

func TestNotificationPreferences(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
	if err := h.st.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	h.createUser("buyer@example.com", "buyer-password", models.Roles{models.RoleCustomer}, &cust.ID)
	tok := h.login("buyer@example.com", "buyer-password")
	// No phone on the account yet: SMS cannot be turned on.
	var p api.Problem
	w := h.do("PUT", "/api/v1/me/notification-preferences", tok, `{"event":"shipped","channel":"sms","enabled":true}`, nil)
	decode(t, w, &p)
	if w.Code != 422 || p.Errors[0].Field != "channel" {
		t.Fatalf("sms without phone: %d %+v", w.Code, p)
	}
	if w := h.do("PUT", "/api/v1/me/notification-preferences", tok, `{"event":"teleport","channel":"email","enabled":false}`, nil); w.Code != 422 {
		t.Fatalf("unknown event: %d", w.Code)
	}
	if w := h.do("PUT", "/api/v1/me/notification-preferences", tok, `{"event":"invoice_issued","channel":"email","enabled":false}`, nil); w.Code != 200 {
		t.Fatalf("email off: %d %s", w.Code, w.Body)
	}
	var v struct {
		OwnerKind   string `json:"owner_kind"`
		OwnerID     string `json:"owner_id"`
		Preferences []models.Preference
	}
	decode(t, h.do("GET", "/api/v1/me/notification-preferences", tok, "", nil), &v)
	if v.OwnerKind != models.OwnerCustomer || v.OwnerID != cust.ID || len(v.Preferences) != 1 || v.Preferences[0].Enabled {
		t.Fatalf("preferences %+v", v)
	}
}

func TestUnsubscribeAndConsent(t *testing.T) {
	var tokens *auth.Tokens
	h := newHarness(t, func(d *api.Deps) { tokens = d.Tokens })
	ctx := context.Background()
	cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
	other := &models.Customer{Name: "Globex", Email: "g@example.com", Currency: "USD", Tier: 2}
	for _, c := range []*models.Customer{cust, other} {
		if err := h.st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	h.createUser("buyer@example.com", "buyer-password", models.Roles{models.RoleCustomer}, &cust.ID)
	buyer := h.login("buyer@example.com", "buyer-password")
	if w := h.do("PUT", "/api/v1/me/marketing-consent", buyer, `{"consent":true}`, nil); w.Code != 200 {
		t.Fatalf("consent: %d %s", w.Code, w.Body)
	}
	if ok, _ := h.st.MarketingConsent(ctx, cust.ID); !ok {
		t.Fatal("consent not recorded")
	}
	if w := h.do("PUT", "/api/v1/me/marketing-consent", buyer, `{}`, nil); w.Code != 422 {
		t.Fatalf("consent without a value: %d", w.Code)
	}
	tests := []struct {
		name, query string
		code        int
	}{
		{"tampered signature", "c=" + cust.ID + "&t=" + tokens.UnsubscribeToken(cust.ID) + "x", 403},
		{"another customer's signature", "c=" + cust.ID + "&t=" + tokens.UnsubscribeToken(other.ID), 403},
		{"no signature", "c=" + cust.ID, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"GET", "POST"} {
				if w := h.do(method, "/unsubscribe?"+tc.query, "", "", nil); w.Code != tc.code {
					t.Fatalf("%s: %d, want %d", method, w.Code, tc.code)
				}
			}
			if ok, _ := h.st.MarketingConsent(ctx, cust.ID); !ok {
				t.Fatal("a refused link changed consent")
			}
		})
	}
	link := "/unsubscribe?c=" + cust.ID + "&t=" + tokens.UnsubscribeToken(cust.ID)
	// Following the link (a person, or a scanner fetching it) shows the
	// button and changes nothing; the button, or a mail client's
	// one-click POST, unsubscribes.
	if w := h.do("GET", link, "", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `method="post"`) {
		t.Fatalf("valid link: %d %s", w.Code, w.Body)
	}
	if ok, _ := h.st.MarketingConsent(ctx, cust.ID); !ok {
		t.Fatal("fetching the link unsubscribed")
	}
	if w := h.do("POST", link, "", "List-Unsubscribe=One-Click", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); w.Code != 200 {
		t.Fatalf("one-click: %d %s", w.Code, w.Body)
	}
	if ok, _ := h.st.MarketingConsent(ctx, cust.ID); ok {
		t.Fatal("still subscribed after a valid unsubscribe")
	}
	h.createUser("service@q2c.test", "service-password", models.Roles{models.RoleCustomerService}, nil)
	if w := h.do("PUT", "/api/v1/customers/"+other.ID+"/marketing-consent", h.login("service@q2c.test", "service-password"), `{"consent":true}`, nil); w.Code != 200 {
		t.Fatalf("service recording consent: %d", w.Code)
	}
}
