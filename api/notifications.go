package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Webhooks holds what delivery-status webhooks are verified with.
type Webhooks struct {
	SendGridPublicKey string // base64 ECDSA key from SendGrid's signed event webhook settings
	TwilioAuthToken   string
	PublicURL         string // the URL Twilio calls, as Twilio sees it
}

var notificationStaff = []models.Role{models.RoleCustomerService, models.RoleServiceManager, models.RoleITAdmin, models.RoleSalesManager}

func (s *Server) notificationRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/notifications", Answer: store.List[models.Notification]{}, Summary: "Messages sent or being sent (?order_id=, ?owner_kind=, ?owner_id=, ?status=)", Roles: notificationStaff, Handler: s.listNotifications},
		{Method: "POST", Path: "/api/v1/notifications/:id/resend", Summary: "Send a message again (a new message with its own key)", Roles: []models.Role{models.RoleCustomerService, models.RoleServiceManager, models.RoleITAdmin}, Handler: s.resendNotification, Body: resendRequest{}},
		{Method: "GET", Path: "/api/v1/me/notification-preferences", Summary: "Your channel choices per event (a customer's apply to their account)", Roles: anyone, Handler: s.myPreferences},
		{Method: "PUT", Path: "/api/v1/me/notification-preferences", Summary: "Turn a channel on or off for an event", Roles: anyone, Handler: s.setMyPreference, Body: preferenceRequest{}},
		{Method: "PUT", Path: "/api/v1/me/marketing-consent", Summary: "Agree to, or stop, marketing messages for your account", Roles: []models.Role{models.RoleCustomer}, Handler: s.setMyConsent, Body: consentRequest{}},
		{Method: "PUT", Path: "/api/v1/customers/:id/marketing-consent", Summary: "Record a customer's marketing consent given by phone or in writing (audited)", Roles: []models.Role{models.RoleCustomerService, models.RoleServiceManager}, Handler: s.setCustomerConsent, Body: consentRequest{}},
		{Method: "GET", Path: "/unsubscribe", Summary: "Where a marketing email's signed unsubscribe link lands: a page whose one button unsubscribes (fetching the link changes nothing, so mail scanners unsubscribe nobody)", Public: true, Handler: s.unsubscribePage},
		{Method: "POST", Path: "/unsubscribe", Summary: "Unsubscribe from marketing with the signed link's c and t: the page's button, or a mail client's one-click (RFC 8058, List-Unsubscribe-Post)", Public: true, Handler: s.unsubscribe,
			Body: oneClickForm{}, ContentType: "application/x-www-form-urlencoded"},
		{Method: "POST", Path: "/webhooks/sendgrid", Summary: "SendGrid event webhook (signed; ECDSA verified)", Public: true, Handler: s.sendgridWebhook, Body: []sendgridEvent{}},
		{Method: "POST", Path: "/webhooks/twilio", Summary: "Twilio message status callback (X-Twilio-Signature verified)", Public: true, Handler: s.twilioWebhook,
			Body: twilioStatusForm{}, ContentType: "application/x-www-form-urlencoded"},
	}
}

func (s *Server) listNotifications(c *gin.Context) {
	f := store.NotificationFilter{OrderID: c.Query("order_id"), OwnerKind: c.Query("owner_kind"), OwnerID: c.Query("owner_id"), Status: c.Query("status")}
	listPage(c, func(ctx context.Context, p store.Page) (store.List[models.Notification], error) {
		return s.Store.ListNotifications(ctx, f, p)
	})
}

type resendRequest struct {
	Reason string `json:"reason"`
}

func (r resendRequest) Validate() error {
	var v models.Validator
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	return v.Err()
}

// resendNotification sends a copy of a message as a new one, through a
// workflow so it gets the same retries. A client retry with the same
// Idempotency-Key gets the same answer and no second copy.
func (s *Server) resendNotification(c *gin.Context) {
	var req resendRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	orig, err := s.Store.NotificationByID(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if store.Purged(orig) {
		fail(c, models.Conflict("its text was removed after the retention period (Q2C_NOTIFICATION_RETENTION): send a new message instead"))
		return
	}
	key := orig.IdempotencyKey + "/resend-" + store.NewID()
	n := workflows.Notification{Channel: orig.Channel, To: orig.Recipient, ToName: orig.RecipientName, Subject: orig.Subject,
		Text: orig.BodyText, HTML: orig.BodyHTML, IdempotencyKey: key, Event: orig.Event, OrderID: orig.OrderID}
	if _, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ResendWorkflowID(key), TaskQueue: s.TaskQueue},
		workflows.ResendWorkflowName, n); err != nil {
		fail(c, fmt.Errorf("%w: %v", errUnavailable, err))
		return
	}
	if err := s.Store.AppendAudit(ctx, s.audit(c, "notification.resend", "notification", orig.ID, req.Reason)); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"idempotency_key": key, "workflow_id": workflows.ResendWorkflowID(key)})
}

// owner is whose preferences the caller manages: a customer's account, or
// the staff user themself.
func (s *Server) owner(c *gin.Context) (kind, id, phone string, err error) {
	p, _ := principalOf(c)
	if p.IsCustomer() {
		cust, err := s.Store.CustomerByID(reqCtx(c), p.CustomerID)
		return models.OwnerCustomer, p.CustomerID, cust.Phone, err
	}
	if p.Kind != "user" {
		return "", "", "", fmt.Errorf("%w: preferences belong to people, not API keys", models.ErrForbidden)
	}
	u, err := s.Store.UserByID(reqCtx(c), p.ID)
	return models.OwnerUser, p.ID, u.Phone, err
}

type preferencesView struct {
	OwnerKind string `json:"owner_kind"`
	OwnerID   string `json:"owner_id"`
	Phone     string `json:"phone,omitempty"` // where text messages go
	// MarketingConsent is a customer account's current choice.
	MarketingConsent *bool               `json:"marketing_consent,omitempty"`
	Events           []string            `json:"events"`
	Defaults         map[string]bool     `json:"defaults"` // per channel
	Preferences      []models.Preference `json:"preferences"`
}

func (s *Server) myPreferences(c *gin.Context) {
	kind, id, phone, err := s.owner(c)
	if err != nil {
		fail(c, err)
		return
	}
	prefs, err := s.Store.Preferences(reqCtx(c), kind, id)
	events, consent := workflows.Events, (*bool)(nil)
	if kind == models.OwnerCustomer && err == nil {
		events = workflows.CustomerEvents
		var agreed bool
		agreed, err = s.Store.MarketingConsent(reqCtx(c), id)
		consent = &agreed
	}
	respond(c, http.StatusOK, preferencesView{OwnerKind: kind, OwnerID: id, Phone: phone, Events: events, MarketingConsent: consent,
		Defaults: map[string]bool{models.ChannelEmail: true, models.ChannelSMS: false}, Preferences: prefs}, err)
}

type preferenceRequest struct {
	Event   string `json:"event"`
	Channel string `json:"channel"`
	Enabled bool   `json:"enabled"`
}

func (r preferenceRequest) Validate() error {
	var v models.Validator
	v.Check(slices.Contains(workflows.Events, r.Event), "event", "is not a notification event (see GET /api/v1/me/notification-preferences)")
	v.Check(r.Channel == models.ChannelEmail || r.Channel == models.ChannelSMS, "channel", "must be email or sms")
	return v.Err()
}

func (s *Server) setMyPreference(c *gin.Context) {
	var req preferenceRequest
	if !bind(c, &req) {
		return
	}
	kind, id, phone, err := s.owner(c)
	if err != nil {
		fail(c, err)
		return
	}
	if req.Channel == models.ChannelSMS && req.Enabled && !models.ValidPhone(phone) {
		fail(c, models.Invalid("channel", "SMS needs an E.164 phone number on file (for example +14155550100); none is"))
		return
	}
	p := models.Preference{OwnerKind: kind, OwnerID: id, Event: req.Event, Channel: req.Channel, Enabled: req.Enabled, UpdatedBy: s.subject(c)}
	err = s.Store.Tx(reqCtx(c), func(tx *store.Store) error {
		if err := tx.SetPreference(reqCtx(c), p); err != nil {
			return err
		}
		return tx.AppendAudit(reqCtx(c), s.audit(c, "preference.set", kind, id, fmt.Sprintf("%s by %s: %v", p.Event, p.Channel, p.Enabled)))
	})
	respond(c, http.StatusOK, p, err)
}

// sendgridEvent is the part of SendGrid's event webhook q2c reads; custom
// args (q2c_key) arrive as top-level fields.
type sendgridEvent struct {
	Event        string `json:"event"`
	SGMessageID  string `json:"sg_message_id"`
	Key          string `json:"q2c_key"`
	Reason       string `json:"reason"`
	BounceReason string `json:"bounce_classification"`
}

var sendgridStatus = map[string]string{"delivered": models.NotificationDelivered, "bounce": models.NotificationBounced, "dropped": models.NotificationFailed}

func (s *Server) sendgridWebhook(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, err)
		return
	}
	if err := notify.VerifySendGridWebhook(s.Webhooks.SendGridPublicKey, body, c.GetHeader(notify.SendGridSignatureHeader), c.GetHeader(notify.SendGridTimestampHeader)); err != nil {
		fail(c, fmt.Errorf("%w: %v", models.ErrForbidden, err))
		return
	}
	var events []sendgridEvent
	if err := json.Unmarshal(body, &events); err != nil {
		fail(c, err)
		return
	}
	applied := 0
	for _, e := range events {
		status, ok := sendgridStatus[e.Event]
		if !ok {
			continue // processed, deferred, open, click: not a delivery outcome
		}
		id, _, _ := strings.Cut(e.SGMessageID, ".") // "<X-Message-Id>.filter…"
		matched, err := s.Store.ApplyDeliveryStatus(reqCtx(c), e.Key, id, status, e.Reason)
		if err != nil {
			fail(c, err)
			return
		}
		if matched {
			applied++
		}
	}
	c.JSON(http.StatusOK, gin.H{"applied": applied})
}

// twilioStatusForm documents the fields of Twilio's status callback q2c reads.
type twilioStatusForm struct {
	MessageSid    string `json:"MessageSid"`
	MessageStatus string `json:"MessageStatus"`
	ErrorCode     string `json:"ErrorCode"`
}

var twilioStatus = map[string]string{"sent": models.NotificationSent, "delivered": models.NotificationDelivered,
	"undelivered": models.NotificationFailed, "failed": models.NotificationFailed}

func (s *Server) twilioWebhook(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		fail(c, fmt.Errorf("%w: %v", errMalformed, err))
		return
	}
	params := map[string]string{}
	for k, v := range c.Request.PostForm {
		params[k] = v[0]
	}
	url := strings.TrimRight(s.Webhooks.PublicURL, "/") + c.Request.URL.RequestURI()
	if err := notify.VerifyTwilioWebhook(s.Webhooks.TwilioAuthToken, url, params, c.GetHeader(notify.TwilioSignatureHeader)); err != nil {
		fail(c, fmt.Errorf("%w: %v", models.ErrForbidden, err))
		return
	}
	status, ok := twilioStatus[params["MessageStatus"]]
	if !ok {
		c.JSON(http.StatusOK, gin.H{"applied": 0})
		return
	}
	reason := ""
	if code := params["ErrorCode"]; code != "" {
		reason = "twilio error " + code
	}
	matched, err := s.Store.ApplyDeliveryStatus(reqCtx(c), "", params["MessageSid"], status, reason)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"applied": map[bool]int{true: 1, false: 0}[matched]})
}

type consentRequest struct {
	Consent *bool `json:"consent"`
}

func (r consentRequest) Validate() error {
	var v models.Validator
	v.Check(r.Consent != nil, "consent", "is required (true or false)")
	return v.Err()
}

func (s *Server) setMyConsent(c *gin.Context) {
	var req consentRequest
	if !bind(c, &req) {
		return
	}
	p, _ := principalOf(c)
	s.recordConsent(c, p.CustomerID, *req.Consent)
}

func (s *Server) setCustomerConsent(c *gin.Context) {
	var req consentRequest
	if !bind(c, &req) {
		return
	}
	s.recordConsent(c, c.Param("id"), *req.Consent)
}

func (s *Server) recordConsent(c *gin.Context, customerID string, consent bool) {
	ctx := reqCtx(c)
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.SetMarketingConsent(ctx, customerID, consent); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "customer.marketing_consent", "customer", customerID, fmt.Sprint(consent)))
	})
	respond(c, http.StatusOK, gin.H{"customer_id": customerID, "marketing_consent": consent}, err)
}

// unsubscribe is the link in every marketing email: the signature proves
// the email was ours, so no login is needed, and it only ever turns
// marketing off.
// oneClickForm is what a mail client posts for a one-click unsubscribe.
type oneClickForm struct {
	ListUnsubscribe string `json:"List-Unsubscribe"` // "One-Click"
}

// unsubscribePage asks the person to confirm with one button.
func (s *Server) unsubscribePage(c *gin.Context) {
	id, token := c.Query("c"), c.Query("t")
	if !s.Tokens.VerifyUnsubscribe(id, token) {
		unsubscribeHTML(c, http.StatusForbidden, `<p>This unsubscribe link is not valid: it may have been cut short. Use the link in your latest email, or change your choices on your profile page.</p>`)
		return
	}
	action := "/unsubscribe?c=" + url.QueryEscape(id) + "&t=" + url.QueryEscape(token)
	unsubscribeHTML(c, http.StatusOK, `<p>Stop sending me offers and news.</p>
<form method="post" action="`+html.EscapeString(action)+`"><button type="submit">Unsubscribe</button></form>
<p>Messages about your orders and invoices continue either way.</p>`)
}

// unsubscribe turns marketing off for the link's customer.
func (s *Server) unsubscribe(c *gin.Context) {
	id, token := c.Query("c"), c.Query("t")
	if !s.Tokens.VerifyUnsubscribe(id, token) {
		unsubscribeHTML(c, http.StatusForbidden, `<p>This unsubscribe link is not valid.</p>`)
		return
	}
	err := s.Store.Tx(reqCtx(c), func(tx *store.Store) error {
		if err := tx.SetMarketingConsent(reqCtx(c), id, false); err != nil {
			return err
		}
		return tx.AppendAudit(reqCtx(c), models.AuditEvent{Actor: "unsubscribe-link", Action: "customer.marketing_consent", Entity: "customer", EntityID: id, Detail: "false (unsubscribe link)"})
	})
	if err != nil {
		fail(c, err)
		return
	}
	unsubscribeHTML(c, http.StatusOK, `<p>You are unsubscribed: you will get no more offers from us. Messages about your orders and invoices continue.</p>`)
}

// unsubscribeHTML answers a person in a browser, not a program.
func unsubscribeHTML(c *gin.Context, status int, body string) {
	// A page, not data: its one inline style and its form may work.
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	c.Data(status, "text/html; charset=utf-8", []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribe</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">`+body+`</body></html>`))
}

func (s *Server) listOutbox(c *gin.Context) {
	listPage(c, func(ctx context.Context, p store.Page) (store.List[models.OutboxMessage], error) {
		return s.Store.ListOutboxMessages(ctx, c.Query("recipient"), p)
	})
}
