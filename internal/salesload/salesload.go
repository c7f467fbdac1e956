// Package salesload drives whole sales over q2c's HTTP API as a careful
// client does, for the fault suite and the load benchmarks: each mutation
// carries its own Idempotency-Key and is sent again with the same key while
// the work is still running (202), the service is unavailable or at
// capacity (503, 429), the first attempt is still in flight (409) or the
// connection fails.
package salesload

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/workflows"
)

// Client runs sales against an API whose address may change (a restart).
type Client struct {
	// Base returns the API's current base URL.
	Base func() string
	// Tokens of the rep who quotes and accepts, the warehouse and finance.
	Rep, Warehouse, Finance string
	// SKU and Qty of the one line each sale orders.
	SKU string
	Qty int64
	// Deadline bounds each step.
	Deadline time.Duration
	// Counts is what the client met on the way.
	Counts Counts
}

// Counts are the answers that made the client try again, and the answers
// it got replayed from an earlier attempt.
type Counts struct {
	Accepted202, Unavailable503, Throttled429, InProgress409, ConnErrors, Replayed atomic.Int64
	// Steps is how many steps completed (quote, accept, ship, pay).
	Steps atomic.Int64
}

// String summarises the counts.
func (c *Counts) String() string {
	return fmt.Sprintf("%d × 202, %d × 503, %d × 429, %d × 409 in progress, %d connection errors, %d replayed answers",
		c.Accepted202.Load(), c.Unavailable503.Load(), c.Throttled429.Load(), c.InProgress409.Load(), c.ConnErrors.Load(), c.Replayed.Load())
}

// Sale runs one sale for customerID from quote to payment and waits for the
// order to complete; each step done is sent on progress when not nil. It
// returns the order ID.
func (c *Client) Sale(name, customerID string, progress chan<- struct{}) (string, error) {
	step := func() {
		c.Counts.Steps.Add(1)
		if progress != nil {
			progress <- struct{}{}
		}
	}
	var q workflows.QuoteState
	if err := c.Mutate("POST", "/api/v1/quotes", c.Rep, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":%q,"qty":%d}]}`, customerID, c.SKU, c.Qty), 201, &q); err != nil {
		return "", fmt.Errorf("quote: %w", err)
	}
	step()
	var acc workflows.QuoteState
	if err := c.Mutate("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", c.Rep, `{"allow_partial":true}`, 200, &acc); err != nil {
		return "", fmt.Errorf("accept: %w", err)
	}
	step()
	if err := c.Until(acc.OrderID, func(o workflows.OrderState) bool { return o.Status == workflows.OrderAllocated }); err != nil {
		return acc.OrderID, fmt.Errorf("allocation: %w", err)
	}
	var order workflows.OrderState
	if err := c.Mutate("POST", "/api/v1/orders/"+acc.OrderID+"/shipments", c.Warehouse,
		fmt.Sprintf(`{"carrier":"UPS","tracking":%q,"lines":[{"line_no":1,"qty":%d}]}`, name, c.Qty), 200, &order); err != nil {
		return acc.OrderID, fmt.Errorf("ship: %w", err)
	}
	step()
	inv := order.Invoices[0]
	if err := c.Mutate("POST", "/api/v1/orders/"+acc.OrderID+"/payments", c.Finance,
		fmt.Sprintf(`{"invoice_id":%q,"reference":%q,"amount":%d}`, inv.ID, "pay-"+name, inv.Total), 200, &order); err != nil {
		return acc.OrderID, fmt.Errorf("pay: %w", err)
	}
	step()
	return acc.OrderID, c.Until(acc.OrderID, func(o workflows.OrderState) bool { return o.Status == workflows.OrderCompleted })
}

// Mutate sends a mutation until it gets want (decoded into out) or an
// answer that a retry cannot change.
func (c *Client) Mutate(method, path, token, body string, want int, out any) error {
	key := "load-" + randomHex(12)
	deadline := time.Now().Add(c.deadline())
	for time.Now().Before(deadline) {
		status, hdr, raw, err := c.Exchange(method, path, token, body, key)
		switch {
		case err != nil:
			c.Counts.ConnErrors.Add(1)
		case status == want:
			if hdr.Get("Idempotent-Replayed") == "true" {
				c.Counts.Replayed.Add(1)
			}
			return json.Unmarshal(raw, out)
		case status == http.StatusAccepted:
			c.Counts.Accepted202.Add(1)
			continue // the retry itself waits for the result
		case status == http.StatusServiceUnavailable:
			c.Counts.Unavailable503.Add(1)
		case status == http.StatusTooManyRequests:
			c.Counts.Throttled429.Add(1)
		case status == http.StatusConflict && strings.Contains(string(raw), "/problems/idempotency-key"):
			c.Counts.InProgress409.Add(1)
		default:
			return fmt.Errorf("%s %s: %d %s", method, path, status, raw)
		}
		time.Sleep(backoff) // a client's pause before it tries again
	}
	return fmt.Errorf("%s %s: no answer within %s", method, path, c.deadline())
}

// backoff is the pause between retries after a refusal; a 202 is retried
// at once, since the server itself waits for the result.
const backoff = 50 * time.Millisecond

// Until polls an order until cond holds.
func (c *Client) Until(orderID string, cond func(workflows.OrderState) bool) error {
	deadline := time.Now().Add(c.deadline())
	for time.Now().Before(deadline) {
		status, _, raw, err := c.Exchange("GET", "/api/v1/orders/"+orderID, c.Rep, "", "")
		var o workflows.OrderState
		if err == nil && status == 200 && json.Unmarshal(raw, &o) == nil && cond(o) {
			return nil
		}
		time.Sleep(backoff)
	}
	return fmt.Errorf("order %s did not reach the state within %s", orderID, c.deadline())
}

// Exchange is one HTTP request; transport failures are returned, not fatal.
func (c *Client) Exchange(method, path, token, body, key string) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, c.Base()+path, strings.NewReader(body))
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

func (c *Client) deadline() time.Duration {
	if c.Deadline == 0 {
		return 2 * time.Minute
	}
	return c.Deadline
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Wave runs n sales at once, one per client, over customers in turn, and
// returns how long each sale took and the wave as a whole.
func (c *Client) Wave(n int, customers []string) (sales []time.Duration, elapsed time.Duration, err error) {
	type result struct {
		d   time.Duration
		err error
	}
	results := make(chan result, n)
	start := time.Now()
	for i := range n {
		go func() {
			t0 := time.Now()
			_, err := c.Sale(fmt.Sprintf("W%d-%s", i, randomHex(3)), customers[i%len(customers)], nil)
			results <- result{time.Since(t0), err}
		}()
	}
	for range n {
		r := <-results
		if r.err != nil && err == nil {
			err = r.err
		}
		sales = append(sales, r.d)
	}
	return sales, time.Since(start), err
}

// Percentile is the p-th (0..1) of sorted durations, in milliseconds.
func Percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(float64(len(sorted)-1)*p)].Microseconds()) / 1000
}

// ReportWaves runs b.N waves of clients sales and reports sales/s, how long
// a sale took (p50, p95) and, per sale, the 202s, the 503s and 429s, and
// the dropped connections the clients met.
func ReportWaves(b *testing.B, c *Client, clients int, customers []string) {
	c.Counts = Counts{}
	var all []time.Duration
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		sales, d, err := c.Wave(clients, customers)
		if err != nil {
			b.Fatal(err)
		}
		all, elapsed = append(all, sales...), elapsed+d
	}
	slices.Sort(all)
	n := float64(len(all))
	b.ReportMetric(n/elapsed.Seconds(), "sales/s")
	b.ReportMetric(Percentile(all, 0.5), "sale-p50-ms")
	b.ReportMetric(Percentile(all, 0.95), "sale-p95-ms")
	b.ReportMetric(float64(c.Counts.Accepted202.Load())/n, "202/sale")
	b.ReportMetric(float64(c.Counts.Unavailable503.Load()+c.Counts.Throttled429.Load())/n, "503+429/sale")
	b.ReportMetric(float64(c.Counts.ConnErrors.Load())/n, "dropped/sale")
}
