package api

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
)

var (
	pricingEditors = []models.Role{models.RolePricingAnalyst}
	pricingReaders = []models.Role{models.RolePricingAnalyst, models.RoleSalesManager, models.RoleFinance, models.RoleExecutive, models.RoleITAdmin}
	taxEditors     = []models.Role{models.RolePricingAnalyst, models.RoleFinance}
	previewers     = []models.Role{models.RolePricingAnalyst, models.RoleSalesRep, models.RoleSalesManager}
)

func (s *Server) pricingRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/pricing/rules", Summary: "Every price list, customer price, promotion and tax rate, in force or not", Roles: pricingReaders, Handler: s.pricingRules},
		{Method: "POST", Path: "/api/v1/pricing/price-lists", Summary: "Create a price list with volume tiers and an effective window", Roles: pricingEditors, Handler: s.createPriceList, Body: priceListRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/price-lists/:id/end", Summary: "End a price list at a date (history is kept)", Roles: pricingEditors, Handler: s.endRule(store.RulePriceList), Body: endRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/customer-prices", Summary: "Create a customer-specific price", Roles: pricingEditors, Handler: s.createCustomerPrice, Body: customerPriceRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/customer-prices/:id/end", Summary: "End a customer price at a date (history is kept; ending again at the same date changes nothing)", Roles: pricingEditors, Handler: s.endRule(store.RuleCustomerPrice), Body: endRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/customer-prices/:id/replace", Summary: "Correct a customer price from a date on: the price in force ends then and the new one takes over until it would have ended (history is kept; a retry finds the correction made)", Roles: pricingEditors, Handler: s.replaceCustomerPrice, Body: replacePriceRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/promotions", Summary: "Create a promotion or special offer", Roles: pricingEditors, Handler: s.createPromotion, Body: promotionRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/promotions/:id/end", Summary: "End a promotion at a date (history is kept; ending again at the same date changes nothing)", Roles: pricingEditors, Handler: s.endRule(store.RulePromotion), Body: endRequest{}},
		{Method: "PUT", Path: "/api/v1/pricing/tax-rates/:region", Summary: "Set a region's tax rate from a date on", Roles: taxEditors, Handler: s.setTaxRate, Body: taxRateRequest{}},
		{Method: "POST", Path: "/api/v1/pricing/preview", Summary: "Price a basket now and under draft pricing changes", Roles: previewers, Handler: s.previewPricing, Body: previewRequest{}},
	}
}

func (s *Server) pricingRules(c *gin.Context) {
	h, err := s.Store.PricingRules(reqCtx(c))
	respond(c, http.StatusOK, h, err)
}

func validateWindow(v *models.Validator, w pricing.Window) {
	v.Check(!w.From.IsZero(), "valid_from", "is required (RFC 3339)")
	v.Check(w.To.IsZero() || w.To.After(w.From), "valid_to", "must be after valid_from")
}

type priceListRequest struct{ pricing.PriceList }

func (r priceListRequest) Validate() error {
	var v models.Validator
	v.Text("name", r.Name, true, models.MaxNameLen)
	if err := r.Currency.Validate(); err != nil {
		v.Add("currency", "%v", err)
	}
	validateWindow(&v, r.Window)
	v.Check(len(r.Items) > 0, "items", "needs at least one SKU")
	v.Check(len(r.Items) <= 10_000, "items", "at most 10000 SKUs")
	for sku, tiers := range r.Items {
		v.Check(len(tiers) > 0, "items."+sku, "needs at least one tier")
		seen := map[int64]bool{}
		for i, t := range tiers {
			f := fmt.Sprintf("items.%s[%d]", sku, i)
			v.Qty(f+".min_qty", t.MinQty)
			v.Check(t.UnitPrice >= 0 && t.UnitPrice <= models.MaxUnitPrice, f+".unit_price", fmt.Sprintf("must be between 0 and %d minor units", models.MaxUnitPrice))
			v.Check(!seen[t.MinQty], f+".min_qty", "repeats another tier")
			seen[t.MinQty] = true
		}
	}
	return v.Err()
}

func (s *Server) createPriceList(c *gin.Context) {
	var req priceListRequest
	if !bind(c, &req) {
		return
	}
	ctx, pl := reqCtx(c), req.PriceList
	pl.ID = ""
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := knownSKUs(c, tx, pl.Currency, pl.Items); err != nil {
			return err
		}
		if err := tx.CreatePriceList(ctx, &pl, s.subject(c)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "price_list.create", "price_list", pl.ID, pl.Name))
	})
	respond(c, http.StatusCreated, pl, err)
}

// knownSKUs checks that a price list's items are products sold in its
// currency: pricing prices a product only in the currency of its list
// price, so an item in another would be accepted and never used.
func knownSKUs(c *gin.Context, tx *store.Store, currency models.Currency, items map[string][]pricing.Tier) error {
	book, err := tx.PricingBook(reqCtx(c), time.Now())
	if err != nil {
		return err
	}
	var v models.Validator
	for _, sku := range slices.Sorted(maps.Keys(items)) {
		p, ok := book.Products[sku]
		switch {
		case !ok:
			v.Add("items."+sku, "is not a SKU in the catalog")
		case p.ListPrice.Currency != currency:
			v.Add("items."+sku, "is sold in %s, not %s: a price in %s would never be used", p.ListPrice.Currency, currency, currency)
		}
	}
	return v.Err()
}

type endRequest struct {
	At time.Time `json:"at"`
}

func (r endRequest) Validate() error {
	var v models.Validator
	v.Check(!r.At.IsZero(), "at", "is required (RFC 3339)")
	return v.Err()
}

// endRule ends a price list, customer price or promotion at a date.
func (s *Server) endRule(kind string) gin.HandlerFunc {
	action := map[string]string{store.RulePriceList: "price_list", store.RuleCustomerPrice: "customer_price", store.RulePromotion: "promotion"}[kind]
	return func(c *gin.Context) {
		var req endRequest
		if !bind(c, &req) {
			return
		}
		ctx, id := reqCtx(c), c.Param("id")
		err := s.Store.Tx(ctx, func(tx *store.Store) error {
			if err := tx.EndPricingRule(ctx, kind, id, req.At); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, s.audit(c, action+".end", action, id, req.At.UTC().Format(time.RFC3339)))
		})
		respond(c, http.StatusOK, gin.H{"id": id, "valid_to": req.At.UTC()}, err)
	}
}

type replacePriceRequest struct {
	UnitPrice int64     `json:"unit_price"`
	ValidFrom time.Time `json:"valid_from"`
}

func (r replacePriceRequest) Validate() error {
	var v models.Validator
	v.Check(r.UnitPrice >= 0 && r.UnitPrice <= models.MaxUnitPrice, "unit_price", fmt.Sprintf("must be between 0 and %d minor units", models.MaxUnitPrice))
	v.Check(!r.ValidFrom.IsZero(), "valid_from", "is required (RFC 3339)")
	return v.Err()
}

func (s *Server) replaceCustomerPrice(c *gin.Context) {
	var req replacePriceRequest
	if !bind(c, &req) {
		return
	}
	ctx, id := reqCtx(c), c.Param("id")
	var newID string
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if newID, err = tx.ReplaceCustomerPrice(ctx, id, req.UnitPrice, req.ValidFrom, s.subject(c)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "customer_price.replace", "customer_price", id,
			fmt.Sprintf("by %s: %d from %s", newID, req.UnitPrice, req.ValidFrom.UTC().Format(time.RFC3339))))
	})
	respond(c, http.StatusCreated, gin.H{"id": newID, "replaces": id, "unit_price": req.UnitPrice, "valid_from": req.ValidFrom.UTC()}, err)
}

type customerPriceRequest struct{ pricing.CustomerPrice }

func (r customerPriceRequest) Validate() error {
	var v models.Validator
	v.Check(r.CustomerID != "", "customer_id", "is required")
	v.Check(r.SKU != "", "sku", "is required")
	v.Check(r.UnitPrice >= 0, "unit_price", "must not be negative")
	if err := r.Currency.Validate(); err != nil {
		v.Add("currency", "%v", err)
	}
	validateWindow(&v, r.Window)
	return v.Err()
}

func (s *Server) createCustomerPrice(c *gin.Context) {
	var req customerPriceRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	var id string
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if id, err = tx.CreateCustomerPrice(ctx, req.CustomerPrice, s.subject(c)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "customer_price.create", "customer_price", id, req.CustomerID+"/"+req.SKU))
	})
	respond(c, http.StatusCreated, gin.H{"id": id, "customer_price": req.CustomerPrice}, err)
}

type promotionRequest struct{ pricing.Promotion }

func (r promotionRequest) Validate() error {
	var v models.Validator
	v.Check(strings.TrimSpace(r.Description) != "", "description", "is required")
	v.Check(r.PercentBP >= 0 && r.PercentBP <= 10_000, "percent_bp", "must be between 0 and 10000 (100%)")
	v.Check(r.AmountOff >= 0, "amount_off", "must not be negative")
	v.Check(r.PercentBP > 0 || r.AmountOff > 0, "percent_bp", "a promotion needs percent_bp or amount_off")
	v.Check(r.AmountOff == 0 || r.Currency.Validate() == nil, "currency", "is required with amount_off")
	v.Check(r.MinQty >= 0, "min_qty", "must not be negative")
	validateWindow(&v, r.Window)
	return v.Err()
}

func (s *Server) createPromotion(c *gin.Context) {
	var req promotionRequest
	if !bind(c, &req) {
		return
	}
	ctx, p := reqCtx(c), req.Promotion
	p.ID = ""
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreatePromotion(ctx, &p, s.subject(c)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "promotion.create", "promotion", p.ID, p.Code))
	})
	respond(c, http.StatusCreated, p, err)
}

type taxRateRequest struct {
	RateBP    int64     `json:"rate_bp"`
	ValidFrom time.Time `json:"valid_from"`
}

func (r taxRateRequest) Validate() error {
	var v models.Validator
	v.Check(r.RateBP >= 0 && r.RateBP <= 10_000, "rate_bp", "must be between 0 and 10000")
	v.Check(!r.ValidFrom.IsZero(), "valid_from", "is required (RFC 3339)")
	return v.Err()
}

func (s *Server) setTaxRate(c *gin.Context) {
	var req taxRateRequest
	if !bind(c, &req) {
		return
	}
	ctx, region := reqCtx(c), c.Param("region")
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.SetTaxRate(ctx, region, req.RateBP, req.ValidFrom, s.subject(c)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "tax_rate.set", "tax_rate", region, fmt.Sprintf("%d bp from %s", req.RateBP, req.ValidFrom.UTC().Format(time.RFC3339))))
	})
	respond(c, http.StatusOK, gin.H{"region": region, "rate_bp": req.RateBP, "valid_from": req.ValidFrom.UTC()}, err)
}

type previewRequest struct {
	CustomerID string         `json:"customer_id"`
	Lines      []pricing.Line `json:"lines"`
	PromoCode  string         `json:"promo_code"`
	At         time.Time      `json:"at"` // default: now
	Draft      struct {
		PriceLists     []pricing.PriceList     `json:"price_lists"`
		CustomerPrices []pricing.CustomerPrice `json:"customer_prices"`
		Promotions     []pricing.Promotion     `json:"promotions"`
		TaxRatesBP     map[string]int64        `json:"tax_rates_bp"`
	} `json:"draft"`
}

func (r previewRequest) Validate() error {
	var v models.Validator
	v.Check(r.CustomerID != "", "customer_id", "is required")
	v.Check(len(r.Lines) > 0, "lines", "needs at least one line")
	return v.Err()
}

type previewResponse struct {
	At      time.Time      `json:"at"`
	Current pricing.Result `json:"current"`
	Draft   pricing.Result `json:"draft"`
	// Difference is draft total minus current total, minor units.
	Difference int64 `json:"difference"`
}

// previewPricing prices a basket under the rules in force and again with the
// draft rules added, without saving anything.
func (s *Server) previewPricing(c *gin.Context) {
	var req previewRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	if req.At.IsZero() {
		req.At = time.Now().UTC()
	}
	cust, err := s.Store.CustomerByID(ctx, req.CustomerID)
	if err != nil {
		fail(c, notFoundAsInvalid(err, "customer_id"))
		return
	}
	book, err := s.Store.PricingBook(ctx, req.At)
	if err != nil {
		fail(c, err)
		return
	}
	basket := pricing.Basket{Customer: pricing.CustomerOf(cust),
		Lines: req.Lines, PromoCode: req.PromoCode, At: req.At}
	current, err := pricing.Price(book, basket)
	if err != nil {
		fail(c, err)
		return
	}
	draft := book
	draft.PriceLists = append(append([]pricing.PriceList{}, book.PriceLists...), req.Draft.PriceLists...)
	draft.CustomerPrices = append(append([]pricing.CustomerPrice{}, book.CustomerPrices...), req.Draft.CustomerPrices...)
	draft.Promotions = append(append([]pricing.Promotion{}, book.Promotions...), req.Draft.Promotions...)
	draft.TaxRatesBP = map[string]int64{}
	for k, v := range book.TaxRatesBP {
		draft.TaxRatesBP[k] = v
	}
	for k, v := range req.Draft.TaxRatesBP {
		draft.TaxRatesBP[k] = v
	}
	proposed, err := pricing.Price(draft, basket)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, previewResponse{At: req.At, Current: current, Draft: proposed, Difference: proposed.Total - current.Total})
}

func (s *Server) subject(c *gin.Context) string {
	p, _ := principalOf(c)
	return p.Subject()
}
