package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/models"
)

// Stock: every change to a SKU's stock locks the SKU first (lockSKU), then
// reserves, releases or receives inside that transaction, and hands what it
// frees to the SKU's backorder queue (backorder_queue.go) before commit.

// lockedSKU is a SKU whose product row and stock rows this transaction
// holds locked: nobody else reserves, receives or ships it until commit.
type lockedSKU struct {
	product models.Product
	levels  []models.StockLevel // in warehouse order, kept current as this transaction changes them
}

func (l *lockedSKU) free() int64 {
	var n int64
	for _, s := range l.levels {
		n += s.Available()
	}
	return n
}

func (l *lockedSKU) level(warehouse string) *models.StockLevel {
	for i := range l.levels {
		if l.levels[i].WarehouseCode == warehouse {
			return &l.levels[i]
		}
	}
	return nil
}

// putOnHand sets a locked SKU's units on hand at a warehouse, in the
// database and in the lock's copy, creating the stock row on first use.
func (s *Store) putOnHand(ctx context.Context, sku *lockedSKU, warehouse string, onHand int64) error {
	now := s.now()
	if l := sku.level(warehouse); l != nil {
		l.OnHand = onHand
		return s.conn(ctx).Model(&models.StockLevel{}).Where("sku = ? AND warehouse_code = ?", sku.product.SKU, warehouse).
			Updates(map[string]any{"on_hand": onHand, "updated_at": now}).Error
	}
	l := models.StockLevel{SKU: sku.product.SKU, WarehouseCode: warehouse, OnHand: onHand, UpdatedAt: now}
	if err := s.conn(ctx).Create(&l).Error; err != nil {
		return err
	}
	sku.levels = append(sku.levels, l)
	return nil
}

// lockSKU takes a SKU's lock: its product row, then its stock rows in
// warehouse order (FOR UPDATE on Postgres; SQLite transactions already hold
// the database's write lock). Every path that changes a SKU's stock or
// backorders takes it first, in this order, so they serialise per SKU and
// never deadlock.
func (s *Store) lockSKU(ctx context.Context, sku string) (*lockedSKU, error) {
	l := &lockedSKU{}
	if err := s.locking(s.conn(ctx)).Where("sku = ?", sku).Take(&l.product).Error; err != nil {
		return nil, mapErr(err, "product", sku)
	}
	err := s.locking(s.conn(ctx)).Where("sku = ?", sku).Order("warehouse_code").Find(&l.levels).Error
	return l, err
}

// ReserveRequest asks for Qty units of SKU for one order line. Warehouses
// lists preferred locations first; others are used after them. The rest
// describes the line for its backorder, should it fall short.
type ReserveRequest struct {
	OrderID      string
	LineNo       int
	SKU          string
	Qty          int64
	Warehouses   []string
	CustomerID   string
	AllowPartial bool            // false: the order ships complete, so the backorder ships whole
	LineNet      int64           // the line's net amount, minor units
	Currency     models.Currency // of LineNet
	OrderedAt    time.Time
}

type allocationRow struct {
	OrderID    string
	LineNo     int
	SKU        string
	Requested  int64
	Reserved   int64
	CreatedAt  time.Time
	ReleasedAt *time.Time
}

func (allocationRow) TableName() string { return "allocations" }

// Reserve reserves up to Qty units and returns what it got; the rest is
// backordered: a backorder row joins the SKU's queue, with its ETA, in the
// same transaction. It runs once per (order, line): a repeat returns the
// first outcome unchanged, so an activity retry never reserves twice.
//
// Every change to a SKU's stock takes the SKU's lock first (lockSKU), so
// reservations, receipts, releases and shipments of one SKU are serialised
// and no unit is promised twice.
//
// When backorders already wait for the SKU, the new line joins the queue
// with its own priority instead of taking stock a higher-ranked backorder
// is owed (stock held for a ship-whole line stays held).
func (s *Store) Reserve(ctx context.Context, r ReserveRequest) (models.Allocation, error) {
	if r.Qty <= 0 {
		return models.Allocation{}, models.Invalid("qty", "must be positive")
	}
	var out models.Allocation
	err := s.Tx(ctx, func(tx *Store) error {
		sku, err := tx.lockSKU(ctx, r.SKU)
		if err != nil {
			return err
		}
		if a, err := tx.allocation(ctx, r.OrderID, r.LineNo); err == nil {
			out = a
			return nil
		} else if !isNotFound(err) {
			return err
		}
		q, err := tx.queue(ctx, sku)
		if err != nil {
			return err
		}
		now := s.now()
		take := min(sku.free(), r.Qty)
		var cust models.Customer
		if len(q.order) > 0 || take < r.Qty {
			if cust, err = tx.CustomerByID(ctx, r.CustomerID); err != nil {
				return fmt.Errorf("reserve %s line %d: %w", r.OrderID, r.LineNo, err)
			}
		}
		if len(q.order) > 0 && take > 0 {
			// Free stock while others wait is held for a ship-whole line, or
			// too little for any: the new line takes only what the policy
			// gives it among them.
			me := backorderLine(&models.Backorder{ID: models.BackorderID(r.OrderID, r.LineNo), OrderID: r.OrderID, LineNo: r.LineNo,
				CustomerTier: cust.Tier, PromisedAt: leadTimeETA(now, sku.product), OrderedAt: now, QtyShort: r.Qty, AllowPartial: true,
				Status: models.BackorderOpen}, sku.product)
			decisions, left := tx.policy.Allocate(append(q.ranked(tx.policy, sku.product), me), sku.free())
			take = 0
			for _, d := range decisions {
				if d.ID == me.ID {
					take = d.Qty
				}
			}
			picks, err := tx.applyDecisions(ctx, sku, q, decisions, left, me.ID, nil)
			if err != nil {
				return err
			}
			if _, err := tx.recordRun(ctx, sku, fmt.Sprintf("order %s line %d joined the queue", r.OrderID, r.LineNo), true, picks); err != nil {
				return err
			}
		}
		out = models.Allocation{OrderID: r.OrderID, LineNo: r.LineNo, SKU: r.SKU, Requested: r.Qty, Reserved: take}
		if err := tx.conn(ctx).Create(&allocationRow{OrderID: r.OrderID, LineNo: r.LineNo, SKU: r.SKU,
			Requested: r.Qty, Reserved: take, CreatedAt: now}).Error; err != nil {
			return mapErr(err, "allocation", r.OrderID)
		}
		tx.pending.totals.line(r.SKU)
		if out.Parts, err = tx.reserveParts(ctx, sku, r.Warehouses, r.OrderID, r.LineNo, take); err != nil {
			return err
		}
		if take == r.Qty {
			return nil
		}
		if err := tx.createBackorder(ctx, sku, q, r, cust, take); err != nil {
			return err
		}
		// The order's confirmation tells the customer this date; the
		// allocator then has no first date to tell, only changes.
		if out.ETA, err = tx.promisedDate(ctx, r.OrderID, r.LineNo); err != nil {
			return err
		}
		return tx.conn(ctx).Model(&models.Backorder{}).Where("id = ?", models.BackorderID(r.OrderID, r.LineNo)).
			Update("told_eta", out.ETA.UTC()).Error
	})
	return out, err
}

// promisedDate is the date first promised for an order line's backorder.
func (s *Store) promisedDate(ctx context.Context, orderID string, lineNo int) (*time.Time, error) {
	var b models.Backorder
	if err := s.conn(ctx).Select("promised_at").Where("id = ?", models.BackorderID(orderID, lineNo)).Take(&b).Error; err != nil {
		return nil, mapErr(err, "backorder", models.BackorderID(orderID, lineNo))
	}
	return &b.PromisedAt, nil
}

// reserveParts reserves qty units for an order line from the SKU's stock,
// preferred warehouses first, then the fullest (fewest splits), and writes
// the reservations and stock rows. The locked levels are updated in place.
func (s *Store) reserveParts(ctx context.Context, sku *lockedSKU, prefer []string, orderID string, lineNo int, qty int64) ([]models.Reservation, error) {
	if qty <= 0 {
		return nil, nil
	}
	order := make([]int, len(sku.levels))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		la, lb := sku.levels[a], sku.levels[b]
		if pa, pb := preference(prefer, la.WarehouseCode), preference(prefer, lb.WarehouseCode); pa != pb {
			return pa - pb
		}
		return cmp.Compare(lb.Available(), la.Available()) // ties stay in warehouse order
	})
	now := s.now()
	var parts []models.Reservation
	left := qty
	for _, i := range order {
		l := &sku.levels[i]
		take := min(l.Available(), left)
		if take <= 0 {
			continue
		}
		p := models.Reservation{ID: NewID(), OrderID: orderID, LineNo: lineNo, SKU: l.SKU,
			WarehouseCode: l.WarehouseCode, Qty: take, Status: models.ReservationActive, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Create(&p).Error; err != nil {
			return nil, err
		}
		if err := s.conn(ctx).Model(&models.StockLevel{}).Where("sku = ? AND warehouse_code = ?", l.SKU, l.WarehouseCode).
			Updates(map[string]any{"reserved": gorm.Expr("reserved + ?", take), "updated_at": now}).Error; err != nil {
			return nil, err
		}
		l.Reserved += take
		left -= take
		parts = append(parts, p)
	}
	if left > 0 {
		return nil, fmt.Errorf("store: %s: %d units short of the free stock counted under lock", orderID, left)
	}
	return parts, nil
}

// Release frees a line's active reservations (an order or line cancelled)
// and cancels what of its backorder still waits; the freed stock goes to
// the backorders waiting for it. Releasing again does nothing. It returns
// how many units went back.
func (s *Store) Release(ctx context.Context, orderID string, lineNo int) (int64, error) {
	var freed int64
	err := s.Tx(ctx, func(tx *Store) error {
		a, err := tx.allocation(ctx, orderID, lineNo)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		sku, err := tx.lockSKU(ctx, a.SKU)
		if err != nil {
			return err
		}
		var active []models.Reservation
		if err := tx.conn(ctx).Where("order_id = ? AND line_no = ? AND status = ?", orderID, lineNo, models.ReservationActive).
			Order("id").Find(&active).Error; err != nil {
			return err
		}
		now := s.now()
		res := tx.conn(ctx).Model(&allocationRow{}).Where("order_id = ? AND line_no = ? AND released_at IS NULL", orderID, lineNo).
			Update("released_at", now)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // released before: nothing more to do
		}
		for _, r := range active {
			if err := tx.conn(ctx).Model(&models.StockLevel{}).Where("sku = ? AND warehouse_code = ?", r.SKU, r.WarehouseCode).
				Updates(map[string]any{"reserved": gorm.Expr("reserved - ?", r.Qty), "updated_at": now}).Error; err != nil {
				return err
			}
			if err := tx.conn(ctx).Model(&models.Reservation{}).Where("id = ?", r.ID).
				Updates(map[string]any{"status": models.ReservationReleased, "updated_at": now}).Error; err != nil {
				return err
			}
			sku.level(r.WarehouseCode).Reserved -= r.Qty
			freed += r.Qty
		}
		if err := tx.cancelBackorder(ctx, models.BackorderID(orderID, lineNo)); err != nil {
			return err
		}
		_, err = tx.allocateWaiting(ctx, sku, fmt.Sprintf("released by order %s line %d", orderID, lineNo), true, nil)
		return err
	})
	return freed, err
}

// Receipt is goods received into a warehouse.
type Receipt struct {
	Key           string // unique per receipt: a retry with the same key counts once
	SKU           string
	Warehouse     string
	Qty           int64
	ReceivedBy    string
	SupplyOrderID string // the purchase or production order it arrives against, if any
	CloseShort    bool   // the supply order delivers no more: close it even if short
}

// Receive adds received units to on-hand stock, once per receipt key, and
// hands them to waiting backorders by priority in the same transaction. A
// repeat of a key returns the first result, marked Replayed.
func (s *Store) Receive(ctx context.Context, r Receipt) (models.ReceiptResult, error) {
	var v models.Validator
	v.Check(r.Key != "", "key", "is required")
	v.Check(r.Qty > 0, "qty", "must be positive")
	v.Check(r.Warehouse != "", "warehouse", "is required")
	if err := v.Err(); err != nil {
		return models.ReceiptResult{}, err
	}
	var out models.ReceiptResult
	err := s.Tx(ctx, func(tx *Store) error {
		sku, err := tx.lockSKU(ctx, r.SKU)
		if err != nil {
			return err
		}
		// A delivery's reference is the supplier's (a packing slip, an ASN),
		// and one slip can cover several SKUs: the key is (SKU, reference).
		// Rows from before that carried the bare reference; they still answer
		// for their own SKU.
		var prev []struct {
			Result, WarehouseCode, SupplyOrderID string
			Qty                                  int64
		}
		if err := tx.conn(ctx).Raw(`SELECT result, warehouse_code, supply_order_id, qty FROM receipts WHERE sku = ? AND receipt_key IN (?, ?)`,
			r.SKU, receiptKey(r), r.Key).Scan(&prev).Error; err != nil {
			return err
		}
		if len(prev) > 0 {
			p := prev[0]
			if p.Qty != r.Qty || p.WarehouseCode != r.Warehouse || p.SupplyOrderID != r.SupplyOrderID {
				return models.Conflict("delivery %q of %s was received already as %d into %s (supply order %q); this one says %d into %s (supply order %q)",
					r.Key, r.SKU, p.Qty, p.WarehouseCode, p.SupplyOrderID, r.Qty, r.Warehouse, r.SupplyOrderID)
			}
			out.Replayed = true
			return json.Unmarshal([]byte(p.Result), &out)
		}
		now := s.now()
		if err := tx.conn(ctx).Exec(`INSERT INTO receipts (id, receipt_key, sku, warehouse_code, qty, received_by, supply_order_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, NewID(), receiptKey(r), r.SKU, r.Warehouse, r.Qty, r.ReceivedBy, r.SupplyOrderID, now).Error; err != nil {
			return notFoundField(err, "warehouse")
		}
		onHand := r.Qty
		if l := sku.level(r.Warehouse); l != nil {
			onHand += l.OnHand
		}
		if err := tx.putOnHand(ctx, sku, r.Warehouse, onHand); err != nil {
			return err
		}
		if r.SupplyOrderID != "" {
			if err := tx.receiveAgainstSupply(ctx, r); err != nil {
				return err
			}
		}
		run, err := tx.allocateWaiting(ctx, sku, "receipt "+r.Key, true, []string{r.Warehouse})
		if err != nil {
			return err
		}
		out = models.ReceiptResult{Key: r.Key, SKU: r.SKU, Warehouse: r.Warehouse, Qty: r.Qty, Run: run, Free: sku.free()}
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if err := tx.conn(ctx).Exec(`UPDATE receipts SET result = ? WHERE receipt_key = ?`, string(raw), receiptKey(r)).Error; err != nil {
			return err
		}
		// Last: the audit chain's lock is held from here to the commit.
		ref := "receipt/" + receiptKey(r)
		return tx.AppendAudit(ctx, models.AuditEvent{Actor: r.ReceivedBy, Action: "stock.receive", Entity: "stock", EntityID: r.SKU + "@" + r.Warehouse,
			Detail: fmt.Sprintf("%d units, delivery %s, supply order %q", r.Qty, r.Key, r.SupplyOrderID), Ref: &ref})
	})
	return out, err
}

// receiptKey is a receipt's unique key: its SKU and the delivery's reference.
func receiptKey(r Receipt) string { return r.SKU + "/" + r.Key }

// receiveAgainstSupply counts a receipt against its supply order and closes
// the order when it is complete or closed short.
func (s *Store) receiveAgainstSupply(ctx context.Context, r Receipt) error {
	var o models.SupplyOrder
	if err := s.conn(ctx).Where("id = ?", r.SupplyOrderID).Take(&o).Error; err != nil {
		return notFoundField(err, "supply_order_id")
	}
	if o.SKU != r.SKU {
		return models.Invalid("supply_order_id", "is an order for %s, not %s", o.SKU, r.SKU)
	}
	if o.Status != models.SupplyOpen {
		return models.Conflict("supply order %s is %s", o.ID, o.Status)
	}
	now := s.now()
	upd := map[string]any{"received_qty": o.ReceivedQty + r.Qty, "updated_at": now}
	if o.ReceivedQty+r.Qty >= o.Qty || r.CloseShort {
		upd["status"], upd["received_at"] = models.SupplyReceived, now
	}
	return s.conn(ctx).Model(&models.SupplyOrder{}).Where("id = ?", o.ID).Updates(upd).Error
}

func (s *Store) allocation(ctx context.Context, orderID string, lineNo int) (models.Allocation, error) {
	var row allocationRow
	if err := s.conn(ctx).Where("order_id = ? AND line_no = ?", orderID, lineNo).Take(&row).Error; err != nil {
		return models.Allocation{}, mapErr(err, "allocation", orderID)
	}
	// The allocation row counts units reserved since, for backorders, too;
	// the outcome of the order's own reservation is what was not short.
	var filled []int64
	if err := s.conn(ctx).Model(&models.Backorder{}).Where("order_id = ? AND line_no = ?", orderID, lineNo).Pluck("qty_filled", &filled).Error; err != nil {
		return models.Allocation{}, err
	}
	a := models.Allocation{OrderID: row.OrderID, LineNo: row.LineNo, SKU: row.SKU, Requested: row.Requested, Reserved: row.Reserved}
	if len(filled) == 1 {
		a.Reserved -= filled[0]
		eta, err := s.promisedDate(ctx, orderID, lineNo)
		if err != nil {
			return models.Allocation{}, err
		}
		a.ETA = eta
	}
	err := s.conn(ctx).Where("order_id = ? AND line_no = ?", orderID, lineNo).Order("id").Find(&a.Parts).Error
	return a, err
}

func preference(order []string, wh string) int {
	if i := slices.Index(order, wh); i >= 0 {
		return i
	}
	return len(order)
}

// OrderReservations lists what an order holds now: its active
// reservations, by line and warehouse.
func (s *Store) OrderReservations(ctx context.Context, orderID string) ([]models.Reservation, error) {
	out := []models.Reservation{}
	err := s.conn(ctx).Where("order_id = ? AND status = ?", orderID, models.ReservationActive).Order("line_no").Order("warehouse_code").Find(&out).Error
	return out, err
}

// ActiveReservations lists a SKU's active reservations.
func (s *Store) ActiveReservations(ctx context.Context, sku string) ([]models.Reservation, error) {
	var rs []models.Reservation
	err := s.conn(ctx).Where("sku = ? AND status = ?", sku, models.ReservationActive).Order("id").Find(&rs).Error
	return rs, err
}

// notFoundField turns "x does not exist" into invalid input naming field:
// the caller referred to something that is not there.
func notFoundField(err error, field string) error {
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, gorm.ErrForeignKeyViolated) {
		return models.Invalid(field, "does not exist")
	}
	return mapErr(err, field, "")
}
