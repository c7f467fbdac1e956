package itest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/internal/ceiling"
	"github.com/q2c-dev/q2c/workflows"
)

// BenchmarkSaleAgainstCeiling runs the whole sale over HTTP (quote, accept,
// wait for allocation, ship, pay) and, on the same embedded server and in
// the same process, the no-op sale of internal/ceiling with the same shape
// (checked event by event type against the real sale's histories first),
// with 1 and 16 concurrent clients, and reports the sale's throughput as a
// fraction of the ceiling's, and the instant quote's answer time beside a
// bare Update-with-Start's. Temporal keeps its state in SQLite, or in
// Postgres with Q2C_ITEST_TEMPORAL=postgres (`make bench` runs both).
//
// The real sales and the no-op ones run in alternating rounds (real,
// no-op, real, no-op), b.N of each a round: a shared machine's speed
// drifts over a run, and one batch of each measured one after the other
// moved the ratio by more than a tenth between runs.
//
//	go test -run '^$' -bench SaleAgainstCeiling -benchtime 64x ./itest/
func BenchmarkSaleAgainstCeiling(b *testing.B) {
	a, cust, tokens := benchSetup(b)
	ctx := context.Background()
	queue := "ceiling-" + a.TaskQueue
	w := sdkworker.New(a.Client, queue, sdkworker.Options{})
	ceiling.Register(w)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	checkShape(b, a, cust, tokens, queue)

	var next atomic.Int64
	id := func() string { return fmt.Sprintf("%s-%d", a.TaskQueue, next.Add(1)) }
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			n := max(b.N, clients)
			var reals, noops []ceiling.Result
			for range ceilingRounds {
				reals = append(reals, load(b, clients, n, func() (time.Duration, error) {
					_, _, d := a.sale(ctx, cust, tokens)
					return d, nil
				}))
				noops = append(noops, load(b, clients, n, func() (time.Duration, error) { return ceiling.Sale(ctx, a.Client, queue, id()) }))
			}
			real, noop := ceiling.Merge(reals...), ceiling.Merge(noops...)
			bare := load(b, clients, n, func() (time.Duration, error) {
				start := time.Now()
				err := ceiling.Bare(ctx, a.Client, queue, id())
				return time.Since(start), err
			})
			b.ReportMetric(real.PerSecond, "sales/s")
			b.ReportMetric(noop.PerSecond, "ceiling-sales/s")
			b.ReportMetric(real.PerSecond/noop.PerSecond, "ratio")
			b.ReportMetric(ceiling.Ms(real.Call(0.50)), "sale-p50-ms")
			b.ReportMetric(ceiling.Ms(noop.Call(0.50)), "ceiling-sale-p50-ms")
			b.ReportMetric(ceiling.Ms(real.Answer(0.95)), "quote-p95-ms")
			b.ReportMetric(ceiling.Ms(noop.Answer(0.95)), "ceiling-quote-p95-ms")
			b.ReportMetric(ceiling.Ms(bare.Answer(0.95)), "bare-uws-p95-ms")
			b.ReportMetric(peakRSSMB(b), "peak-rss-MB")
		})
	}
}

// checkShape runs one real sale and one no-op sale and fails when their
// histories differ in any event type but workflow tasks. The real sale is
// accepted once its quote's workflow waits with its validity timer, as the
// no-op's does when its start returns: the API answers before it starts
// the workflow, and an acceptance that reaches the workflow in its first
// task leaves no timer to start (a shorter history, not another shape).
func checkShape(b *testing.B, a *app, cust string, tokens map[string]string, queue string) {
	ctx := context.Background()
	quoteID, orderID, _ := a.saleWaiting(ctx, cust, tokens, func(quoteID string) {
		waitFor(b, func() bool {
			shape, err := ceiling.Shape(ctx, a.Client, workflows.QuoteWorkflowID(quoteID))
			return err == nil && shape["TimerStarted"] > 0
		})
	})
	if _, err := ceiling.Sale(ctx, a.Client, queue, "shape"); err != nil {
		b.Fatal(err)
	}
	for _, pair := range [][2]string{
		{workflows.QuoteWorkflowID(quoteID), ceiling.QuoteID("shape")},
		{workflows.OrderWorkflowID(orderID), ceiling.OrderID("shape")},
	} {
		real, err := ceiling.Shape(ctx, a.Client, pair[0])
		if err != nil {
			b.Fatal(err)
		}
		noop, err := ceiling.Shape(ctx, a.Client, pair[1])
		if err != nil {
			b.Fatal(err)
		}
		if d := ceiling.Diff(real, noop); d != "" {
			b.Fatalf("the no-op sale is not shaped like the sale (%s vs %s): %s", pair[0], pair[1], d)
		}
	}
}

// ceilingRounds is how many rounds of real and no-op sales alternate.
const ceilingRounds = 2

func load(b *testing.B, clients, n int, call func() (time.Duration, error)) ceiling.Result {
	r, err := ceiling.Run(clients, n, call)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// peakRSSMB is this process's peak resident memory so far (VmHWM), which
// here holds the embedded Temporal server beside the API and the worker.
func peakRSSMB(b *testing.B) float64 { return peakRSSOf(b, "self") }

// peakRSSOf is a process's peak resident memory so far, in MB.
func peakRSSOf(b *testing.B, pid string) float64 {
	raw, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var n float64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), &n); err != nil {
				b.Fatal(err)
			}
			return n / 1024
		}
	}
	b.Fatalf("no VmHWM in /proc/%s/status", pid)
	return 0
}
