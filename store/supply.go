package store

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/atp"
	"github.com/q2c-dev/q2c/models"
)

// CreateSupplyOrder records an incoming purchase or production order; the
// ETAs of the SKU's waiting backorders follow it at once.
func (s *Store) CreateSupplyOrder(ctx context.Context, o *models.SupplyOrder) error {
	return s.Tx(ctx, func(tx *Store) error {
		sku, err := tx.lockSKU(ctx, o.SKU)
		if err != nil {
			return err
		}
		if o.ID == "" {
			o.ID = NewID()
		}
		if o.Supplier == "" {
			o.Supplier = supplierOf(*o, sku.product)
		}
		o.Status = models.SupplyOpen
		o.ExpectedAt = o.ExpectedAt.UTC()
		o.FirstExpectedAt = &o.ExpectedAt
		o.CreatedAt, o.UpdatedAt = s.now(), s.now()
		if err := tx.conn(ctx).Create(o).Error; err != nil {
			return notFoundField(err, "warehouse")
		}
		return tx.replanSKU(ctx, sku)
	})
}

// MoveSupplyETA changes an open supply order's expected date and returns the
// order before and after the change; the SKU's backorder ETAs follow it.
func (s *Store) MoveSupplyETA(ctx context.Context, id string, eta time.Time) (before, after models.SupplyOrder, err error) {
	return s.changeOpenSupply(ctx, id, func(o *models.SupplyOrder) map[string]any {
		o.ExpectedAt = eta.UTC()
		return map[string]any{"expected_at": o.ExpectedAt}
	})
}

// CancelSupplyOrder cancels an open supply order (the supplier will not
// deliver); the ETAs of backorders counting on it move at once.
func (s *Store) CancelSupplyOrder(ctx context.Context, id string) (models.SupplyOrder, error) {
	_, after, err := s.changeOpenSupply(ctx, id, func(o *models.SupplyOrder) map[string]any {
		o.Status = models.SupplyCancelled
		return map[string]any{"status": o.Status}
	})
	return after, err
}

// changeOpenSupply changes an open supply order under its SKU's lock (change
// sets the fields on the order and returns the columns to write), then
// recomputes the SKU's backorder ETAs. It returns the order before and after.
func (s *Store) changeOpenSupply(ctx context.Context, id string, change func(*models.SupplyOrder) map[string]any) (before, after models.SupplyOrder, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Where("id = ?", id).Take(&before).Error; err != nil {
			return mapErr(err, "supply order", id)
		}
		sku, err := tx.lockSKU(ctx, before.SKU)
		if err != nil {
			return err
		}
		if err := tx.conn(ctx).Where("id = ?", id).Take(&before).Error; err != nil { // again, under the lock
			return mapErr(err, "supply order", id)
		}
		if before.Status != models.SupplyOpen {
			return models.Conflict("supply order %s is %s", id, before.Status)
		}
		after = before
		upd := change(&after)
		after.UpdatedAt = s.now()
		upd["updated_at"] = after.UpdatedAt
		if err := tx.conn(ctx).Model(&models.SupplyOrder{}).Where("id = ?", id).Updates(upd).Error; err != nil {
			return err
		}
		return tx.replanSKU(ctx, sku)
	})
	return before, after, err
}

// ListSupplyOrders lists supply orders, open ones for sku when given.
func (s *Store) ListSupplyOrders(ctx context.Context, sku string, openOnly bool, p Page) (List[models.SupplyOrder], error) {
	q := whereEq(s.conn(ctx).Model(&models.SupplyOrder{}), "sku", sku)
	if openOnly {
		q = q.Where("status = ?", models.SupplyOpen)
	}
	return listAfter(q, "id", p, func(o models.SupplyOrder) string { return o.ID })
}

// Availability is a SKU's stock by warehouse and its ATP position.
type Availability struct {
	SKU      string               `json:"sku"`
	Stock    []models.StockLevel  `json:"stock"`
	Supply   []models.SupplyOrder `json:"open_supply"`
	Position atp.Position         `json:"position"`
}

// AvailabilityOf reads everything available-to-promise needs for sku at now.
func (s *Store) AvailabilityOf(ctx context.Context, sku string, now time.Time) (Availability, error) {
	var p models.Product
	if err := s.conn(ctx).Where("sku = ?", sku).Take(&p).Error; err != nil {
		return Availability{}, mapErr(err, "product", sku)
	}
	a := Availability{SKU: sku, Position: atp.Position{Now: now.UTC(), LeadTimeDays: p.LeadTimeDays}}
	var err error
	if a.Stock, err = s.StockFor(ctx, sku); err != nil {
		return a, err
	}
	for _, l := range a.Stock {
		a.Position.Available += l.Available()
	}
	if err := s.conn(ctx).Where("sku = ? AND status = ?", sku, models.SupplyOpen).Order("expected_at, id").Find(&a.Supply).Error; err != nil {
		return a, err
	}
	for _, o := range a.Supply {
		a.Position.Supply = append(a.Position.Supply, atp.Supply{Qty: o.Qty - o.ReceivedQty, ETA: o.ExpectedAt})
	}
	var waiting *int64
	if err := s.conn(ctx).Raw(`SELECT sum(requested - reserved) FROM allocations WHERE sku = ? AND released_at IS NULL`, sku).
		Scan(&waiting).Error; err != nil {
		return a, err
	}
	if waiting != nil && *waiting > 0 {
		// Waiting backorders come first: free stock is theirs before open
		// supply is (a new order cannot take stock held for them).
		held := min(a.Position.Available, *waiting)
		a.Position.Available -= held
		a.Position.Waiting = *waiting - held
	}
	return a, nil
}
