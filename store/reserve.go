package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/models"
)

// ReserveRequest asks for Qty units of SKU for one order line. Warehouses
// lists preferred locations first; others are used after them.
type ReserveRequest struct {
	OrderID    string
	LineNo     int
	SKU        string
	Qty        int64
	Warehouses []string
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

// Reserve reserves up to Qty units and returns what it got; the rest is the
// shortfall. It runs once per (order, line): a repeat returns the first
// outcome unchanged, so an activity retry never reserves twice.
//
// All of a SKU's stock rows are locked (FOR UPDATE, in warehouse order, so
// two reservations never deadlock) before anything is read, which serialises
// every reservation and receipt of that SKU: no unit is promised twice.
func (s *Store) Reserve(ctx context.Context, r ReserveRequest) (models.Allocation, error) {
	if r.Qty <= 0 {
		return models.Allocation{}, models.Invalid("qty", "must be positive")
	}
	var out models.Allocation
	err := s.Tx(ctx, func(tx *Store) error {
		levels, err := tx.lockStock(ctx, r.SKU)
		if err != nil {
			return err
		}
		if a, err := tx.allocation(ctx, r.OrderID, r.LineNo); err == nil {
			out = a
			return nil
		} else if !isNotFound(err) {
			return err
		}
		slices.SortStableFunc(levels, func(a, b models.StockLevel) int {
			pa, pb := preference(r.Warehouses, a.WarehouseCode), preference(r.Warehouses, b.WarehouseCode)
			if pa != pb {
				return pa - pb
			}
			// Fewest splits: fullest location first; lockStock already
			// ordered ties by warehouse code.
			return cmp.Compare(b.Available(), a.Available())
		})
		now := s.now()
		out = models.Allocation{OrderID: r.OrderID, LineNo: r.LineNo, SKU: r.SKU, Requested: r.Qty}
		var parts []models.Reservation
		for _, l := range levels {
			take := min(l.Available(), r.Qty-out.Reserved)
			if take <= 0 {
				continue
			}
			parts = append(parts, models.Reservation{ID: NewID(), OrderID: r.OrderID, LineNo: r.LineNo, SKU: r.SKU,
				WarehouseCode: l.WarehouseCode, Qty: take, Status: models.ReservationActive, CreatedAt: now, UpdatedAt: now})
			out.Reserved += take
		}
		if err := tx.conn(ctx).Create(&allocationRow{OrderID: r.OrderID, LineNo: r.LineNo, SKU: r.SKU,
			Requested: r.Qty, Reserved: out.Reserved, CreatedAt: now}).Error; err != nil {
			return mapErr(err, "allocation", r.OrderID)
		}
		for _, p := range parts {
			if err := tx.conn(ctx).Create(&p).Error; err != nil {
				return err
			}
			if err := tx.conn(ctx).Model(&models.StockLevel{}).Where("sku = ? AND warehouse_code = ?", p.SKU, p.WarehouseCode).
				Updates(map[string]any{"reserved": gorm.Expr("reserved + ?", p.Qty), "updated_at": now}).Error; err != nil {
				return err
			}
		}
		out.Parts = parts
		return nil
	})
	if errors.Is(err, models.ErrConflict) {
		// Two first attempts for the same line raced where the SKU has no
		// stock rows to lock; the winner's outcome is the answer.
		return s.allocation(ctx, r.OrderID, r.LineNo)
	}
	return out, err
}

// Release frees a line's active reservations (an order or line cancelled).
// Releasing again does nothing. It returns how many units went back.
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
		if _, err := tx.lockStock(ctx, a.SKU); err != nil {
			return err
		}
		var active []models.Reservation
		if err := tx.conn(ctx).Where("order_id = ? AND line_no = ? AND status = ?", orderID, lineNo, models.ReservationActive).
			Order("id").Find(&active).Error; err != nil {
			return err
		}
		now := s.now()
		if err := tx.conn(ctx).Model(&allocationRow{}).Where("order_id = ? AND line_no = ? AND released_at IS NULL", orderID, lineNo).
			Update("released_at", now).Error; err != nil {
			return err
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
			freed += r.Qty
		}
		return nil
	})
	return freed, err
}

// Receipt is goods received into a warehouse.
type Receipt struct {
	Key        string // unique per receipt: a retry with the same key counts once
	SKU        string
	Warehouse  string
	Qty        int64
	ReceivedBy string
}

// Receive adds received units to on-hand stock, once per receipt key. It
// reports whether this call applied the receipt.
func (s *Store) Receive(ctx context.Context, r Receipt) (bool, error) {
	var v models.Validator
	v.Check(r.Key != "", "key", "is required")
	v.Check(r.Qty > 0, "qty", "must be positive")
	if err := v.Err(); err != nil {
		return false, err
	}
	applied := false
	err := s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.lockStock(ctx, r.SKU); err != nil {
			return err
		}
		res := tx.conn(ctx).Exec(`INSERT INTO receipts (id, receipt_key, sku, warehouse_code, qty, received_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (receipt_key) DO NOTHING`,
			NewID(), r.Key, r.SKU, r.Warehouse, r.Qty, r.ReceivedBy, s.now())
		if res.Error != nil {
			return mapErr(res.Error, "receipt", r.Key)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		applied = true
		upd := tx.conn(ctx).Model(&models.StockLevel{}).Where("sku = ? AND warehouse_code = ?", r.SKU, r.Warehouse).
			Updates(map[string]any{"on_hand": gorm.Expr("on_hand + ?", r.Qty), "updated_at": s.now()})
		if upd.Error != nil || upd.RowsAffected == 1 {
			return upd.Error
		}
		return mapErr(tx.conn(ctx).Create(&models.StockLevel{SKU: r.SKU, WarehouseCode: r.Warehouse, OnHand: r.Qty, UpdatedAt: s.now()}).Error, "stock", r.SKU)
	})
	return applied, err
}

// lockStock locks and returns every stock row of a SKU, in warehouse order.
func (s *Store) lockStock(ctx context.Context, sku string) ([]models.StockLevel, error) {
	var levels []models.StockLevel
	err := s.locking(s.conn(ctx)).Where("sku = ?", sku).Order("warehouse_code").Find(&levels).Error
	return levels, err
}

func (s *Store) allocation(ctx context.Context, orderID string, lineNo int) (models.Allocation, error) {
	var row allocationRow
	if err := s.conn(ctx).Where("order_id = ? AND line_no = ?", orderID, lineNo).Take(&row).Error; err != nil {
		return models.Allocation{}, mapErr(err, "allocation", orderID)
	}
	a := models.Allocation{OrderID: row.OrderID, LineNo: row.LineNo, SKU: row.SKU, Requested: row.Requested, Reserved: row.Reserved}
	err := s.conn(ctx).Where("order_id = ? AND line_no = ?", orderID, lineNo).Order("id").Find(&a.Parts).Error
	return a, err
}

func preference(order []string, wh string) int {
	if i := slices.Index(order, wh); i >= 0 {
		return i
	}
	return len(order)
}

// ActiveReservations lists a SKU's active reservations.
func (s *Store) ActiveReservations(ctx context.Context, sku string) ([]models.Reservation, error) {
	var rs []models.Reservation
	err := s.conn(ctx).Where("sku = ? AND status = ?", sku, models.ReservationActive).Order("id").Find(&rs).Error
	return rs, err
}
