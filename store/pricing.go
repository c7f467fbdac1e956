package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

type priceListRow struct {
	ID        string
	Name      string
	Segment   string
	Region    string
	Currency  models.Currency
	Items     string
	ValidFrom time.Time
	ValidTo   *time.Time
	CreatedBy string
	CreatedAt time.Time
}

func (priceListRow) TableName() string { return "price_lists" }

type customerPriceRow struct {
	ID         string
	CustomerID string
	SKU        string
	UnitPrice  int64
	Currency   models.Currency
	ValidFrom  time.Time
	ValidTo    *time.Time
	CreatedBy  string
	CreatedAt  time.Time
}

func (customerPriceRow) TableName() string { return "customer_prices" }

type promotionRow struct {
	ID          string
	Code        string
	Description string
	SKU         string
	Segment     string
	MinQty      int64
	PercentBP   int64 `gorm:"column:percent_bp"`
	AmountOff   int64
	Currency    models.Currency
	ValidFrom   time.Time
	ValidTo     *time.Time
	CreatedBy   string
	CreatedAt   time.Time
}

func (promotionRow) TableName() string { return "promotions" }

type taxRateRow struct {
	ID        string
	Region    string
	RateBP    int64 `gorm:"column:rate_bp"`
	ValidFrom time.Time
	ValidTo   *time.Time
	CreatedBy string
	CreatedAt time.Time
}

func (taxRateRow) TableName() string { return "tax_rates" }

func window(from time.Time, to *time.Time) pricing.Window {
	w := pricing.Window{From: from.UTC()}
	if to != nil {
		w.To = to.UTC()
	}
	return w
}

func toPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// validAt restricts a query to rows whose window contains at.
func validAt(q *gormDB, at time.Time) *gormDB {
	return q.Where("valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)", at, at)
}

// PricingBook loads every product and every pricing rule in force at at.
func (s *Store) PricingBook(ctx context.Context, at time.Time) (pricing.Book, error) {
	return s.pricingBook(ctx, at, nil)
}

// PricingBookFor is the part of the book one basket can use: the products
// it names, the customer's own prices for them, and every price list,
// promotion and tax rate in force at at. A quote reads it, so its cost
// grows with the basket, not with the catalogue or the number of
// customers with prices of their own.
func (s *Store) PricingBookFor(ctx context.Context, at time.Time, customerID string, skus []string) (pricing.Book, error) {
	// "" keeps the IN list from being empty; no SKU is "".
	return s.pricingBook(ctx, at, &basket{customerID: customerID, skus: append(slices.Clip(skus), "")})
}

// basket narrows the pricing book to one customer's SKUs.
type basket struct {
	customerID string
	skus       []string
}

// pricingBook reads the whole book, or the part for one basket when only is
// set.
func (s *Store) pricingBook(ctx context.Context, at time.Time, only *basket) (pricing.Book, error) {
	b := pricing.Book{Products: map[string]pricing.Product{}, TaxRatesBP: map[string]int64{}}
	var products []models.Product
	q := s.conn(ctx)
	if only != nil {
		q = q.Where("sku IN ?", only.skus)
	}
	if err := q.Find(&products).Error; err != nil {
		return b, err
	}
	for _, p := range products {
		b.Products[p.SKU] = pricing.Product{SKU: p.SKU, Name: p.Name, ListPrice: models.NewMoney(p.ListPrice, p.Currency), Active: p.Active}
	}
	var lists []priceListRow
	if err := validAt(s.conn(ctx), at).Order("id").Find(&lists).Error; err != nil {
		return b, err
	}
	for _, l := range lists {
		pl, err := l.toPricing()
		if err != nil {
			return b, err
		}
		b.PriceLists = append(b.PriceLists, pl)
	}
	var cps []customerPriceRow
	q = validAt(s.conn(ctx), at)
	if only != nil {
		q = q.Where("customer_id = ? AND sku IN ?", only.customerID, only.skus)
	}
	if err := q.Order("id").Find(&cps).Error; err != nil {
		return b, err
	}
	for _, c := range cps {
		b.CustomerPrices = append(b.CustomerPrices, c.toPricing())
	}
	var promos []promotionRow
	if err := validAt(s.conn(ctx), at).Order("id").Find(&promos).Error; err != nil {
		return b, err
	}
	for _, p := range promos {
		b.Promotions = append(b.Promotions, p.toPricing())
	}
	var rates []taxRateRow
	if err := validAt(s.conn(ctx), at).Order("valid_from").Find(&rates).Error; err != nil {
		return b, err
	}
	for _, r := range rates { // later starts win
		b.TaxRatesBP[r.Region] = r.RateBP
	}
	return b, nil
}

func (l priceListRow) toPricing() (pricing.PriceList, error) {
	pl := pricing.PriceList{ID: l.ID, Name: l.Name, Segment: l.Segment, Region: l.Region, Currency: l.Currency, Window: window(l.ValidFrom, l.ValidTo)}
	if err := json.Unmarshal([]byte(l.Items), &pl.Items); err != nil {
		return pl, fmt.Errorf("price list %s items: %w", l.ID, err)
	}
	return pl, nil
}

func (c customerPriceRow) toPricing() pricing.CustomerPrice {
	return pricing.CustomerPrice{ID: c.ID, CustomerID: c.CustomerID, SKU: c.SKU, UnitPrice: c.UnitPrice, Currency: c.Currency, Window: window(c.ValidFrom, c.ValidTo)}
}

func (p promotionRow) toPricing() pricing.Promotion {
	return pricing.Promotion{ID: p.ID, Code: p.Code, Description: p.Description, SKU: p.SKU, Segment: p.Segment, MinQty: p.MinQty,
		PercentBP: p.PercentBP, AmountOff: p.AmountOff, Currency: p.Currency, Window: window(p.ValidFrom, p.ValidTo)}
}

// CreatePriceList stores a new price list; its ID is filled in.
func (s *Store) CreatePriceList(ctx context.Context, pl *pricing.PriceList, by string) error {
	items, err := json.Marshal(pl.Items)
	if err != nil {
		return err
	}
	if pl.ID == "" {
		pl.ID = NewID()
	}
	return mapErr(s.conn(ctx).Create(&priceListRow{ID: pl.ID, Name: pl.Name, Segment: pl.Segment, Region: pl.Region, Currency: pl.Currency,
		Items: string(items), ValidFrom: pl.From.UTC(), ValidTo: toPtr(pl.To), CreatedBy: by, CreatedAt: s.now()}).Error, "price list", pl.ID)
}

// CreateCustomerPrice stores a negotiated price.
// A customer has at most one price per SKU and currency at any moment:
// one that would overlap another is refused, naming the one in the way.
func (s *Store) CreateCustomerPrice(ctx context.Context, cp pricing.CustomerPrice, by string) (string, error) {
	id := NewID()
	err := s.Tx(ctx, func(tx *Store) error {
		var cust models.Customer
		if err := tx.conn(ctx).Select("id, currency").Where("id = ?", cp.CustomerID).Take(&cust).Error; err != nil {
			return notFoundField(mapErr(err, "customer", cp.CustomerID), "customer_id")
		}
		if cust.Currency != cp.Currency {
			return models.Invalid("currency", "must be the customer's currency, %s: quotes are priced in it", cust.Currency)
		}
		var product models.Product
		if err := tx.conn(ctx).Select("sku, currency").Where("sku = ?", cp.SKU).Take(&product).Error; err != nil {
			return notFoundField(mapErr(err, "product", cp.SKU), "sku")
		}
		if product.Currency != cp.Currency {
			// Pricing prices a product only in its list price's currency.
			return models.Invalid("sku", "%s is sold in %s, the customer buys in %s: a price for it could never be used", cp.SKU, product.Currency, cp.Currency)
		}
		q := tx.conn(ctx).Model(&customerPriceRow{}).Where("customer_id = ? AND sku = ? AND currency = ? AND (valid_to IS NULL OR valid_to > ?)",
			cp.CustomerID, cp.SKU, cp.Currency, cp.From.UTC())
		if !cp.To.IsZero() {
			q = q.Where("valid_from < ?", cp.To.UTC())
		}
		var clash []customerPriceRow
		if err := tx.locking(q).Limit(1).Find(&clash).Error; err != nil {
			return err
		}
		if len(clash) == 1 {
			return models.Invalid("valid_from", "overlaps the customer price of %s from %s: correct or end that one instead",
				models.NewMoney(clash[0].UnitPrice, clash[0].Currency), clash[0].ValidFrom.UTC().Format(time.RFC3339))
		}
		return mapErr(tx.conn(ctx).Create(&customerPriceRow{ID: id, CustomerID: cp.CustomerID, SKU: cp.SKU, UnitPrice: cp.UnitPrice,
			Currency: cp.Currency, ValidFrom: cp.From.UTC(), ValidTo: toPtr(cp.To), CreatedBy: by, CreatedAt: s.now()}).Error, "customer price", cp.SKU)
	})
	return id, err
}

// CreatePromotion stores a promotion; its ID is filled in.
func (s *Store) CreatePromotion(ctx context.Context, p *pricing.Promotion, by string) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	return mapErr(s.conn(ctx).Create(&promotionRow{ID: p.ID, Code: p.Code, Description: p.Description, SKU: p.SKU, Segment: p.Segment,
		MinQty: p.MinQty, PercentBP: p.PercentBP, AmountOff: p.AmountOff, Currency: p.Currency,
		ValidFrom: p.From.UTC(), ValidTo: toPtr(p.To), CreatedBy: by, CreatedAt: s.now()}).Error, "promotion", p.Code)
}

// SetTaxRate makes rateBP the region's rate from from on: the rate in force
// then is ended at from (kept as history), and the new one starts.
func (s *Store) SetTaxRate(ctx context.Context, region string, rateBP int64, from time.Time, by string) error {
	from = from.UTC()
	return s.Tx(ctx, func(tx *Store) error {
		if err := validAt(tx.conn(ctx).Model(&taxRateRow{}), from).Where("region = ? AND valid_from < ?", region, from).
			Update("valid_to", from).Error; err != nil {
			return err
		}
		return mapErr(tx.conn(ctx).Create(&taxRateRow{ID: NewID(), Region: region, RateBP: rateBP, ValidFrom: from, CreatedBy: by, CreatedAt: s.now()}).Error,
			"tax rate", region+" from "+from.Format(time.RFC3339))
	})
}

// Pricing rules that end: price lists, customer prices and promotions.
const (
	RulePriceList     = "price-lists"
	RuleCustomerPrice = "customer-prices"
	RulePromotion     = "promotions"
)

var ruleTables = map[string]string{RulePriceList: "price_lists", RuleCustomerPrice: "customer_prices", RulePromotion: "promotions"}

// ruleWindow is the effective window of one rule row.
type ruleWindow struct {
	ValidFrom time.Time
	ValidTo   *time.Time
}

// EndPricingRule stops a rule of kind at to; quotes already priced keep
// their prices and the rule stays in the history. Ending it again at the
// same moment (a retry) changes nothing; any other end of a rule already
// ended, or an end before its start, is refused naming "at".
func (s *Store) EndPricingRule(ctx context.Context, kind, id string, to time.Time) error {
	table, ok := ruleTables[kind]
	if !ok {
		return models.NotFound("pricing rule kind", kind)
	}
	to = to.UTC()
	return s.Tx(ctx, func(tx *Store) error {
		var w ruleWindow
		if err := tx.locking(tx.conn(ctx).Table(table)).Select("valid_from, valid_to").Where("id = ?", id).Take(&w).Error; err != nil {
			return mapErr(err, "pricing rule", id)
		}
		if err := endable(w, to, "at"); err != nil || (w.ValidTo != nil && w.ValidTo.Equal(to)) {
			return err
		}
		return tx.conn(ctx).Table(table).Where("id = ?", id).Update("valid_to", to).Error
	})
}

// endable checks that a rule with window w can end at to; field names the
// input that carries to.
func endable(w ruleWindow, to time.Time, field string) error {
	switch {
	case w.ValidTo != nil && w.ValidTo.Equal(to):
		return nil
	case w.ValidTo != nil && w.ValidTo.Before(to):
		return models.Invalid(field, "the rule already ended on %s", w.ValidTo.UTC().Format(time.RFC3339))
	case !to.After(w.ValidFrom):
		return models.Invalid(field, "must be after the rule's start, %s", w.ValidFrom.UTC().Format(time.RFC3339))
	}
	return nil
}

// ReplaceCustomerPrice corrects a customer price from from on: the price
// in force ends at from and a new one with unitPrice takes over until the
// old one would have ended. Sent again (a retry), it finds the replacement
// already made and answers with its ID.
func (s *Store) ReplaceCustomerPrice(ctx context.Context, id string, unitPrice int64, from time.Time, by string) (string, error) {
	from = from.UTC()
	var newID string
	err := s.Tx(ctx, func(tx *Store) error {
		var old customerPriceRow
		if err := tx.locking(tx.conn(ctx).Model(&customerPriceRow{})).Where("id = ?", id).Take(&old).Error; err != nil {
			return mapErr(err, "customer price", id)
		}
		if old.ValidTo != nil && old.ValidTo.Equal(from) {
			var done []customerPriceRow
			if err := tx.conn(ctx).Where("customer_id = ? AND sku = ? AND currency = ? AND valid_from = ? AND unit_price = ?",
				old.CustomerID, old.SKU, old.Currency, from, unitPrice).Limit(1).Find(&done).Error; err != nil {
				return err
			}
			if len(done) == 1 {
				newID = done[0].ID
				return nil
			}
		}
		if err := endable(ruleWindow{old.ValidFrom, old.ValidTo}, from, "valid_from"); err != nil {
			return err
		}
		if old.ValidTo != nil && old.ValidTo.Equal(from) {
			return models.Invalid("valid_from", "the price already ended on %s: create a new customer price instead", from.Format(time.RFC3339))
		}
		if err := tx.conn(ctx).Model(&customerPriceRow{}).Where("id = ?", id).Update("valid_to", from).Error; err != nil {
			return err
		}
		newID = NewID()
		return mapErr(tx.conn(ctx).Create(&customerPriceRow{ID: newID, CustomerID: old.CustomerID, SKU: old.SKU, UnitPrice: unitPrice,
			Currency: old.Currency, ValidFrom: from, ValidTo: old.ValidTo, CreatedBy: by, CreatedAt: s.now()}).Error, "customer price", old.SKU)
	})
	return newID, err
}

// PricingHistory lists every price list, customer price, promotion and tax
// rate ever created (ended ones included), newest first per kind.
type PricingHistory struct {
	PriceLists     []pricing.PriceList     `json:"price_lists"`
	CustomerPrices []pricing.CustomerPrice `json:"customer_prices"`
	Promotions     []pricing.Promotion     `json:"promotions"`
	TaxRates       []TaxRate               `json:"tax_rates"`
}

// TaxRate is a region's rate over a window.
type TaxRate struct {
	Region string `json:"region"`
	RateBP int64  `json:"rate_bp"`
	pricing.Window
}

// PricingRules returns all pricing rules, in force or not.
func (s *Store) PricingRules(ctx context.Context) (PricingHistory, error) {
	var h PricingHistory
	var lists []priceListRow
	if err := s.conn(ctx).Order("id desc").Limit(MaxPageSize).Find(&lists).Error; err != nil {
		return h, err
	}
	for _, l := range lists {
		pl, err := l.toPricing()
		if err != nil {
			return h, err
		}
		h.PriceLists = append(h.PriceLists, pl)
	}
	var cps []customerPriceRow
	if err := s.conn(ctx).Order("id desc").Limit(MaxPageSize).Find(&cps).Error; err != nil {
		return h, err
	}
	for _, c := range cps {
		h.CustomerPrices = append(h.CustomerPrices, c.toPricing())
	}
	var promos []promotionRow
	if err := s.conn(ctx).Order("id desc").Limit(MaxPageSize).Find(&promos).Error; err != nil {
		return h, err
	}
	for _, p := range promos {
		h.Promotions = append(h.Promotions, p.toPricing())
	}
	var rates []taxRateRow
	if err := s.conn(ctx).Order("region, valid_from").Find(&rates).Error; err != nil {
		return h, err
	}
	for _, r := range rates {
		h.TaxRates = append(h.TaxRates, TaxRate{Region: r.Region, RateBP: r.RateBP, Window: window(r.ValidFrom, r.ValidTo)})
	}
	return h, nil
}

// HasTaxRegion reports whether region has a tax rate in force at at.
func (s *Store) HasTaxRegion(ctx context.Context, region string, at time.Time) (bool, error) {
	var n int64
	err := validAt(s.conn(ctx).Model(&taxRateRow{}), at).Where("region = ?", region).Limit(1).Count(&n).Error
	return n > 0, err
}
