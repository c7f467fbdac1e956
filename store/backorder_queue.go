package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/backorder"
	"github.com/q2c-dev/q2c/models"
)

// skuQueue is a SKU's waiting backorders, read under its lock.
type skuQueue struct {
	rows  map[string]*models.Backorder
	order []*models.Backorder // as read, then in the order of the last ranking
}

var waitingStatuses = []string{models.BackorderOpen, models.BackorderPartiallyFilled}

// queueColumns are what ranking, filling and planning a queue read, in
// the order queue scans them.
const queueColumns = "id, order_id, line_no, customer_name, customer_tier, qty_ordered, qty_short, qty_filled, qty_cancelled, " +
	"allow_partial, skips, status, currency, line_net, value_open, promised_at, eta, eta_source, eta_ref, supplier, ordered_at, created_at, rev"

// readQueue reads the SKU's waiting backorders. It scans each row's
// columns straight into place: through gorm's reflection, reading 10,000
// waiting rows took 88 ms of a receipt's 150.
func (s *Store) readQueue(ctx context.Context, sku *lockedSKU) (*skuQueue, error) {
	rows, err := s.conn(ctx).Raw(`SELECT `+queueColumns+` FROM backorders WHERE sku = ? AND status IN ?`, // unordered: each use ranks them by the policy (a total order)
		sku.product.SKU, waitingStatuses).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	q := &skuQueue{rows: map[string]*models.Backorder{}}
	var slab []models.Backorder // rows allocated 256 at a time, not one by one
	for rows.Next() {
		if len(slab) == 0 {
			slab = make([]models.Backorder, 256)
		}
		b := &slab[0]
		slab = slab[1:]
		b.SKU = sku.product.SKU
		if err := rows.Scan(&b.ID, &b.OrderID, &b.LineNo, &b.CustomerName, &b.CustomerTier, &b.QtyOrdered, &b.QtyShort, &b.QtyFilled,
			&b.QtyCancelled, &b.AllowPartial, &b.Skips, &b.Status, &b.Currency, &b.LineNet, &b.ValueOpen, &b.PromisedAt, &b.ETA,
			&b.ETASource, &b.ETARef, &b.Supplier, &b.OrderedAt, &b.CreatedAt, &b.Rev); err != nil {
			return nil, err
		}
		q.add(b)
	}
	return q, rows.Err()
}

func (q *skuQueue) add(b *models.Backorder) {
	q.rows[b.ID] = b
	q.order = append(q.order, b)
}

// waiting are the backorders still waiting, in the order of the last
// ranking: ranking them again after an allocation run then finds them
// (nearly) sorted and takes one pass, where sorting 10,000 lines from
// scratch took a sixth of a receipt.
func (q *skuQueue) waiting() []*models.Backorder {
	out := make([]*models.Backorder, 0, len(q.order))
	for _, b := range q.order {
		if b.IsWaiting() && b.Waiting() > 0 {
			out = append(out, b)
		}
	}
	return out
}

// linesOf is the rule's view of rows, in their order.
func linesOf(rows []*models.Backorder, p models.Product) []backorder.Line {
	out := make([]backorder.Line, len(rows))
	for i, b := range rows {
		out[i] = backorderLine(b, p)
	}
	return out
}

// ranked returns the waiting lines in the policy's order and remembers it.
func (q *skuQueue) ranked(policy backorder.Policy, p models.Product) []backorder.Line {
	lines := policy.Sort(linesOf(q.waiting(), p))
	q.order = q.order[:0]
	for _, l := range lines {
		q.order = append(q.order, q.rows[l.ID])
	}
	return lines
}

func backorderLine(b *models.Backorder, p models.Product) backorder.Line {
	return backorder.Line{ID: b.ID, OrderID: b.OrderID, LineNo: b.LineNo, Tier: b.CustomerTier, PromisedDate: b.PromisedAt,
		OrderedAt: b.OrderedAt, Value: b.ValueOpen, Short: b.Waiting(), AllowPartial: b.AllowPartial, Skips: b.Skips,
		LeadTimeETA: leadTimeETA(b.OrderedAt, p)}
}

func leadTimeETA(orderedAt time.Time, p models.Product) time.Time {
	return orderedAt.AddDate(0, 0, p.LeadTimeDays)
}

// allocateWaiting hands the SKU's free stock to its waiting backorders by
// the policy, records a pick list when anything was allocated, and
// recomputes the ETAs of those still waiting. prefer lists the warehouses
// to reserve from first (where stock just arrived).
//
// once says the trigger happens once (a reservation, a release, a
// receipt): the run's id then derives from it (runID), so the same change
// applied again after a restore (package reconcile) records the run its
// announcement in Temporal's history names, and no pick list goes twice.
func (s *Store) allocateWaiting(ctx context.Context, sku *lockedSKU, trigger string, once bool, prefer []string) (*models.AllocationRun, error) {
	q, err := s.queue(ctx, sku)
	if err != nil || len(q.order) == 0 {
		return nil, err
	}
	decisions, left := s.policy.Allocate(q.ranked(s.policy, sku.product), sku.free())
	picks, err := s.applyDecisions(ctx, sku, q, decisions, left, "", prefer)
	if err != nil {
		return nil, err
	}
	run, err := s.recordRun(ctx, sku, trigger, once, picks)
	if err != nil {
		return nil, err
	}
	return run, s.replan(ctx, sku, q, nil)
}

// recordRun keeps a pick list for the SKU's allocator to send; no picks, no
// run. A trigger that happens once names its run (allocateWaiting).
func (s *Store) recordRun(ctx context.Context, sku *lockedSKU, trigger string, once bool, picks []models.Pick) (*models.AllocationRun, error) {
	if len(picks) == 0 {
		return nil, nil
	}
	id := NewID()
	if once {
		id = runID(sku.product.SKU, trigger)
	}
	run := &models.AllocationRun{ID: id, SKU: sku.product.SKU, Trigger: trigger, Picks: picks}
	raw, err := json.Marshal(picks)
	if err != nil {
		return nil, err
	}
	return run, s.conn(ctx).Exec(`INSERT INTO allocation_runs (id, sku, trigger, picks, created_at) VALUES (?, ?, ?, ?, ?)`,
		run.ID, run.SKU, trigger, string(raw), s.now()).Error
}

// applyDecisions carries out an allocation run: units reserved for each
// backorder that gets some, skips counted for ship-whole lines passed over,
// and every decision recorded with its reason. except names a line the
// caller handles itself (a new order joining the queue). It returns the
// pick list.
func (s *Store) applyDecisions(ctx context.Context, sku *lockedSKU, q *skuQueue, decisions []backorder.Decision, left int64, except string, prefer []string) ([]models.Pick, error) {
	var picks []models.Pick
	now := s.now()
	for _, d := range decisions {
		b := q.rows[d.ID]
		if d.ID == except || b == nil {
			continue
		}
		switch {
		case d.Qty > 0:
			parts, err := s.reserveParts(ctx, sku, prefer, b.OrderID, b.LineNo, d.Qty)
			if err != nil {
				return nil, err
			}
			if err := s.conn(ctx).Model(&allocationRow{}).Where("order_id = ? AND line_no = ?", b.OrderID, b.LineNo).
				Update("reserved", gorm.Expr("reserved + ?", d.Qty)).Error; err != nil {
				return nil, err
			}
			s.noteBackorder(b, nil)
			s.changedQueue(b.SKU)
			b.QtyFilled += d.Qty
			b.Status = models.BackorderPartiallyFilled
			if b.Waiting() == 0 {
				b.Status, b.FilledAt = models.BackorderAllocated, &now
			}
			b.ValueOpen = b.WaitingValue(b.Waiting())
			b.Rev++
			if err := s.conn(ctx).Model(&models.Backorder{}).Where("id = ?", b.ID).Updates(map[string]any{
				"qty_filled": b.QtyFilled, "status": b.Status, "filled_at": b.FilledAt, "value_open": b.ValueOpen, "rev": b.Rev, "updated_at": now,
			}).Error; err != nil {
				return nil, err
			}
			s.noteBackorder(nil, b)
			if err := s.addEvent(ctx, b.ID, models.BackorderEventAllocated, "system", d.Qty, d.Reason); err != nil {
				return nil, err
			}
			for _, p := range parts {
				picks = append(picks, models.Pick{Rank: d.Rank, BackorderID: b.ID, OrderID: b.OrderID, LineNo: b.LineNo, Customer: b.CustomerName,
					Tier: b.CustomerTier, Warehouse: p.WarehouseCode, Qty: p.Qty, Reason: d.Reason})
			}
		case d.PassedOver:
			s.changedQueue(b.SKU)
			b.Skips++
			if err := s.conn(ctx).Model(&models.Backorder{}).Where("id = ?", b.ID).Updates(map[string]any{"skips": b.Skips, "updated_at": now}).Error; err != nil {
				return nil, err
			}
			if err := s.addEvent(ctx, b.ID, models.BackorderEventPassedOver, "system", 0, d.Reason); err != nil {
				return nil, err
			}
		case d.Held && left > 0:
			if err := s.addEvent(ctx, b.ID, models.BackorderEventHeld, "system", left, d.Reason); err != nil {
				return nil, err
			}
		}
	}
	return picks, nil
}

// createBackorder puts a line's shortfall in the SKU's queue. Its promised
// date is the first ETA it gets, which is what the customer is told.
func (s *Store) createBackorder(ctx context.Context, sku *lockedSKU, q *skuQueue, r ReserveRequest, cust models.Customer, reserved int64) error {
	now := s.now()
	currency := r.Currency
	if currency == "" {
		currency = cust.Currency
	}
	b := &models.Backorder{ID: models.BackorderID(r.OrderID, r.LineNo), OrderID: r.OrderID, LineNo: r.LineNo, CustomerID: cust.ID,
		CustomerName: cust.Name, CustomerTier: cust.Tier, Region: cust.Region, SKU: r.SKU, QtyOrdered: r.Qty, QtyShort: r.Qty - reserved,
		AllowPartial: r.AllowPartial, Status: models.BackorderOpen, Currency: currency, LineNet: r.LineNet, OrderedAt: orNow(r.OrderedAt, now),
		CreatedAt: now, UpdatedAt: now, Rev: 1}
	b.ValueOpen = b.WaitingValue(b.QtyShort)
	// Until it has an ETA it ranks as promised at the supplier's lead time.
	b.PromisedAt = leadTimeETA(b.OrderedAt, sku.product)
	q.add(b)
	return s.replan(ctx, sku, q, b)
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

// replan gives every waiting backorder of the SKU its ETA from free stock,
// open supply and lead time (backorder.PlanETAs), and records each change.
// fresh is a backorder not yet written: it is inserted with its first ETA
// as its promised date.
func (s *Store) replan(ctx context.Context, sku *lockedSKU, q *skuQueue, fresh *models.Backorder) error {
	var supply []models.SupplyOrder
	if err := s.conn(ctx).Where("sku = ? AND status = ?", sku.product.SKU, models.SupplyOpen).Order("expected_at, id").Find(&supply).Error; err != nil {
		return err
	}
	lots := make([]backorder.Lot, 0, len(supply))
	for _, o := range supply {
		lots = append(lots, backorder.Lot{Ref: o.ID, Supplier: supplierOf(o, sku.product), Qty: max(o.Qty-o.ReceivedQty, 0), ETA: o.ExpectedAt})
	}
	now := s.now()
	var moved []etaChange
	var events []models.BackorderEvent
	waiting := q.waiting()
	for i, e := range s.policy.PlanETAs(linesOf(waiting, sku.product), sku.free(), lots, now) {
		b := waiting[i]
		if b.ID != e.ID { // the plan ranked the lines itself: they were out of order
			b = q.rows[e.ID]
		}
		eta := e.ETA.UTC().Truncate(time.Second)
		if e.Source == backorder.SourceLeadTime {
			e.Supplier = sku.product.Supplier
		}
		if b == fresh {
			b.ETA, b.PromisedAt, b.ETASource, b.ETARef, b.Supplier = eta, eta, e.Source, e.Ref, e.Supplier
			if err := s.conn(ctx).Create(b).Error; err != nil {
				return mapErr(err, "backorder", b.ID)
			}
			s.noteBackorder(nil, b)
			s.changedQueue(b.SKU)
			detail := fmt.Sprintf("%d of %d short; ETA %s from %s", b.QtyShort, b.QtyOrdered, eta.Format(time.DateOnly), e.Source)
			if err := s.addEvent(ctx, b.ID, models.BackorderEventCreated, "system", b.QtyShort, detail); err != nil {
				return err
			}
			continue
		}
		if b.ETA.Equal(eta) && b.ETASource == e.Source && b.ETARef == e.Ref {
			continue
		}
		if !b.ETA.Equal(eta) {
			b.Rev++
			events = append(events, models.BackorderEvent{ID: NewID(), BackorderID: b.ID, At: now, Kind: models.BackorderEventETAChanged, Actor: "system",
				Detail: fmt.Sprintf("ETA %s -> %s (%s %s)", b.ETA.Format(time.DateOnly), eta.Format(time.DateOnly), e.Source, e.Ref)})
		}
		s.noteBackorder(b, nil)
		s.changedQueue(b.SKU)
		b.ETA, b.ETASource, b.ETARef, b.Supplier = eta, e.Source, e.Ref, e.Supplier
		s.noteBackorder(nil, b)
		moved = append(moved, etaChange{b.ID, eta, e.Source, e.Ref, e.Supplier, b.Rev})
	}
	if err := s.updateETAs(ctx, moved, now); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(events, 500).Error
}

type etaChange struct {
	id, eta               any
	source, ref, supplier string
	rev                   int
}

// updateETAs writes many backorders' new ETAs in a few statements, 500 rows each.
func (s *Store) updateETAs(ctx context.Context, moved []etaChange, now time.Time) error {
	row := "(?, ?, ?, ?, ?, CAST(? AS INTEGER))"
	if s.dialect == Postgres { // parameters in VALUES are text unless told otherwise
		row = "(?, CAST(? AS TIMESTAMPTZ), ?, ?, ?, CAST(? AS INTEGER))"
	}
	for len(moved) > 0 {
		n := min(len(moved), 500)
		rows := make([]string, n)
		args := make([]any, 0, 6*n+1)
		for i, m := range moved[:n] {
			rows[i] = row
			args = append(args, m.id, m.eta, m.source, m.ref, m.supplier, m.rev)
		}
		args = append(args, now)
		sql := `WITH v(id, eta, source, ref, supplier, rev) AS (VALUES ` + strings.Join(rows, ", ") + `)
			UPDATE backorders SET eta = v.eta, eta_source = v.source, eta_ref = v.ref, supplier = v.supplier,
			rev = v.rev, updated_at = ? FROM v WHERE backorders.id = v.id`
		if err := s.conn(ctx).Exec(sql, args...).Error; err != nil {
			return err
		}
		moved = moved[n:]
	}
	return nil
}

func supplierOf(o models.SupplyOrder, p models.Product) string {
	switch {
	case o.Supplier != "":
		return o.Supplier
	case o.Kind == models.SupplyProduction:
		return "production"
	}
	return p.Supplier
}

// replanSKU recomputes a locked SKU's ETAs after its supply changed.
func (s *Store) replanSKU(ctx context.Context, sku *lockedSKU) error {
	q, err := s.queue(ctx, sku)
	if err != nil || len(q.order) == 0 {
		return err
	}
	return s.replan(ctx, sku, q, nil)
}

// cancelBackorder takes a cancelled line out of the queue; what it had been
// given is released with the line's other reservations.
func (s *Store) cancelBackorder(ctx context.Context, id string) error {
	var b models.Backorder
	err := s.conn(ctx).Where("id = ?", id).Take(&b).Error
	if isNotFound(mapErr(err, "", "")) || b.Status == models.BackorderShipped || b.Status == models.BackorderCancelled {
		return nil
	}
	if err != nil {
		return err
	}
	waiting, before := b.Waiting(), b
	b.Status, b.QtyCancelled, b.ValueOpen, b.Rev = models.BackorderCancelled, b.QtyCancelled+waiting, 0, b.Rev+1
	if err := s.conn(ctx).Model(&models.Backorder{}).Where("id = ?", id).Updates(map[string]any{
		"status": b.Status, "qty_cancelled": b.QtyCancelled, "value_open": b.ValueOpen, "rev": b.Rev, "updated_at": s.now(),
	}).Error; err != nil {
		return err
	}
	s.noteBackorder(&before, &b)
	s.staleQueue(b.SKU) // the queue, if this transaction holds one, still shows it waiting
	return s.addEvent(ctx, id, models.BackorderEventCancelled, "system", waiting, fmt.Sprintf("order line cancelled with %d still waiting", waiting))
}

// shipBackorder records a shipment of a backordered line; the backorder is
// shipped once nothing of it waits and nothing reserved is left to ship.
func (s *Store) shipBackorder(ctx context.Context, orderID string, lineNo int, qty int64) error {
	var b models.Backorder
	err := s.conn(ctx).Where("id = ?", models.BackorderID(orderID, lineNo)).Take(&b).Error
	if isNotFound(mapErr(err, "", "")) || b.Status == models.BackorderCancelled || b.Status == models.BackorderShipped {
		return nil
	}
	if err != nil {
		return err
	}
	var active int64
	if err := s.conn(ctx).Model(&models.Reservation{}).Where("order_id = ? AND line_no = ? AND status = ?", orderID, lineNo, models.ReservationActive).
		Count(&active).Error; err != nil {
		return err
	}
	if b.Status == models.BackorderAllocated && active == 0 {
		before := b
		b.Status, b.Rev = models.BackorderShipped, b.Rev+1
		if err := s.conn(ctx).Model(&models.Backorder{}).Where("id = ?", b.ID).
			Updates(map[string]any{"status": b.Status, "rev": b.Rev, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		s.noteBackorder(&before, &b)
	}
	return s.addEvent(ctx, b.ID, models.BackorderEventShipped, "system", qty, fmt.Sprintf("%d shipped", qty))
}

func (s *Store) addEvent(ctx context.Context, backorderID, kind, actor string, qty int64, detail string) error {
	return s.conn(ctx).Create(&models.BackorderEvent{ID: NewID(), BackorderID: backorderID, At: s.now(), Kind: kind, Actor: actor, Qty: qty, Detail: detail}).Error
}

// runID is the id of the run a once-only trigger records.
func runID(sku, trigger string) string {
	sum := sha256.Sum256([]byte(sku + "\x00" + trigger))
	return "run-" + hex.EncodeToString(sum[:12])
}
