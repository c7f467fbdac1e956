package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/devstack"
	"github.com/q2c-dev/q2c/internal/ceiling"
	"github.com/q2c-dev/q2c/internal/salesload"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// BenchmarkDevStackQuote: the instant quote through the HTTP API on the dev
// stack (`make run`: SQLite, embedded Temporal tuned for latency), by a
// sales rep for a customer that needs no approval, with 1 and 16 clients at
// once; beside it, on the same server and in the same process, a bare
// Update-with-Start of a workflow that answers at once (the ceiling).
// Targets: quote p95 ≤ 50 ms with one client, ≤ 100 ms with 16.
// Sixteen run twice: flat out (each asks again the moment it is answered)
// and paced (each asks once a second).
//
//	go test -run '^$' -bench DevStackQuote -benchtime 200x ./devstack/
func BenchmarkDevStackQuote(b *testing.B) {
	ctx := context.Background()
	s, err := devstack.Start(ctx, devConfig(b, b.TempDir(), false), testdb.Quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(ctx)
	queue := "ceiling"
	w := sdkworker.New(s.Client, queue, sdkworker.Options{})
	ceiling.Register(w)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	var l struct{ Token string }
	post(b, s.URL+"/api/v1/auth/login", "", `{"email":"rep@q2c.local","password":"`+seed.DemoPassword+`"}`, &l)
	customer := approvalFree(b, s)
	rep := &salesload.Client{Base: func() string { return s.URL }}
	body := fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"WID-100","qty":2},{"sku":"CAB-050","qty":1}]}`, customer)
	quote := func() (time.Duration, error) {
		t0 := time.Now()
		var q workflows.QuoteState
		if err := rep.Mutate("POST", "/api/v1/quotes", l.Token, body, http.StatusCreated, &q); err != nil {
			return 0, err
		}
		if q.Status != workflows.QuoteApproved {
			return 0, fmt.Errorf("quote %s is %s", q.QuoteID, q.Status)
		}
		return time.Since(t0), nil
	}
	var next atomic.Int64
	bare := func() (time.Duration, error) {
		t0 := time.Now()
		err := ceiling.Bare(ctx, s.Client, queue, fmt.Sprint(next.Add(1)))
		return time.Since(t0), err
	}
	if _, err := quote(); err != nil { // warm: caches, connections
		b.Fatal(err)
	}
	// drive runs the bare calls, then the quotes, both the same way: the
	// bare ones first, since after the quotes the server is still sending
	// their notices.
	drive := func(b *testing.B, load func(func() (time.Duration, error)) (ceiling.Result, error)) {
		c, err := load(bare)
		if err != nil {
			b.Fatal(err)
		}
		q, err := load(quote)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ceiling.Ms(q.Answer(0.50)), "quote-p50-ms")
		b.ReportMetric(ceiling.Ms(q.Answer(0.95)), "quote-p95-ms")
		b.ReportMetric(ceiling.Ms(q.Answer(0.99)), "quote-p99-ms")
		b.ReportMetric(ceiling.Ms(c.Answer(0.50)), "bare-uws-p50-ms")
		b.ReportMetric(ceiling.Ms(c.Answer(0.95)), "bare-uws-p95-ms")
		b.ReportMetric(q.PerSecond, "quotes/s")
	}
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			drive(b, func(call func() (time.Duration, error)) (ceiling.Result, error) {
				return ceiling.Run(clients, max(b.N, clients), call)
			})
		})
	}
	// Sixteen reps each quoting once a second: the load of people at work,
	// where the closed loop above is sixteen scripts flat out, which only
	// measures how long the queue before a saturated server grows.
	b.Run("clients=16,paced=1/s", func(b *testing.B) {
		drive(b, func(call func() (time.Duration, error)) (ceiling.Result, error) {
			return ceiling.Paced(16, max(b.N, 16), call)
		})
	})
}

// approvalFree is a seeded customer whose quotes need no approval.
func approvalFree(b *testing.B, s *devstack.Stack) string {
	b.Helper()
	list, err := s.Store.ListCustomers(context.Background(), "", "Globex", store.Page{Limit: 50})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range list.Items {
		if c.Name == "Globex" {
			return c.ID
		}
	}
	b.Fatalf("no Globex among %d customers", len(list.Items))
	return ""
}
