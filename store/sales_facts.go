package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Sales dimensions: what a sales report can be grouped by. Each has its own
// rows in the daily rollup.
const (
	DimProduct   = "product"
	DimCategory  = "category"
	DimRegion    = "region"
	DimSegment   = "segment"
	DimCustomer  = "customer"
	DimRep       = "rep"
	DimWarehouse = "warehouse"
)

// SalesDims lists the dimensions in a fixed order.
var SalesDims = []string{DimProduct, DimCategory, DimRegion, DimSegment, DimCustomer, DimRep, DimWarehouse}

// What a sales figure counts: orders as placed, or invoices as issued.
const (
	SalesBooked   = "booked"
	SalesInvoiced = "invoiced"
)

// OrderLineFact is an order line as the order workflow last saved it, with
// the prices and promise of the accepted quote.
type OrderLineFact struct {
	LineNo     int
	SKU        string
	Qty        int64
	Filled     *int64 // reserved from stock when the order was allocated; nil while allocating
	Shipped    int64
	Cancelled  int64
	Gross      int64
	Discount   int64
	Net        int64
	Tax        int64
	PromisedAt *time.Time
	ShippedAt  *time.Time // when the last unit shipped
}

// InvoiceLineFact is one billed line of an invoice.
type InvoiceLineFact struct {
	LineNo   int
	SKU      string
	Qty      int64
	Gross    int64
	Discount int64
	Net      int64
	Tax      int64
	Total    int64
}

// account is what an order line copies of its customer and product.
type account struct {
	Region   string
	Segment  string
	RepID    string
	Category string
}

// accountsOf reads a customer's attributes once and each SKU's category:
// what a document's lines copy, by SKU.
func (s *Store) accountsOf(ctx context.Context, customerID string, skus []string) (map[string]account, error) {
	var c account
	if err := s.conn(ctx).Raw(`SELECT region, segment, owner_id AS rep_id FROM customers WHERE id = ?`, customerID).Scan(&c).Error; err != nil {
		return nil, err
	}
	var cats []struct{ SKU, Category string }
	if err := s.conn(ctx).Raw(`SELECT sku, category FROM products WHERE sku IN ?`, skus).Scan(&cats).Error; err != nil {
		return nil, err
	}
	out := make(map[string]account, len(skus))
	for _, sku := range skus {
		out[sku] = c
	}
	for _, p := range cats {
		a := out[p.SKU]
		a.Category = p.Category
		out[p.SKU] = a
	}
	return out, nil
}

// UnitCost is a SKU's standard cost in currency at a moment; 0 when none is
// set (a report lists such SKUs, so margin is never silently overstated).
func (s *Store) UnitCost(ctx context.Context, sku string, currency models.Currency, at time.Time) (int64, error) {
	var cost []int64
	err := s.conn(ctx).Raw(`SELECT unit_cost FROM product_costs WHERE sku = ? AND currency = ? AND valid_from <= ?
		AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1`, sku, currency, at.UTC(), at.UTC()).Scan(&cost).Error
	if err != nil || len(cost) == 0 {
		return 0, err
	}
	return cost[0], nil
}

// saveOrderLines mirrors an order's lines. The first save of an order books
// it: the lines are inserted, with the customer's attributes and the cost
// of the day, and added to the daily rollup, and the credit the quote had
// committed is let go (the order now counts in its customer's credit
// position itself). Later saves move quantities and dates only, one
// statement a line. The first line not updated (missing, or already saved
// at a later revision) is when it looks whether the order has lines at
// all, and books it if not.
func (s *Store) saveOrderLines(ctx context.Context, o models.OrderRecord, f OrderFacts) error {
	// bookUnlessBooked books the order when it has no lines yet, and says
	// whether it had them.
	bookUnlessBooked := func() (bool, error) {
		var have int64
		if err := s.conn(ctx).Raw(`SELECT COUNT(*) FROM order_lines WHERE order_id = ?`, o.ID).Scan(&have).Error; err != nil || have > 0 {
			return have > 0, err
		}
		return false, s.bookOrderLines(ctx, o, f)
	}
	if len(f.Lines) == 0 { // nothing to update: book it once
		_, err := bookUnlessBooked()
		return err
	}
	booked := false
	for _, l := range f.Lines {
		// qty_filled is set once, at the first save after allocation: it is
		// what stock filled when the order was placed.
		res := s.conn(ctx).Exec(`UPDATE order_lines SET qty_filled = COALESCE(qty_filled, ?), qty_shipped = ?, qty_cancelled = ?,
			shipped_at = ?, rev = ? WHERE order_id = ? AND line_no = ? AND rev <= ?`,
			l.Filled, l.Shipped, l.Cancelled, utcPtr(l.ShippedAt), o.Rev, o.ID, l.LineNo, o.Rev)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 || booked {
			booked = true
			continue
		}
		var err error
		if booked, err = bookUnlessBooked(); err != nil || !booked {
			return err // booked just now, every line as it stands
		}
	}
	return nil
}

// bookOrderLines writes a new order's lines.
func (s *Store) bookOrderLines(ctx context.Context, o models.OrderRecord, f OrderFacts) error {
	orderedAt, lines := f.OrderedAt, f.Lines
	if err := s.conn(ctx).Exec(`DELETE FROM credit_commitments WHERE quote_id = ?`, o.QuoteID).Error; err != nil {
		return err
	}
	if f.Priced != nil {
		if err := f.Priced(lines); err != nil {
			return err
		}
	}
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKU)
	}
	accounts, err := s.accountsOf(ctx, o.CustomerID, skus)
	if err != nil {
		return err
	}
	var booked []sale
	for _, l := range lines {
		a := accounts[l.SKU]
		cost, err := s.UnitCost(ctx, l.SKU, o.Currency, orderedAt)
		if err != nil {
			return err
		}
		if err := s.conn(ctx).Exec(`INSERT INTO order_lines (order_id, line_no, customer_id, region, segment, rep_id, sku, category, currency,
			qty, qty_filled, qty_shipped, qty_cancelled, gross, discount, net, tax, unit_cost, ordered_at, promised_at, shipped_at, rev)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, l.LineNo, o.CustomerID, a.Region, a.Segment, a.RepID, l.SKU, a.Category, o.Currency,
			l.Qty, l.Filled, l.Shipped, l.Cancelled, l.Gross, l.Discount, l.Net, l.Tax, cost, orderedAt.UTC(), utcPtr(l.PromisedAt), utcPtr(l.ShippedAt), o.Rev).Error; err != nil {
			return fmt.Errorf("order line %s/%d: %w", o.ID, l.LineNo, err)
		}
		booked = append(booked, sale{customer: o.CustomerID, account: a, sku: l.SKU, currency: o.Currency, qty: l.Qty, net: l.Net, cost: cost * l.Qty})
	}
	return s.addSales(ctx, SalesBooked, orderedAt, booked)
}

// saveShipmentLines records which warehouse each shipped unit left from.
func (s *Store) saveShipmentLines(ctx context.Context, sh Shipment, from map[shipKey]int64) error {
	keys := make([]shipKey, 0, len(from))
	for k := range from {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b shipKey) int {
		if a.lineNo != b.lineNo {
			return a.lineNo - b.lineNo
		}
		return strings.Compare(a.warehouse, b.warehouse)
	})
	for _, k := range keys {
		if err := s.conn(ctx).Exec(`INSERT INTO shipment_lines (shipment_id, line_no, warehouse_code, order_id, customer_id, sku, qty, shipped_at)
			SELECT ?, ?, ?, ?, o.customer_id, ?, ?, ? FROM orders o WHERE o.id = ?`,
			sh.ID, k.lineNo, k.warehouse, sh.OrderID, k.sku, from[k], sh.ShippedAt.UTC(), sh.OrderID).Error; err != nil {
			return err
		}
	}
	return nil
}

type shipKey struct {
	lineNo    int
	sku       string
	warehouse string
}

// saveInvoiceLines mirrors an invoice's lines and adds them to revenue. The
// account attributes are the order line's, so bookings and revenue of one
// sale fall in the same region, segment and rep.
func (s *Store) saveInvoiceLines(ctx context.Context, inv models.Invoice, lines []InvoiceLineFact) error {
	var have int64
	if err := s.conn(ctx).Raw(`SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = ?`, inv.ID).Scan(&have).Error; err != nil || have > 0 {
		return err
	}
	var revenue []sale
	for _, l := range lines {
		var attrs []account
		if err := s.conn(ctx).Raw(`SELECT region, segment, rep_id, category FROM order_lines WHERE order_id = ? AND line_no = ?`,
			inv.OrderID, l.LineNo).Scan(&attrs).Error; err != nil {
			return err
		}
		var a account
		if len(attrs) > 0 {
			a = attrs[0]
		} else { // no order line mirrored (it would be back-filled first): the customer's as it is now
			now, err := s.accountsOf(ctx, inv.CustomerID, []string{l.SKU})
			if err != nil {
				return err
			}
			a = now[l.SKU]
		}
		var whs []string
		if err := s.conn(ctx).Raw(`SELECT DISTINCT warehouse_code FROM shipment_lines WHERE shipment_id = ? AND line_no = ? ORDER BY warehouse_code`,
			inv.ShipmentID, l.LineNo).Scan(&whs).Error; err != nil {
			return err
		}
		wh := ""
		if len(whs) == 1 {
			wh = whs[0]
		}
		cost, err := s.UnitCost(ctx, l.SKU, inv.Currency, inv.IssuedAt)
		if err != nil {
			return err
		}
		if err := s.conn(ctx).Exec(`INSERT INTO invoice_lines (invoice_id, line_no, order_id, customer_id, region, segment, rep_id, sku, category,
			warehouse_code, currency, qty, gross, discount, net, tax, total, unit_cost, issued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			inv.ID, l.LineNo, inv.OrderID, inv.CustomerID, a.Region, a.Segment, a.RepID, l.SKU, a.Category,
			wh, inv.Currency, l.Qty, l.Gross, l.Discount, l.Net, l.Tax, l.Total, cost, inv.IssuedAt.UTC()).Error; err != nil {
			return fmt.Errorf("invoice line %s/%d: %w", inv.ID, l.LineNo, err)
		}
		revenue = append(revenue, sale{customer: inv.CustomerID, account: a, sku: l.SKU, warehouse: wh,
			currency: inv.Currency, qty: l.Qty, net: l.Net, cost: cost * l.Qty})
	}
	return s.addSales(ctx, SalesInvoiced, inv.IssuedAt, revenue)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// OrdersWithoutLines lists orders that have no order lines yet (recorded
// before the reporting facts existed), oldest first.
func (s *Store) OrdersWithoutLines(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Raw(`SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)
		ORDER BY o.created_at, o.id`).Scan(&ids).Error
	return ids, err
}

// InvoicesWithoutLines lists invoices that have no invoice lines yet.
func (s *Store) InvoicesWithoutLines(ctx context.Context) ([]models.Invoice, error) {
	var out []models.Invoice
	err := s.conn(ctx).Raw(`SELECT * FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)
		ORDER BY i.number`).Scan(&out).Error
	return out, err
}

// SaveInvoiceLines mirrors an issued invoice's lines (once).
func (s *Store) SaveInvoiceLines(ctx context.Context, inv models.Invoice, lines []InvoiceLineFact) error {
	return s.Tx(ctx, func(tx *Store) error { return tx.saveInvoiceLines(ctx, inv, lines) })
}

// BackfillShipmentLines writes shipment lines for shipments recorded before
// they existed. Which warehouse a unit left from was not kept then; it is
// the warehouse of the line's shipped reservations when there is one, and
// ” when there were several.
func (s *Store) BackfillShipmentLines(ctx context.Context) error {
	var rows []shipmentRow
	if err := s.conn(ctx).Raw(`SELECT * FROM shipments sh WHERE NOT EXISTS (SELECT 1 FROM shipment_lines l WHERE l.shipment_id = sh.id)`).
		Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		var lines []ShipLine
		if err := json.Unmarshal([]byte(r.Lines), &lines); err != nil {
			return fmt.Errorf("shipment %s: %w", r.ID, err)
		}
		from := map[shipKey]int64{}
		for _, l := range lines {
			var whs []string
			if err := s.conn(ctx).Raw(`SELECT DISTINCT warehouse_code FROM reservations WHERE order_id = ? AND line_no = ? AND status = ?`,
				r.OrderID, l.LineNo, models.ReservationShipped).Scan(&whs).Error; err != nil {
				return err
			}
			wh := ""
			if len(whs) == 1 {
				wh = whs[0]
			}
			if l.Qty > 0 {
				from[shipKey{lineNo: l.LineNo, sku: l.SKU, warehouse: wh}] += l.Qty
			}
		}
		sh := Shipment{ID: r.ID, OrderID: r.OrderID, ShippedAt: r.ShippedAt}
		if err := s.Tx(ctx, func(tx *Store) error { return tx.saveShipmentLines(ctx, sh, from) }); err != nil {
			return err
		}
	}
	return nil
}
