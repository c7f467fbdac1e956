package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/q2c-dev/q2c/models"
)

// Adjustment asks to count or adjust one SKU at one warehouse: Counted is
// what was counted (the new on hand); otherwise AdjustBy is added (negative
// for damaged or lost units).
type Adjustment struct {
	Key, SKU, Warehouse string
	Counted             *int64
	AdjustBy            int64
	Reason, Note, By    string
}

// AdjustStock records a count or an adjustment under the SKU's lock. Stock
// below what is reserved there is refused, naming the orders holding it;
// units found go to waiting backorders as a receipt's do. The same key
// again answers with the first result; the key with other figures is a
// conflict.
func (s *Store) AdjustStock(ctx context.Context, a Adjustment) (models.StockAdjustment, error) {
	var v models.Validator
	v.Text("key", a.Key, true, models.MaxNameLen)
	v.Text("warehouse", a.Warehouse, true, models.MaxCodeLen)
	v.Check(slices.Contains(models.AdjustReasons, a.Reason), "reason", "must be one of "+strings.Join(models.AdjustReasons, ", "))
	v.Text("note", a.Note, false, models.MaxCommentLen)
	if a.Counted != nil {
		v.Check(*a.Counted >= 0 && *a.Counted <= models.MaxQty*100, "counted", "must be a whole number of units, 0 or more")
	} else {
		v.Check(a.AdjustBy != 0 && a.AdjustBy >= -models.MaxQty && a.AdjustBy <= models.MaxQty, "adjust_by",
			fmt.Sprintf("must be a number of units between -%d and %d, not 0", models.MaxQty, models.MaxQty))
		// Units found add; damaged and lost ones take away.
		switch a.Reason {
		case models.AdjustFound:
			v.Check(a.AdjustBy > 0, "adjust_by", "units found add to stock: a positive number")
		case models.AdjustDamaged, models.AdjustLost:
			v.Check(a.AdjustBy < 0, "adjust_by", "units "+a.Reason+" take from stock: a negative number")
		}
	}
	if err := v.Err(); err != nil {
		return models.StockAdjustment{}, err
	}
	var out models.StockAdjustment
	err := s.Tx(ctx, func(tx *Store) error {
		sku, err := tx.lockSKU(ctx, a.SKU)
		if err != nil {
			return err
		}
		var prev []struct{ Result string }
		if err := tx.conn(ctx).Raw(`SELECT result FROM stock_adjustments WHERE sku = ? AND adjustment_key = ?`, a.SKU, a.Key).Scan(&prev).Error; err != nil {
			return err
		}
		if len(prev) > 0 {
			if err := json.Unmarshal([]byte(prev[0].Result), &out); err != nil {
				return err
			}
			if out.Warehouse != a.Warehouse || out.Reason != a.Reason || (a.Counted != nil && *a.Counted != out.After) || (a.Counted == nil && a.AdjustBy != out.After-out.Before) {
				return models.Conflict("count %q of %s was recorded already, at %s: %d → %d (%s)", a.Key, a.SKU, out.Warehouse, out.Before, out.After, out.Reason)
			}
			out.Replayed = true
			return nil
		}
		var before, reserved int64
		if l := sku.level(a.Warehouse); l != nil {
			before, reserved = l.OnHand, l.Reserved
		}
		after := before + a.AdjustBy
		if a.Counted != nil {
			after = *a.Counted
		}
		if after < 0 {
			return models.Invalid("adjust_by", "would leave %d on hand: there are %d at %s", after, before, a.Warehouse)
		}
		if after < reserved {
			holders, err := tx.reservationHolders(ctx, a.SKU, a.Warehouse)
			if err != nil {
				return err
			}
			return models.Conflict("%s at %s would be %d, below the %d units reserved there for %s: ship or cancel those first, or count again",
				a.SKU, a.Warehouse, after, reserved, holders)
		}
		now := s.now()
		out = models.StockAdjustment{ID: NewID(), Key: a.Key, SKU: a.SKU, Warehouse: a.Warehouse, Before: before, After: after,
			Reason: a.Reason, Note: a.Note, AdjustedBy: a.By, At: now}
		if err := tx.conn(ctx).Exec(`INSERT INTO stock_adjustments (id, adjustment_key, sku, warehouse_code, before_on_hand, after_on_hand, reason, note, adjusted_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, out.ID, a.Key, a.SKU, a.Warehouse, before, after, a.Reason, a.Note, a.By, now).Error; err != nil {
			return notFoundField(err, "warehouse")
		}
		if err := tx.putOnHand(ctx, sku, a.Warehouse, after); err != nil {
			return err
		}
		if after > before {
			if out.Run, err = tx.allocateWaiting(ctx, sku, fmt.Sprintf("stock count %s at %s", a.Key, a.Warehouse), false, []string{a.Warehouse}); err != nil {
				return err
			}
		}
		out.Free = sku.free()
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return tx.conn(ctx).Exec(`UPDATE stock_adjustments SET result = ? WHERE id = ?`, string(raw), out.ID).Error
	})
	return out, err
}

// reservationHolders names the orders holding a SKU's stock at a warehouse:
// "SO-1 line 1 (5 units), SO-2 line 3 (2 units)".
func (s *Store) reservationHolders(ctx context.Context, sku, warehouse string) (string, error) {
	var rs []models.Reservation // one per order line, however many parts it was reserved in
	if err := s.conn(ctx).Model(&models.Reservation{}).Select("order_id, line_no, SUM(qty) AS qty").
		Where("sku = ? AND warehouse_code = ? AND status = ?", sku, warehouse, models.ReservationActive).
		Group("order_id, line_no").Order("order_id").Order("line_no").Limit(20).Find(&rs).Error; err != nil {
		return "", err
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s line %d (%d units)", r.OrderID, r.LineNo, r.Qty)
	}
	return strings.Join(parts, ", "), nil
}

// StockAdjustments lists a SKU's counts and adjustments, newest first.
func (s *Store) StockAdjustments(ctx context.Context, sku string, limit int) ([]models.StockAdjustment, error) {
	var results []string
	if err := s.conn(ctx).Table("stock_adjustments").Where("sku = ?", sku).Order("created_at DESC").Order("id DESC").Limit(limit).
		Pluck("result", &results).Error; err != nil {
		return nil, err
	}
	out := make([]models.StockAdjustment, len(results))
	for i, r := range results {
		// The answer given at the time: what was free then, and the
		// backorders it filled.
		if err := json.Unmarshal([]byte(r), &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
