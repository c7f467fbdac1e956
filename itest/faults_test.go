package itest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// The fault suite: concurrent sales from quote to payment while a fault is
// injected again and again. Each run must end with every sale completed, no
// duplicate order, shipment, invoice or payment, gap-free invoice numbers,
// stock on hand equal to what was there less what shipped, and every
// message sent once per key except in the documented at-least-once window
// (a send that succeeded but was not recorded before the fault). The counts
// are printed in the test log.

const (
	faultSales  = 20
	faultRounds = 5
	faultSKU    = "FLT-1"
	faultStock  = 1000
	faultQty    = 2
)

func TestFaultWorkerRestarts(t *testing.T) {
	runFaultSuite(t, "worker stopped and started", func(a *app) { a.stopWorker(); a.startWorker() })
}

func TestFaultDatabaseConnectionsKilled(t *testing.T) {
	runFaultSuite(t, "every app connection to Postgres terminated", func(a *app) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, a.DBURL)
		if err != nil {
			a.t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
			a.t.Fatal(err)
		}
	})
}

func TestFaultAPIRestartsBetweenRequestAndRetry(t *testing.T) {
	runFaultSuite(t, "API restarted with requests in flight", func(a *app) { a.restartAPI() })
}

// faultCounts is what one run saw.
type faultCounts struct {
	faults, accepted202, unavailable503, inProgress409, connErrors, replayed atomic.Int64
}

func runFaultSuite(t *testing.T, fault string, inject func(*app)) {
	sends := &countingSender{calls: map[string]int{}}
	a := newApp(t, withSenderWrap(func(s notify.Sender) notify.Sender { sends.next = s; return sends }),
		withConfig(func(c *config.Config) {
			c.WorkerStopTimeout = 0              // a stop cancels running activities: a crash, not a drain
			c.IdempotencyLease = 2 * time.Second // claims orphaned by a fault free up quickly
			c.AnswerWait = 2 * time.Second
		}))
	ctx := context.Background()
	if err := a.Store.UpsertProduct(ctx, &models.Product{SKU: faultSKU, Name: "Fault widget", UnitOfMeasure: "each", ListPrice: 1000, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.SetOnHand(ctx, faultSKU, "SFO", faultStock); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"rep": a.login("rep@q2c.local"), "warehouse": a.login("warehouse@q2c.local"), "finance": a.login("finance@q2c.local")}
	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", tokens["rep"], "", nil, &customers)

	var counts faultCounts
	progress := make(chan struct{}, 4*faultSales)
	injected := make(chan struct{})
	go func() { // a fault after every few steps any sale completes
		defer close(injected)
		steps := 0
		for range progress {
			steps++
			if steps%(4*faultSales/(faultRounds+1)) == 0 && counts.faults.Load() < faultRounds {
				inject(a)
				counts.faults.Add(1)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, faultSales)
	for i := range faultSales {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.faultySale(i, customers.Items[i%len(customers.Items)].ID, tokens, &counts, progress); err != nil {
				errs <- fmt.Errorf("sale %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(progress)
	<-injected
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	a.checkAfterFaults(t, fault, &counts, sends)
}

// faultySale runs one sale as a careful client: each mutation with its own
// Idempotency-Key, sent again with the same key while it is still running
// (202), the service is unavailable (503), the first attempt is in flight
// (409) or the connection fails.
func (a *app) faultySale(i int, customerID string, tokens map[string]string, counts *faultCounts, progress chan<- struct{}) error {
	var q workflows.QuoteState
	if err := a.carefully("POST", "/api/v1/quotes", tokens["rep"], fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":%q,"qty":%d}]}`, customerID, faultSKU, faultQty), 201, &q, counts); err != nil {
		return fmt.Errorf("quote: %w", err)
	}
	progress <- struct{}{}
	var acc workflows.QuoteState
	if err := a.carefully("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", tokens["rep"], `{"allow_partial":true}`, 200, &acc, counts); err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	progress <- struct{}{}
	if err := a.until(func(o workflows.OrderState) bool { return o.Status == workflows.OrderAllocated }, acc.OrderID, tokens["rep"]); err != nil {
		return fmt.Errorf("allocation: %w", err)
	}
	var order workflows.OrderState
	if err := a.carefully("POST", "/api/v1/orders/"+acc.OrderID+"/shipments", tokens["warehouse"],
		fmt.Sprintf(`{"carrier":"UPS","tracking":"F-%d","lines":[{"line_no":1,"qty":%d}]}`, i, faultQty), 200, &order, counts); err != nil {
		return fmt.Errorf("ship: %w", err)
	}
	progress <- struct{}{}
	inv := order.Invoices[0]
	if err := a.carefully("POST", "/api/v1/orders/"+acc.OrderID+"/payments", tokens["finance"],
		fmt.Sprintf(`{"invoice_id":%q,"reference":"pay-%d","amount":%d}`, inv.ID, i, inv.Total), 200, &order, counts); err != nil {
		return fmt.Errorf("pay: %w", err)
	}
	progress <- struct{}{}
	return a.until(func(o workflows.OrderState) bool { return o.Status == workflows.OrderCompleted }, acc.OrderID, tokens["rep"])
}

// faultDeadline bounds one step of a sale under faults.
const faultDeadline = 2 * time.Minute

func (a *app) carefully(method, path, token, body string, want int, out any, counts *faultCounts) error {
	key := "f-" + randomHex(12)
	deadline := time.Now().Add(faultDeadline)
	for time.Now().Before(deadline) {
		status, hdr, raw, err := a.exchange(method, path, token, body, key)
		switch {
		case err != nil:
			counts.connErrors.Add(1)
		case status == want:
			if hdr.Get("Idempotent-Replayed") == "true" {
				counts.replayed.Add(1)
			}
			return json.Unmarshal(raw, out)
		case status == http.StatusAccepted:
			counts.accepted202.Add(1)
		case status == http.StatusServiceUnavailable:
			counts.unavailable503.Add(1)
		case status == http.StatusConflict && strings.Contains(string(raw), "/problems/idempotency-key"):
			counts.inProgress409.Add(1)
		default:
			return fmt.Errorf("%s %s: %d %s", method, path, status, raw)
		}
		time.Sleep(50 * time.Millisecond) // a client's backoff between retries
	}
	return fmt.Errorf("%s %s: no answer within %s", method, path, faultDeadline)
}

// until polls an order until cond holds (reads are retried through faults).
func (a *app) until(cond func(workflows.OrderState) bool, orderID, token string) error {
	deadline := time.Now().Add(faultDeadline)
	for time.Now().Before(deadline) {
		status, _, raw, err := a.exchange("GET", "/api/v1/orders/"+orderID, token, "", "")
		var o workflows.OrderState
		if err == nil && status == 200 && json.Unmarshal(raw, &o) == nil && cond(o) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("order %s did not reach the state within %s", orderID, faultDeadline)
}

// exchange is one HTTP exchange that reports transport failures instead of
// failing the test (a restarting API drops connections).
func (a *app) exchange(method, path, token, body, key string) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, a.base()+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw, err
}

// checkAfterFaults checks the books and prints the counts.
func (a *app) checkAfterFaults(t *testing.T, fault string, counts *faultCounts, sends *countingSender) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	one := func(sql string) int64 {
		var n int64
		if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	got := map[string]int64{
		"orders":                      one(`SELECT count(*) FROM orders`),
		"orders completed":            one(`SELECT count(*) FROM orders WHERE status = 'completed'`),
		"duplicate orders per quote":  one(`SELECT count(*) FROM (SELECT quote_id FROM orders GROUP BY quote_id HAVING count(*) > 1) d`),
		"shipments":                   one(`SELECT count(*) FROM shipments`),
		"invoices":                    one(`SELECT count(*) FROM invoices`),
		"invoice numbers min":         one(`SELECT coalesce(min(number), 0) FROM invoices`),
		"invoice numbers max":         one(`SELECT coalesce(max(number), 0) FROM invoices`),
		"payments":                    one(`SELECT count(*) FROM payments`),
		"on hand":                     one(`SELECT coalesce(sum(on_hand), 0) FROM stock_levels WHERE sku = '` + faultSKU + `'`),
		"reserved":                    one(`SELECT coalesce(sum(reserved), 0) FROM stock_levels WHERE sku = '` + faultSKU + `'`),
		"units shipped (from orders)": one(`SELECT coalesce(sum((l->>'shipped')::bigint), 0) FROM orders, jsonb_array_elements(state::jsonb->'lines') l`),
		"receipts":                    one(`SELECT count(*) FROM receipts`),
	}
	want := map[string]int64{
		"orders": faultSales, "orders completed": faultSales, "duplicate orders per quote": 0,
		"shipments": faultSales, "invoices": faultSales, "invoice numbers min": 1, "invoice numbers max": faultSales,
		"payments": faultSales, "on hand": faultStock - faultSales*faultQty, "reserved": 0,
		"units shipped (from orders)": faultSales * faultQty, "receipts": 0,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %d, want %d", k, got[k], w)
		}
	}
	sent, resent := sends.counts()
	t.Logf("fault suite, %s ×%d during %d concurrent sales: %d completed; duplicates: 0 orders, %d shipments, %d invoices, %d payments beyond one each; "+
		"invoice numbers %d..%d for %d invoices; on hand %d = %d − %d shipped; client saw %d × 202, %d × 503, %d × 409 in progress, %d connection errors, %d replayed answers; "+
		"messages: %d keys sent, %d sent more than once (the at-least-once window)",
		fault, counts.faults.Load(), faultSales, got["orders completed"], got["shipments"]-faultSales, got["invoices"]-faultSales, got["payments"]-faultSales,
		got["invoice numbers min"], got["invoice numbers max"], got["invoices"], got["on hand"], faultStock, faultSales*faultQty,
		counts.accepted202.Load(), counts.unavailable503.Load(), counts.inProgress409.Load(), counts.connErrors.Load(), counts.replayed.Load(), sent, resent)
	if counts.faults.Load() != faultRounds {
		t.Errorf("%d faults injected, want %d", counts.faults.Load(), faultRounds)
	}
}

// countingSender counts provider calls per message key.
type countingSender struct {
	next  notify.Sender
	mu    sync.Mutex
	calls map[string]int
}

func (s *countingSender) Send(ctx context.Context, m notify.Message) (notify.Receipt, error) {
	r, err := s.next.Send(ctx, m)
	if err == nil || !errors.Is(err, context.Canceled) {
		s.mu.Lock()
		s.calls[m.IdempotencyKey]++
		s.mu.Unlock()
	}
	return r, err
}

func (s *countingSender) counts() (keys, resent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.calls {
		keys++
		if n > 1 {
			resent++
		}
	}
	return keys, resent
}
