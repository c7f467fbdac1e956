package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// The queue cache keeps a SKU's waiting backorders in memory between the
// transactions that use them, so a receipt over 10,000 waiting backorders
// does not read and decode them all again (most of its time).
//
// A cached queue is never trusted by itself. Every transaction that changes
// a SKU's backorders gives the SKU's product row a new random queue token,
// in the same transaction and under the SKU's lock, and a cached queue is
// used only when its token is the one the database holds now. After it
// commits, a transaction publishes its queue under its token only when
// that queue saw every change it made; one that changed backorders any
// other way (a cancellation) publishes nothing, and the next user reads
// the rows. Each process keeps its own cache; a token can only name what
// the transaction that drew it committed, so a restored database or
// another process's writes are a miss, never a wrong queue.

// queueCacheMinRows is the smallest queue worth keeping (smaller ones read
// in a millisecond or two); queueCacheMaxRows bounds the rows kept in all
// (about 400 bytes each).
var (
	queueCacheMinRows = 500
	queueCacheMaxRows = 100_000
	queueCacheVerify  = false
)

// VerifyQueueCache(true) makes the cache keep queues of any size and check
// every queue it serves against the rows read again: tests turn it on
// (package testdb), so every workload they run (the oversell and fault
// suites among them) checks the cache, and a queue that differs fails its
// transaction. Benchmarks leave it off. Call it before any store is used.
func VerifyQueueCache(on bool) {
	queueCacheMinRows, queueCacheVerify = 500, false
	if on {
		queueCacheMinRows, queueCacheVerify = 1, true
	}
}

// queueCache is one process's cached queues by SKU.
type queueCache struct {
	mu      sync.Mutex
	entries map[string]cachedQueue
	rows    int
}

// cachedQueue is a published queue. Its rows belonged to the transaction
// that published it and are never written again: a transaction that uses
// them copies them first.
type cachedQueue struct {
	token string
	rows  []*models.Backorder // waiting, in the order of their last ranking
}

func newQueueCache() *queueCache { return &queueCache{entries: map[string]cachedQueue{}} }

func (c *queueCache) get(sku, token string) ([]*models.Backorder, bool) {
	if c == nil || token == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[sku]
	if !ok || e.token != token {
		return nil, false
	}
	return e.rows, true
}

// put keeps rows under token, dropping other queues while over the bound.
func (c *queueCache) put(sku, token string, rows []*models.Backorder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rows -= len(c.entries[sku].rows)
	c.entries[sku] = cachedQueue{token: token, rows: rows}
	c.rows += len(rows)
	for other, e := range c.entries {
		if c.rows <= queueCacheMaxRows {
			break
		}
		if other != sku {
			delete(c.entries, other)
			c.rows -= len(e.rows)
		}
	}
}

// txQueue is what one transaction did with a SKU's queue.
type txQueue struct {
	q       *skuQueue // as read in this transaction and kept current by it
	token   string    // the SKU's queue token when q was read
	changed bool      // this transaction wrote backorders of the SKU
	stale   bool      // ... in a way q does not show (read the rows again)
}

// queueOf is the transaction's record of a SKU's queue.
func (w *txWrites) queueOf(sku string) *txQueue {
	tq := w.queues[sku]
	if tq == nil {
		tq = &txQueue{}
		w.queues[sku] = tq
	}
	return tq
}

// changedQueue notes that this transaction wrote a backorder of sku
// through its queue (the queue shows the change).
func (s *Store) changedQueue(sku string) { s.mustPending().queueOf(sku).changed = true }

// staleQueue notes a write to sku's backorders that its queue does not show.
func (s *Store) staleQueue(sku string) {
	tq := s.mustPending().queueOf(sku)
	tq.changed, tq.stale = true, true
}

func (s *Store) mustPending() *txWrites {
	if s.pending == nil {
		panic("store: a backorder written outside a transaction would leave its queue token and the KPIs' totals behind")
	}
	return s.pending
}

// queue is the SKU's waiting backorders: the one this transaction already
// holds, else the cached one if its token is current, else read. A nested
// transaction always reads: the transaction around it may have changed
// the SKU's backorders without having drawn its new token yet.
func (s *Store) queue(ctx context.Context, sku *lockedSKU) (*skuQueue, error) {
	name := sku.product.SKU
	tq := s.mustPending().queueOf(name)
	if tq.q != nil && !tq.stale {
		return tq.q, nil
	}
	if !tq.changed && !s.pending.nested {
		if err := s.conn(ctx).Raw(`SELECT queue_token FROM products WHERE sku = ?`, name).Scan(&tq.token).Error; err != nil {
			return nil, err
		}
		if rows, ok := s.queues.get(name, tq.token); ok {
			q := cachedSKUQueue(rows)
			if queueCacheVerify {
				if err := s.verifyCachedQueue(ctx, sku, q); err != nil {
					return nil, err
				}
			}
			tq.q = q
			return q, nil
		}
	}
	q, err := s.readQueue(ctx, sku)
	if err != nil {
		return nil, err
	}
	tq.q, tq.stale = q, false
	return q, nil
}

// cachedSKUQueue is a transaction's own copy of a cached queue.
func cachedSKUQueue(rows []*models.Backorder) *skuQueue {
	own := make([]models.Backorder, len(rows))
	q := &skuQueue{rows: make(map[string]*models.Backorder, len(own)), order: make([]*models.Backorder, 0, len(own))}
	for i, b := range rows {
		own[i] = *b
		q.add(&own[i])
	}
	return q
}

// snapshot is q's waiting rows, in q's order, for the cache: the
// transaction's own rows, which nothing writes once it has committed.
func (q *skuQueue) snapshot() []*models.Backorder {
	out := make([]*models.Backorder, 0, len(q.order))
	for _, b := range q.order {
		if b.IsWaiting() {
			out = append(out, b)
		}
	}
	return out
}

// settleQueues runs at the end of a transaction: each SKU whose backorders
// it wrote gets a new queue token, in SKU order (their product rows are
// already locked by it). It returns what to publish once committed.
func (s *Store) settleQueues(ctx context.Context) (publish func(), err error) {
	type entry struct {
		sku, token string
		rows       []*models.Backorder
	}
	var out []entry
	skus := make([]string, 0, len(s.pending.queues))
	for sku := range s.pending.queues {
		skus = append(skus, sku)
	}
	sort.Strings(skus)
	for _, sku := range skus {
		tq := s.pending.queues[sku]
		token := tq.token
		if tq.changed {
			token = newQueueToken()
			if err := s.conn(ctx).Exec(`UPDATE products SET queue_token = ? WHERE sku = ?`, token, sku).Error; err != nil {
				return nil, err
			}
		}
		if tq.q == nil || tq.stale || token == "" {
			continue
		}
		if rows := tq.q.snapshot(); len(rows) >= queueCacheMinRows {
			out = append(out, entry{sku, token, rows})
		}
	}
	return func() {
		for _, e := range out {
			s.queues.put(e.sku, e.token, e.rows)
		}
	}, nil
}

func newQueueToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b)
}

// verifyCachedQueue reads the queue again and compares it with the cached one.
func (s *Store) verifyCachedQueue(ctx context.Context, sku *lockedSKU, cached *skuQueue) error {
	fresh, err := s.readQueue(ctx, sku)
	if err != nil {
		return err
	}
	if got, want := queueText(cached), queueText(fresh); !slices.Equal(got, want) {
		return fmt.Errorf("store: the cached queue of %s is not the one in the database:\ncached %v\n  rows %v", sku.product.SKU, got, want)
	}
	return nil
}

// queueText is a queue's rows as text, by id, times to the microsecond in UTC.
func queueText(q *skuQueue) []string {
	t := func(x time.Time) string { return micros(x).UTC().Format(time.RFC3339Nano) }
	var out []string
	for _, b := range q.order {
		if !b.IsWaiting() {
			continue
		}
		out = append(out, fmt.Sprint(b.ID, b.OrderID, b.LineNo, b.CustomerName, b.CustomerTier, b.QtyOrdered, b.QtyShort, b.QtyFilled,
			b.QtyCancelled, b.AllowPartial, b.Skips, b.Status, b.Currency, b.LineNet, b.ValueOpen, t(b.PromisedAt), t(b.ETA), b.ETASource,
			b.ETARef, b.Supplier, t(b.OrderedAt), t(b.CreatedAt), b.Rev, b.SKU))
	}
	sort.Strings(out)
	return out
}
