package store

import (
	"context"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// UpsertProduct inserts or replaces a product by SKU.
func (s *Store) UpsertProduct(ctx context.Context, p *models.Product) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	updates := clause.AssignmentColumns(productColumns)
	updates = append(updates, clause.Assignment{Column: clause.Column{Name: "version"}, Value: gorm.Expr("products.version + 1")})
	if err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "sku"}}, DoUpdates: updates}).Create(p).Error; err != nil {
		return err
	}
	return s.conn(ctx).Where("sku = ?", p.SKU).Take(p).Error
}

// productColumns are what a save of a product replaces.
var productColumns = []string{"name", "unit_of_measure", "list_price", "currency", "supplier", "lead_time_days", "make_to_order", "active", "category"}

// UpdateProduct replaces the product p.SKU only if it is still at version
// (nobody saved it since the edit began); p comes back as saved, at the
// next version. A product at another version is a conflict naming both.
func (s *Store) UpdateProduct(ctx context.Context, p *models.Product, version int) error {
	next := *p
	next.Version = version + 1
	res := s.conn(ctx).Model(&models.Product{}).Where("sku = ? AND version = ?", p.SKU, version).
		Select(append(slices.Clone(productColumns), "version")).Updates(&next)
	if res.Error != nil {
		return res.Error
	}
	cur, err := s.ProductBySKU(ctx, p.SKU)
	if err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return models.Conflict("product %s is at version %d, the edit was made from version %d: reload it and edit again", p.SKU, cur.Version, version)
	}
	*p = cur
	return nil
}

// CreateProduct adds a product that must be new: a SKU already in the
// catalog is a conflict, and the product there is left as it is.
func (s *Store) CreateProduct(ctx context.Context, p *models.Product) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	p.Version = 1
	return mapErr(s.conn(ctx).Create(p).Error, "product", p.SKU)
}

// ProductBySKU finds a product.
func (s *Store) ProductBySKU(ctx context.Context, sku string) (models.Product, error) {
	var p models.Product
	err := s.conn(ctx).Where("sku = ?", sku).Take(&p).Error
	return p, mapErr(err, "product", sku)
}

// ListProducts pages through products by SKU; activeOnly hides retired ones.
func (s *Store) ListProducts(ctx context.Context, f ProductFilter, p Page) (List[models.Product], error) {
	q := s.conn(ctx).Model(&models.Product{})
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if like, ok := likePattern(f.Search); ok {
		cond := `LOWER(sku) LIKE @like ESCAPE '\' OR LOWER(name) LIKE @like ESCAPE '\' OR LOWER(category) LIKE @like ESCAPE '\'`
		if f.BySupplier {
			cond += ` OR LOWER(supplier) LIKE @like ESCAPE '\'`
		}
		q = q.Where(cond, map[string]any{"like": like})
	}
	return listAfter(q, "sku", p, func(p models.Product) string { return p.SKU })
}

// ProductFilter narrows the catalog: to what can be bought, and to
// products whose SKU, name or category (and supplier, when BySupplier)
// hold Search, ignoring case.
type ProductFilter struct {
	ActiveOnly bool
	Search     string
	BySupplier bool
}

// UpsertWarehouse inserts or renames a warehouse.
func (s *Store) UpsertWarehouse(ctx context.Context, w models.Warehouse) error {
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "region"}),
	}).Create(&w).Error
}

// SetOnHand sets the counted quantity of a SKU at a warehouse (a stock count).
// It refuses a count below what is already reserved. Units the count finds
// go to waiting backorders like a receipt's.
func (s *Store) SetOnHand(ctx context.Context, sku, warehouse string, onHand int64) error {
	if onHand < 0 {
		return models.Invalid("on_hand", "must not be negative")
	}
	return s.Tx(ctx, func(tx *Store) error {
		locked, err := tx.lockSKU(ctx, sku)
		if err != nil {
			return err
		}
		grew := true
		if cur := locked.level(warehouse); cur != nil {
			if onHand < cur.Reserved {
				return models.Conflict("on hand %d is below the %d units reserved", onHand, cur.Reserved)
			}
			grew = onHand > cur.OnHand
		}
		if err := tx.putOnHand(ctx, locked, warehouse, onHand); err != nil || !grew {
			return mapErr(err, "stock", sku)
		}
		_, err = tx.allocateWaiting(ctx, locked, "stock count at "+warehouse, false, []string{warehouse})
		return err
	})
}

// AvailableBySKU sums what can still be promised from stock (on hand less
// reserved, over every warehouse) for each of skus; a SKU with no stock row
// is absent.
func (s *Store) AvailableBySKU(ctx context.Context, skus []string) (map[string]int64, error) {
	var rows []struct {
		SKU       string
		Available int64
	}
	out := map[string]int64{}
	if len(skus) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Model(&models.StockLevel{}).Select("sku, SUM(on_hand - reserved) AS available").
		Where("sku IN ?", skus).Group("sku").Scan(&rows).Error
	for _, r := range rows {
		out[r.SKU] = max(r.Available, 0)
	}
	return out, err
}

// StockFor lists the stock of one SKU at every warehouse, or of every SKU when sku is "".
func (s *Store) StockFor(ctx context.Context, sku string) ([]models.StockLevel, error) {
	var rows []models.StockLevel
	q := s.conn(ctx).Order("sku, warehouse_code")
	if sku != "" {
		q = q.Where("sku = ?", sku)
	}
	return rows, q.Find(&rows).Error
}

// locking makes q lock the rows it selects on Postgres, against every other
// transaction that locks or updates them. It takes FOR NO KEY UPDATE, the
// lock an UPDATE of other columns takes, not FOR UPDATE, which would also
// hold up every insert whose foreign key points at the row (a quote or
// invoice at its customer, an order line or reservation at its product)
// until the locker commits. A locker that then changes a column a foreign
// key could point at (a unique one) has its UPDATE take the stronger lock
// itself: sealing rewrites users' unique emails so, and no foreign key
// points at users. SQLite needs no
// row lock: every transaction there starts with BEGIN IMMEDIATE and so
// already holds the database's write lock.
func (s *Store) locking(q *gormDB) *gormDB {
	if s.dialect == Postgres {
		return q.Clauses(clause.Locking{Strength: lockStrength})
	}
	return q
}

// lockStrength is the row lock locking takes.
const lockStrength = "NO KEY UPDATE"
