package itest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/internal/salesload"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// lifecycle runs one sale end to end over HTTP, as the careful client of
// internal/salesload does, and returns how long the instant quote took to
// answer.
func (a *app) lifecycle(ctx context.Context, customerID string, tokens map[string]string) time.Duration {
	_, _, d := a.sale(ctx, customerID, tokens)
	return d
}

// sale is lifecycle that also names the sale's quote and order.
func (a *app) sale(ctx context.Context, customerID string, tokens map[string]string) (quoteID, orderID string, quoteLatency time.Duration) {
	return a.saleWaiting(ctx, customerID, tokens, nil)
}

// saleWaiting is sale with a wait, when beforeAccept is not nil, between
// the quote's answer and its acceptance.
func (a *app) saleWaiting(_ context.Context, customerID string, tokens map[string]string, beforeAccept func(quoteID string)) (quoteID, orderID string, quoteLatency time.Duration) {
	c := a.careful()
	start := time.Now()
	var q quoteView
	if err := c.Mutate("POST", "/api/v1/quotes", tokens["rep"], fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"BENCH-1","qty":2}]}`, customerID), 201, &q); err != nil {
		a.t.Fatal(err)
	}
	quoteLatency = time.Since(start)
	if beforeAccept != nil {
		beforeAccept(q.QuoteID)
	}
	var acc quoteView
	if err := c.Mutate("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", tokens["rep"], `{"allow_partial":true}`, 200, &acc); err != nil {
		a.t.Fatal(err)
	}
	// The warehouse ships once the order has allocated (the ship validator
	// refuses an order still allocating).
	c.Rep = tokens["rep"]
	if err := c.Until(acc.OrderID, func(o workflows.OrderState) bool { return o.Status == workflows.OrderAllocated }); err != nil {
		a.t.Fatal(err)
	}
	var order workflows.OrderState
	if err := c.Mutate("POST", "/api/v1/orders/"+acc.OrderID+"/shipments", tokens["warehouse"], `{"carrier":"UPS","tracking":"B","lines":[{"line_no":1,"qty":2}]}`, 200, &order); err != nil {
		a.t.Fatal(err)
	}
	inv := order.Invoices[0]
	if err := c.Mutate("POST", "/api/v1/orders/"+acc.OrderID+"/payments", tokens["finance"],
		fmt.Sprintf(`{"invoice_id":%q,"reference":"p","amount":%d}`, inv.ID, inv.Total), 200, &order); err != nil || order.Status != workflows.OrderCompleted {
		a.t.Fatalf("pay: %v %s", err, order.Status)
	}
	return q.QuoteID, acc.OrderID, quoteLatency
}

func benchSetup(b testing.TB) (*app, string, map[string]string) {
	a := newApp(b)
	ctx := context.Background()
	if err := a.Store.UpsertProduct(ctx, &models.Product{SKU: "BENCH-1", Name: "Bench widget", UnitOfMeasure: "each", ListPrice: 1000, Currency: "USD", Active: true}); err != nil {
		b.Fatal(err)
	}
	if err := a.Store.SetOnHand(ctx, "BENCH-1", "SFO", 1_000_000); err != nil {
		b.Fatal(err)
	}
	tokens := map[string]string{"rep": a.login("rep@q2c.local"), "warehouse": a.login("warehouse@q2c.local"), "finance": a.login("finance@q2c.local")}
	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", tokens["rep"], "", nil, &customers)
	return a, customers.Items[1].ID, tokens // Globex: no approval needed
}

func report(b *testing.B, latencies []time.Duration, elapsed time.Duration) {
	if len(latencies) == 0 {
		b.Fatal("no lifecycle completed")
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(float64(len(latencies)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "lifecycles/s")
	b.ReportMetric(pct(0.50), "quote-p50-ms")
	b.ReportMetric(pct(0.95), "quote-p95-ms")
	b.ReportMetric(pct(0.99), "quote-p99-ms")
}

// BenchmarkLifecycle: one client, one sale after another. Run with
// `make bench` or go test -run '^$' -bench Lifecycle -benchtime 50x ./itest/.
func BenchmarkLifecycle(b *testing.B) {
	a, cust, tokens := benchSetup(b)
	ctx := context.Background()
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		latencies = append(latencies, a.lifecycle(ctx, cust, tokens))
	}
	report(b, latencies, time.Since(start))
}

// BenchmarkLifecycleConcurrent: 16 clients at once.
func BenchmarkLifecycleConcurrent(b *testing.B) {
	a, cust, tokens := benchSetup(b)
	ctx := context.Background()
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(8) // × GOMAXPROCS (2) = 16 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l := a.lifecycle(ctx, cust, tokens)
			mu.Lock()
			latencies = append(latencies, l)
			mu.Unlock()
		}
	})
	report(b, latencies, time.Since(start))
}

// BenchmarkCarriedLoad: waves of concurrent sales (one client each, quote to
// payment) with an app database on Postgres, to find how many concurrent
// sales a deployment carries and what clients see past that: 202 with an
// operation when an answer is not ready within the answer wait, 503 with
// Retry-After past the in-flight limit, never a dropped connection.
func BenchmarkCarriedLoad(b *testing.B) {
	for _, clients := range []int{16, 64, 200} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			a, _, tokens := benchSetup(b)
			var customers store.List[models.Customer]
			a.call("GET", "/api/v1/customers", tokens["rep"], "", nil, &customers)
			ids := []string{customers.Items[1].ID, customers.Items[2].ID} // no approval needed
			c := &salesload.Client{Base: a.base, Rep: tokens["rep"], Warehouse: tokens["warehouse"], Finance: tokens["finance"], SKU: "BENCH-1", Qty: 2}
			salesload.ReportWaves(b, c, clients, ids)
		})
	}
}
