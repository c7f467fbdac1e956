package itest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/quotes"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/worker"
	"github.com/q2c-dev/q2c/workflows"
)

// withConfig changes the app's config before it starts.
func withConfig(f func(*config.Config)) appOption { return func(s *appSetup) { f(s.cfg) } }

type operation struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Resource string `json:"resource"`
}

// TestSlowAnswersBecomeOperations: with no worker running, a change to a
// quote cannot be answered in time. Before, the client waited until the
// server's write timeout closed the connection, with its change made. Now
// it gets 202 with an operation; when a worker comes back the operation
// completes, the change is there, and the retry with the same key gets the
// answer itself. The quote itself is answered without a worker: the API
// prices and stores it (package quotes).
func TestSlowAnswersBecomeOperations(t *testing.T) {
	a := newApp(t, withConfig(func(c *config.Config) { c.AnswerWait = 300 * time.Millisecond }))
	buyer := a.login("buyer@acme.example")
	a.stopWorker()
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":1}]}`, nil, &q); r.StatusCode != http.StatusCreated || q.Status != workflows.QuoteApproved {
		t.Fatalf("a quote without a worker: %d %+v", r.StatusCode, q.QuoteState)
	}
	key := map[string]string{"Idempotency-Key": "slow-1"}
	path, body := "/api/v1/quotes/"+q.QuoteID+"/withdraw", `{"comment":"bought elsewhere"}`
	var op operation
	r := a.call("POST", path, buyer, body, key, &op)
	if r.StatusCode != http.StatusAccepted || op.Status != "running" || r.Header.Get("Location") != "/api/v1/operations/"+op.ID || r.Header.Get("Retry-After") == "" {
		t.Fatalf("without a worker: %d %+v %v", r.StatusCode, op, r.Header)
	}
	// Only its caller may poll it.
	if r := a.call("GET", "/api/v1/operations/"+op.ID, a.login("rep@q2c.local"), "", nil, nil); r.StatusCode != 404 {
		t.Fatalf("someone else polled the operation: %d", r.StatusCode)
	}
	a.startWorker()
	waitFor(t, func() bool {
		var got operation
		a.call("GET", "/api/v1/operations/"+op.ID, buyer, "", nil, &got)
		return got.Status == "completed"
	})
	var got quoteView
	if r := a.call("GET", "/api/v1/quotes/"+q.QuoteID, buyer, "", nil, &got); r.StatusCode != 200 || got.Status != workflows.QuoteWithdrawn {
		t.Fatalf("the quote behind the operation: %d %+v", r.StatusCode, got.QuoteState)
	}
	var again quoteView
	if r := a.call("POST", path, buyer, body, key, &again); r.StatusCode != 200 || again.Status != workflows.QuoteWithdrawn {
		t.Fatalf("retry with the same key: %d %s, want 200 withdrawn", r.StatusCode, again.Status)
	}

	// The withdrawal reached the quote's workflow in its first task, with
	// its start: it waited for the opening work, so the customer heard
	// "ready" and then "withdrawn", not "ready" after "withdrawn".
	ctx := context.Background()
	if err := a.Client.GetWorkflow(ctx, workflows.QuoteWorkflowID(q.QuoteID), "").Get(ctx, nil); err != nil {
		t.Fatalf("the withdrawn quote's workflow: %v", err)
	}
	sent, err := a.Store.ListNotifications(ctx, store.NotificationFilter{}, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for _, n := range sent.Items {
		if k, ok := strings.CutPrefix(n.IdempotencyKey, workflows.QuoteWorkflowID(q.QuoteID)+"/"); ok {
			notices = append(notices, k)
		}
	}
	if !slices.Equal(notices, []string{"v1-ready", "v1-withdrawn"}) {
		t.Fatalf("the customer was told %v, want [v1-ready v1-withdrawn] in that order", notices)
	}
}

// TestLostQuoteStartsAreRecovered: the API answers a quote once it is
// priced and stored, and starts its workflow after. A start that is lost
// (the API stopped between the two, or Temporal was out) loses no quote:
// the first change to it starts the workflow, and the sweep the scheduled
// StartWaitingQuotes runs starts the rest.
func TestLostQuoteStartsAreRecovered(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	buyer := a.login("buyer@acme.example")
	var first quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":1}]}`, nil, &first); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", r.StatusCode)
	}
	stored, err := a.Store.QuoteByID(ctx, first.QuoteID)
	if err != nil {
		t.Fatal(err)
	}
	// Opened as the API opens them, with no start after.
	open := func(id string) {
		t.Helper()
		req := workflows.QuoteRequest{QuoteID: id, CustomerID: stored.CustomerID, CreatedBy: stored.CreatedBy, Lines: []pricing.Line{{SKU: "WID-100", Qty: 2}}}
		ref := workflows.QuoteWorkflowID(id) + "/open"
		audit := models.AuditEvent{Actor: stored.CreatedBy, Action: "quote.create", Entity: "quote", EntityID: id, Ref: &ref}
		if _, err := quotes.Open(ctx, a.Store, req, time.Now().UTC(), audit); err != nil {
			t.Fatal(err)
		}
		var missing *serviceerror.NotFound
		if _, err := a.Client.DescribeWorkflowExecution(ctx, workflows.QuoteWorkflowID(id), ""); !errors.As(err, &missing) {
			t.Fatalf("%s's workflow: %v, want none yet", id, err)
		}
	}
	open("Q-LOSTSTART1")
	var acc quoteView
	if r := a.call("POST", "/api/v1/quotes/Q-LOSTSTART1/accept", buyer, `{}`, nil, &acc); r.StatusCode != 200 || acc.Status != workflows.QuoteAccepted || acc.OrderID == "" {
		t.Fatalf("accepting a quote whose workflow had not started: %d %+v", r.StatusCode, acc.QuoteState)
	}

	open("Q-LOSTSTART2")
	sweep := quotes.NewStarter(a.Store, a.Client, a.TaskQueue, nil)
	// Younger than the sweep's grace: StartSoon may still be at it.
	if n, err := sweep.Sweep(ctx, time.Now().Add(-quotes.SweepGrace)); err != nil || n != 0 {
		t.Fatalf("swept a fresh quote: %d, %v", n, err)
	}
	if n, err := sweep.Sweep(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want the one waiting", n, err)
	}
	if _, err := a.Client.DescribeWorkflowExecution(ctx, workflows.QuoteWorkflowID("Q-LOSTSTART2"), ""); err != nil {
		t.Fatalf("after the sweep: %v", err)
	}
	if n, err := sweep.Sweep(ctx, time.Now().Add(time.Second)); err != nil || n != 0 {
		t.Fatalf("swept again: %d, %v", n, err)
	}
}

// TestRetriedCreateReachesTheSameQuote: a quote create whose answer was
// lost (a timeout, a 5xx that released the key) and retried with the same
// key used to create a second quote, because the quote ID was random.
func TestRetriedCreateReachesTheSameQuote(t *testing.T) {
	a := newApp(t)
	buyer := a.login("buyer@acme.example")
	key := map[string]string{"Idempotency-Key": "create-1"}
	var first, second quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":2}]}`, key, &first); r.StatusCode != 201 {
		t.Fatalf("create: %d", r.StatusCode)
	}
	// As if the first answer never reached the client and the server forgot
	// the key (released after a 5xx, or past its retention).
	if _, err := a.Store.PurgeExpired(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":2}]}`, key, &second); r.StatusCode != 201 || second.QuoteID != first.QuoteID {
		t.Fatalf("retry: %d %s, first %s", r.StatusCode, second.QuoteID, first.QuoteID)
	}
	quotes, err := a.Store.ListQuotes(context.Background(), first.CustomerID, "", store.Page{Limit: 200})
	if err != nil || len(quotes.Items) != 1 {
		t.Fatalf("%d quotes, %v; want 1", len(quotes.Items), err)
	}
}

// TestOneKeyTwoOperations: the Idempotency-Key was Temporal's Update ID as
// is, so an approve and a later withdraw on the same quote sent with the
// same key got the approve's answer, and the withdraw never happened.
func TestOneKeyTwoOperations(t *testing.T) {
	a := newApp(t)
	buyer, approver := a.login("buyer@acme.example"), a.login("manager@q2c.local")
	// 3,000 units of WID-100 are past the 50,000.00 large-order threshold.
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":3000}]}`, nil, &q); r.StatusCode != 201 || q.Status != workflows.QuotePendingApproval {
		t.Fatalf("create: %d %s", r.StatusCode, q.Status)
	}
	key := map[string]string{"Idempotency-Key": "same-key"}
	var approved, withdrawn quoteView
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", approver, `{}`, key, &approved); r.StatusCode != 200 || approved.Status != workflows.QuoteApproved {
		t.Fatalf("approve: %d %s", r.StatusCode, approved.Status)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/withdraw", buyer, `{"comment":"changed my mind"}`, key, &withdrawn); r.StatusCode != 200 || withdrawn.Status != workflows.QuoteWithdrawn {
		t.Fatalf("withdraw with the approver's key: %d %s", r.StatusCode, withdrawn.Status)
	}
	var rec models.QuoteRecord
	rec, _ = a.Store.QuoteByID(context.Background(), q.QuoteID)
	if rec.Status != workflows.QuoteWithdrawn {
		t.Fatalf("stored status %s", rec.Status)
	}
}

// TestSchedulesRunTheSweepAndThePurge: the backorder sweep used to start
// only when a worker booted. It is a Temporal Schedule now, created once
// however many workers start, and it runs a sweep pass when it fires.
func TestSchedulesRunTheSweepAndThePurge(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	a.startWorker() // a second worker: the schedules already exist, nothing fails
	for _, id := range []string{worker.ScheduleBackorderSweep, worker.SchedulePurgeExpired, worker.ScheduleQuoteStarts} {
		h := a.Client.ScheduleClient().GetHandle(ctx, id+":"+a.TaskQueue)
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatalf("schedule %s: %v", id, err)
		}
		if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool {
			d, err = h.Describe(ctx)
			return err == nil && d.Info.NumActions > 0 && len(d.Info.RecentActions) > 0
		})
		run := d.Info.RecentActions[0].StartWorkflowResult
		if err := a.Client.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, nil); err != nil {
			t.Fatalf("%s's run: %v", id, err)
		}
	}
}
