package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Standard costs: what a unit costs, effective-dated like prices, so that
// margin is real. Pricing analysts and finance keep them.
var costEditors = []models.Role{models.RolePricingAnalyst, models.RoleFinance}

func (s *Server) costRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/products/:sku/costs", Summary: "A product's standard costs, newest first, with their effective windows", Roles: pricingReaders, Handler: s.productCosts},
		{Method: "POST", Path: "/api/v1/products/:sku/costs", Summary: "Set a product's standard cost from a date on; the cost in force then ends at that moment (figures already booked keep theirs)",
			Roles: costEditors, Handler: s.setProductCost, Body: costRequest{}},
	}
}

type costRequest struct {
	Currency  models.Currency `json:"currency"`
	UnitCost  int64           `json:"unit_cost"` // minor units
	ValidFrom time.Time       `json:"valid_from"`
}

func (r costRequest) Validate() error {
	var v models.Validator
	if err := r.Currency.Validate(); err != nil {
		v.Add("currency", "%v", err)
	}
	v.Amount("unit_cost", r.UnitCost, 0)
	v.Check(!r.ValidFrom.IsZero(), "valid_from", "is required (RFC 3339)")
	return v.Err()
}

func (s *Server) productCosts(c *gin.Context) {
	ctx, sku := reqCtx(c), c.Param("sku")
	if _, err := s.Store.ProductBySKU(ctx, sku); err != nil {
		fail(c, err)
		return
	}
	costs, err := s.Store.ProductCosts(ctx, sku)
	respond(c, http.StatusOK, gin.H{"sku": sku, "costs": costs}, err)
}

func (s *Server) setProductCost(c *gin.Context) {
	var req costRequest
	if !bind(c, &req) {
		return
	}
	ctx, sku := reqCtx(c), c.Param("sku")
	if _, err := s.Store.ProductBySKU(ctx, sku); err != nil {
		fail(c, err)
		return
	}
	cost := store.ProductCost{SKU: sku, Currency: req.Currency, UnitCost: req.UnitCost, ValidFrom: req.ValidFrom, CreatedBy: s.subject(c)}
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.SetProductCost(ctx, &cost); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "product_cost.set", "product", sku,
			fmt.Sprintf("%s from %s", models.NewMoney(req.UnitCost, req.Currency), req.ValidFrom.UTC().Format(time.RFC3339))))
	})
	respond(c, http.StatusCreated, cost, err)
}
