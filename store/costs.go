package store

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// ProductCost is a SKU's standard cost per unit from ValidFrom until
// ValidTo (open-ended when nil).
type ProductCost struct {
	ID        string          `json:"id"`
	SKU       string          `json:"sku"`
	Currency  models.Currency `json:"currency"`
	UnitCost  int64           `json:"unit_cost"`
	ValidFrom time.Time       `json:"valid_from"`
	ValidTo   *time.Time      `json:"valid_to,omitempty"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

func (ProductCost) TableName() string { return "product_costs" }

// SetProductCost makes c the SKU's cost from c.ValidFrom on: the cost in
// force then (if any) ends at that moment, and a later one is refused, so
// history is a clean sequence. Nothing is rewritten: figures already booked
// keep the cost of their day.
func (s *Store) SetProductCost(ctx context.Context, c *ProductCost) error {
	return s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.ProductBySKU(ctx, c.SKU); err != nil {
			return models.Invalid("sku", "no such product")
		}
		var later int64
		if err := tx.conn(ctx).Model(&ProductCost{}).Where("sku = ? AND currency = ? AND valid_from >= ?", c.SKU, c.Currency, c.ValidFrom.UTC()).
			Count(&later).Error; err != nil {
			return err
		}
		if later > 0 {
			return models.Invalid("valid_from", "must be after the start of the cost in force")
		}
		if err := tx.conn(ctx).Model(&ProductCost{}).Where("sku = ? AND currency = ? AND valid_to IS NULL", c.SKU, c.Currency).
			Update("valid_to", c.ValidFrom.UTC()).Error; err != nil {
			return err
		}
		c.ID, c.CreatedAt, c.ValidFrom = NewID(), tx.now(), c.ValidFrom.UTC()
		return tx.conn(ctx).Create(c).Error
	})
}

// ProductCosts lists a SKU's costs, newest first.
func (s *Store) ProductCosts(ctx context.Context, sku string) ([]ProductCost, error) {
	out := []ProductCost{}
	err := s.conn(ctx).Where("sku = ?", sku).Order("valid_from DESC").Find(&out).Error
	return out, err
}
