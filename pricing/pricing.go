// Package pricing prices a basket: exact integer arithmetic, every rule
// stated and every adjustment explained. It is pure (no I/O, no clock: the
// pricing date is an input), so workflows and the API can both call it and a
// quote priced once never changes when price data does.
//
// The rules, in order, for each line:
//  1. Unit price: a customer-specific price valid on the date wins; else the
//     most specific valid price list for the customer's segment and region
//     (segment+region, then segment, then region, then everyone), at the
//     volume tier with the highest minimum quantity the line reaches; else
//     the product's list price.
//  2. Promotions valid on the date (automatic ones, and the one whose code
//     the basket carries) apply to the line's gross amount; percentages round
//     half away from zero per line; the best single promotion per line
//     applies (promotions do not stack), and no discount exceeds the line.
//  3. Tax is the region's rate in basis points on the line's net amount,
//     rounded half away from zero per line.
//
// Totals are the sums of the line values, so an invoice and its lines always
// agree to the cent.
package pricing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Window is a validity period: From inclusive, To exclusive; a zero To is open.
type Window struct {
	From time.Time `json:"valid_from"`
	To   time.Time `json:"valid_to,omitzero"`
}

// Contains reports whether t is inside the window.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.From) && (w.To.IsZero() || t.Before(w.To))
}

// Tier is a volume price: from MinQty units up, each unit costs UnitPrice.
type Tier struct {
	MinQty    int64 `json:"min_qty"`
	UnitPrice int64 `json:"unit_price"`
}

// PriceList prices SKUs for a segment and/or region ("" matches any).
type PriceList struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Segment  string            `json:"segment,omitempty"`
	Region   string            `json:"region,omitempty"`
	Currency models.Currency   `json:"currency"`
	Items    map[string][]Tier `json:"items"` // SKU → tiers; a tier with MinQty 1 is the base price
	Window
}

// CustomerPrice is a negotiated unit price for one customer and SKU.
type CustomerPrice struct {
	ID         string          `json:"id,omitempty"`
	CustomerID string          `json:"customer_id"`
	SKU        string          `json:"sku"`
	UnitPrice  int64           `json:"unit_price"`
	Currency   models.Currency `json:"currency"`
	Window
}

// Promotion discounts lines. Code "" means automatic. SKU "" means every
// line; Segment "" means every customer.
type Promotion struct {
	ID          string          `json:"id"`
	Code        string          `json:"code,omitempty"`
	Description string          `json:"description"`
	SKU         string          `json:"sku,omitempty"`
	Segment     string          `json:"segment,omitempty"`
	MinQty      int64           `json:"min_qty,omitempty"`
	PercentBP   int64           `json:"percent_bp,omitempty"` // 1500 = 15%
	AmountOff   int64           `json:"amount_off,omitempty"` // per unit, minor units
	Currency    models.Currency `json:"currency,omitempty"`   // for AmountOff
	Window
}

// Product is what pricing needs to know of a SKU.
type Product struct {
	SKU       string       `json:"sku"`
	Name      string       `json:"name"`
	ListPrice models.Money `json:"list_price"`
	Active    bool         `json:"active"`
}

// Book is all price data in force: what the store loads for a pricing run.
type Book struct {
	Products       map[string]Product
	PriceLists     []PriceList
	CustomerPrices []CustomerPrice
	Promotions     []Promotion
	TaxRatesBP     map[string]int64 // region → basis points
}

// Customer is who the basket is for.
type Customer struct {
	ID      string `json:"id"`
	Segment string `json:"segment"`
	Region  string `json:"region"`
	// TaxRegion is the region whose tax rates apply, when not Region.
	TaxRegion string          `json:"tax_region,omitempty"`
	Currency  models.Currency `json:"currency"`
}

// CustomerOf is the account as pricing sees it.
func CustomerOf(c models.Customer) Customer {
	return Customer{ID: c.ID, Segment: c.Segment, Region: c.Region, TaxRegion: c.TaxRegion, Currency: c.Currency}
}

// taxRegion is the region whose tax rates apply to c.
func (c Customer) taxRegion() string {
	if c.TaxRegion != "" {
		return c.TaxRegion
	}
	return c.Region
}

// Line is a requested SKU and quantity.
type Line struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// Basket is a pricing request.
type Basket struct {
	Customer  Customer  `json:"customer"`
	Lines     []Line    `json:"lines"`
	PromoCode string    `json:"promo_code,omitempty"`
	At        time.Time `json:"at"` // the pricing date
}

// Adjustment is a discount with its reason.
type Adjustment struct {
	PromotionID string `json:"promotion_id"`
	Reason      string `json:"reason"`
	Amount      int64  `json:"amount"` // positive: taken off
}

// PricedLine is one line with every figure and why.
type PricedLine struct {
	LineNo      int          `json:"line_no"`
	SKU         string       `json:"sku"`
	Name        string       `json:"name"`
	Qty         int64        `json:"qty"`
	ListUnit    int64        `json:"list_unit_price"`
	UnitPrice   int64        `json:"unit_price"`
	PriceSource string       `json:"price_source"`
	Gross       int64        `json:"gross"` // UnitPrice × Qty
	Discounts   []Adjustment `json:"discounts,omitempty"`
	Discount    int64        `json:"discount"`
	Net         int64        `json:"net"`
	TaxBP       int64        `json:"tax_bp"`
	Tax         int64        `json:"tax"`
	Total       int64        `json:"total"`
}

// Result is a priced basket. Amounts are minor units of Currency.
type Result struct {
	Currency  models.Currency `json:"currency"`
	Lines     []PricedLine    `json:"lines"`
	ListTotal int64           `json:"list_total"` // list price × qty, before any price list
	Subtotal  int64           `json:"subtotal"`   // sum of gross
	Discount  int64           `json:"discount"`
	Net       int64           `json:"net"`
	Tax       int64           `json:"tax"`
	Total     int64           `json:"total"`
	// DiscountBP is the overall discount from list price in basis points,
	// for approval policies; rounded half away from zero.
	DiscountBP int64 `json:"discount_bp"`
}

// MaxQty bounds a line's quantity so no product can overflow int64.
const MaxQty = models.MaxQty

// Price prices b under book. Errors are validation errors naming the field.
// Every product, sum and share is checked: an amount that would not fit an
// int64, or a line or total above models.MaxAmount, is refused naming the
// line (or "lines" for the total), never wrapped into a wrong figure.
func Price(book Book, b Basket) (Result, error) {
	if err := validate(book, b); err != nil {
		return Result{}, err
	}
	res := Result{Currency: b.Customer.Currency}
	taxBP := book.TaxRatesBP[b.Customer.taxRegion()]
	var a arith
	for i, l := range b.Lines {
		f := fmt.Sprintf("lines[%d].qty", i)
		p := book.Products[l.SKU]
		unit, source := unitPrice(book, b, l, p)
		pl := PricedLine{LineNo: i + 1, SKU: l.SKU, Name: p.Name, Qty: l.Qty, ListUnit: p.ListPrice.Amount,
			UnitPrice: unit, PriceSource: source, Gross: a.mul(f, unit, l.Qty), TaxBP: taxBP}
		if adj, ok := bestPromotion(book, b, l, pl.Gross); ok {
			pl.Discounts = []Adjustment{adj}
			pl.Discount = adj.Amount
		}
		pl.Net = pl.Gross - pl.Discount // 0 ≤ discount ≤ gross
		pl.Tax = a.mulDiv(f, pl.Net, taxBP, 10_000)
		pl.Total = a.add(f, pl.Net, pl.Tax)
		a.atMost(f, pl.Total)
		res.Lines = append(res.Lines, pl)
		res.ListTotal = a.add(f, res.ListTotal, a.mul(f, p.ListPrice.Amount, l.Qty))
		res.Subtotal = a.add("lines", res.Subtotal, pl.Gross)
		res.Discount = a.add("lines", res.Discount, pl.Discount)
		res.Net = a.add("lines", res.Net, pl.Net)
		res.Tax = a.add("lines", res.Tax, pl.Tax)
		res.Total = a.add("lines", res.Total, pl.Total)
	}
	a.atMost("lines", res.Total)
	if res.ListTotal > 0 {
		res.DiscountBP = a.mulDiv("lines", res.ListTotal-res.Net, 10_000, res.ListTotal)
	}
	if a.err != nil {
		return Result{}, a.err
	}
	return res, nil
}

// arith is checked arithmetic for one pricing: the first amount that does
// not fit an int64, or passes models.MaxAmount, becomes the error, naming
// the field whose value made it; later steps carry on harmlessly.
type arith struct{ err error }

func (a *arith) fail(field string) {
	if a.err == nil {
		a.err = models.Invalid(field, "makes an amount too large to price (at most %s minor units)", fmt.Sprint(models.MaxAmount))
	}
}

func (a *arith) mul(field string, x, y int64) int64 {
	p, ok := models.MulChecked(x, y)
	if !ok {
		a.fail(field)
	}
	return p
}

func (a *arith) add(field string, x, y int64) int64 {
	s, ok := models.AddChecked(x, y)
	if !ok {
		a.fail(field)
	}
	return s
}

func (a *arith) mulDiv(field string, x, y, d int64) int64 {
	q, ok := models.MulDivRound(x, y, d)
	if !ok {
		a.fail(field)
	}
	return q
}

func (a *arith) atMost(field string, amount int64) {
	if amount > models.MaxAmount {
		a.fail(field)
	}
}

func validate(book Book, b Basket) error {
	var v models.Validator
	if err := b.Customer.Currency.Validate(); err != nil {
		v.Add("customer.currency", "%v", err)
	}
	v.Check(len(b.Lines) > 0, "lines", "needs at least one line")
	v.Check(len(b.Lines) <= 200, "lines", "at most 200 lines")
	v.Check(!b.At.IsZero(), "at", "pricing date is required")
	seen := map[string]bool{}
	for i, l := range b.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		p, ok := book.Products[l.SKU]
		switch {
		case !ok:
			v.Add(f+".sku", "unknown SKU %q", l.SKU)
		case !p.Active:
			v.Add(f+".sku", "%q is no longer sold", l.SKU)
		case p.ListPrice.Currency != b.Customer.Currency:
			v.Add(f+".sku", "%q is priced in %s, the customer buys in %s", l.SKU, p.ListPrice.Currency, b.Customer.Currency)
		}
		v.Check(l.Qty >= 1 && l.Qty <= MaxQty, f+".qty", fmt.Sprintf("must be between 1 and %d", MaxQty))
		v.Check(!seen[l.SKU], f+".sku", "appears twice; combine the lines")
		seen[l.SKU] = true
	}
	// No rate on file is not a rate of 0: a region without sales tax has
	// its 0 set explicitly, so a typo in a customer's region cannot price
	// every quote of theirs without tax.
	if region := b.Customer.taxRegion(); region == "" {
		v.Add("customer_id", "the customer has no region, so no tax rate applies: set the customer's region or tax region")
	} else if _, ok := book.TaxRatesBP[region]; !ok {
		v.Add("customer_id", "no tax rate is set for the customer's tax region %q: set the region's rate (Pricing → Tax rates), or correct the customer's region", region)
	}
	if b.PromoCode != "" && !slices.ContainsFunc(book.Promotions, func(p Promotion) bool {
		return strings.EqualFold(p.Code, b.PromoCode) && p.Window.Contains(b.At)
	}) {
		v.Add("promo_code", "is not a valid promotion code on %s", b.At.Format(time.DateOnly))
	}
	return v.Err()
}

func unitPrice(book Book, b Basket, l Line, p Product) (int64, string) {
	for _, cp := range book.CustomerPrices {
		if cp.CustomerID == b.Customer.ID && cp.SKU == l.SKU && cp.Currency == b.Customer.Currency && cp.Window.Contains(b.At) {
			return cp.UnitPrice, "customer price"
		}
	}
	best, bestRank := -1, -1
	for i, pl := range book.PriceLists {
		if pl.Currency != b.Customer.Currency || !pl.Window.Contains(b.At) || len(pl.Items[l.SKU]) == 0 {
			continue
		}
		if (pl.Segment != "" && pl.Segment != b.Customer.Segment) || (pl.Region != "" && pl.Region != b.Customer.Region) {
			continue
		}
		rank := 0
		if pl.Segment != "" {
			rank += 2
		}
		if pl.Region != "" {
			rank++
		}
		// Ties go to the list that started later (the newer), then by id, so
		// the choice never depends on slice order.
		if rank > bestRank || (rank == bestRank && newer(pl, book.PriceLists[best])) {
			best, bestRank = i, rank
		}
	}
	if best >= 0 {
		pl := book.PriceLists[best]
		var chosen *Tier
		for j := range pl.Items[l.SKU] {
			t := &pl.Items[l.SKU][j]
			if t.MinQty <= l.Qty && (chosen == nil || t.MinQty > chosen.MinQty) {
				chosen = t
			}
		}
		if chosen != nil {
			src := "price list " + pl.Name
			if chosen.MinQty > 1 {
				src += fmt.Sprintf(", volume tier %d+", chosen.MinQty)
			}
			return chosen.UnitPrice, src
		}
	}
	return p.ListPrice.Amount, "list price"
}

func newer(a, b PriceList) bool {
	if !a.From.Equal(b.From) {
		return a.From.After(b.From)
	}
	return a.ID > b.ID
}

// promotionOff is what p takes off a line of qty units worth gross: its
// share and its amount per unit together, never more than the line, so a
// share or an amount too large to count is simply the whole line.
func promotionOff(p Promotion, currency models.Currency, qty, gross int64) int64 {
	amount, ok := models.MulDivRound(gross, p.PercentBP, 10_000)
	if !ok || amount > gross {
		return gross
	}
	if p.AmountOff > 0 && (p.Currency == "" || p.Currency == currency) {
		per, ok := models.MulChecked(p.AmountOff, qty)
		if !ok || per > gross-amount {
			return gross
		}
		amount += per
	}
	return amount
}

func bestPromotion(book Book, b Basket, l Line, gross int64) (Adjustment, bool) {
	var best Adjustment
	found := false
	for _, p := range book.Promotions {
		if !p.Window.Contains(b.At) || (p.Code != "" && !strings.EqualFold(p.Code, b.PromoCode)) ||
			(p.SKU != "" && p.SKU != l.SKU) || (p.Segment != "" && p.Segment != b.Customer.Segment) || l.Qty < p.MinQty {
			continue
		}
		amount := promotionOff(p, b.Customer.Currency, l.Qty, gross)
		if amount <= 0 {
			continue
		}
		if !found || amount > best.Amount || (amount == best.Amount && p.ID < best.PromotionID) {
			best, found = Adjustment{PromotionID: p.ID, Reason: p.Description, Amount: amount}, true
		}
	}
	return best, found
}
