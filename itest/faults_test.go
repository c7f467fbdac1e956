package itest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/internal/salesload"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/store"
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

	client := &salesload.Client{Base: a.base, Rep: tokens["rep"], Warehouse: tokens["warehouse"], Finance: tokens["finance"], SKU: faultSKU, Qty: faultQty}
	progress := make(chan struct{}, 4*faultSales)
	injected := make(chan struct{})
	faults := 0
	go func() { // a fault after every few steps any sale completes
		defer close(injected)
		steps := 0
		for range progress {
			steps++
			if steps%(4*faultSales/(faultRounds+1)) == 0 && faults < faultRounds {
				inject(a)
				faults++
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, faultSales)
	for i := range faultSales {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.Sale(fmt.Sprintf("F-%d", i), customers.Items[i%len(customers.Items)].ID, progress); err != nil {
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
	if faults != faultRounds {
		t.Errorf("%d faults injected, want %d", faults, faultRounds)
	}
	a.checkAfterFaults(t, fmt.Sprintf("%s ×%d", fault, faults), &client.Counts, sends)
}

// checkAfterFaults checks the books and prints the counts.
func (a *app) checkAfterFaults(t *testing.T, fault string, counts *salesload.Counts, sends *countingSender) {
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
		"units shipped (from orders)": one(`SELECT coalesce(sum(qty), 0) FROM shipment_lines WHERE sku = '` + faultSKU + `'`),
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
	t.Logf("fault suite, %s during %d concurrent sales: %d completed; duplicates: %d orders, %d shipments, %d invoices, %d payments beyond one each; "+
		"invoice numbers %d..%d for %d invoices; on hand %d = %d − %d shipped; the clients met %s; "+
		"messages: %d keys sent, %d sent more than once (the at-least-once window)",
		fault, faultSales, got["orders completed"], got["duplicate orders per quote"], got["shipments"]-faultSales, got["invoices"]-faultSales, got["payments"]-faultSales,
		got["invoice numbers min"], got["invoice numbers max"], got["invoices"], got["on hand"], faultStock, faultSales*faultQty,
		counts, sent, resent)
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
