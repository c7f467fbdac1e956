package itest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/models"
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

// TestSlowAnswersBecomeOperations: with no worker running, a quote cannot
// be answered in time. Before, the client waited until the server's write
// timeout closed the connection, with its quote created. Now it gets 202
// with an operation; when a worker comes back the operation completes, the
// quote is there, and the retry with the same key gets the 201 itself.
func TestSlowAnswersBecomeOperations(t *testing.T) {
	a := newApp(t, withConfig(func(c *config.Config) { c.AnswerWait = 300 * time.Millisecond }))
	buyer := a.login("buyer@acme.example")
	a.stopWorker()
	key := map[string]string{"Idempotency-Key": "slow-1"}
	body := `{"lines":[{"sku":"WID-100","qty":1}]}`
	var op operation
	r := a.call("POST", "/api/v1/quotes", buyer, body, key, &op)
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
	var q quoteView
	if r := a.call("GET", op.Resource, buyer, "", nil, &q); r.StatusCode != 200 || q.Status != workflows.QuoteApproved {
		t.Fatalf("the quote behind the operation: %d %+v", r.StatusCode, q.QuoteState)
	}
	var again quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, body, key, &again); r.StatusCode != 201 || again.QuoteID != q.QuoteID {
		t.Fatalf("retry with the same key: %d %s, want 201 %s", r.StatusCode, again.QuoteID, q.QuoteID)
	}
	quotes, err := a.Store.ListQuotes(context.Background(), q.CustomerID, "", store.Page{Limit: 200})
	if err != nil || len(quotes.Items) != 1 {
		t.Fatalf("%d quotes, %v; want exactly 1", len(quotes.Items), err)
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
	for _, id := range []string{worker.ScheduleBackorderSweep, worker.SchedulePurgeExpired} {
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
