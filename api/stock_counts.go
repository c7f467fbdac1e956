package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Stock counts and adjustments: a warehouse manager's count of what is on
// the shelf, or units found, damaged or lost, with the reason.
var stockCounters = []models.Role{models.RoleWarehouseManager}

func (s *Server) stockCountRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/inventory/:sku/counts", Summary: "Record a count (counted: the units on the shelf) or an adjustment (adjust_by: units found, or negative for damaged or lost) of a SKU at a warehouse, with its reason; refused (409) below what is reserved there, naming the orders holding the stock; units found go to waiting backorders by priority and the answer carries the pick list. The key (a count sheet's reference) makes a retry answer with the first result; audited",
			Roles: stockCounters, Handler: s.countStock, Body: countRequest{}},
		{Method: "GET", Path: "/api/v1/inventory/:sku/counts", Summary: "A SKU's counts and adjustments, newest first (the last 100)", Roles: inventoryViewer, Handler: s.listStockCounts},
	}
}

type countRequest struct {
	Key       string `json:"key"`
	Warehouse string `json:"warehouse"`
	Counted   *int64 `json:"counted,omitempty"`
	AdjustBy  int64  `json:"adjust_by,omitempty"`
	Reason    string `json:"reason"`
	Note      string `json:"note,omitempty"`
}

func (r countRequest) Validate() error {
	var v models.Validator
	v.Check(r.Counted == nil || r.AdjustBy == 0, "adjust_by", "give either counted or adjust_by, not both")
	v.Check(r.Counted != nil || r.AdjustBy != 0, "counted", "give the units counted, or adjust_by")
	return v.Err()
}

func (s *Server) countStock(c *gin.Context) {
	var req countRequest
	if !bind(c, &req) {
		return
	}
	ctx, sku := reqCtx(c), c.Param("sku")
	var out models.StockAdjustment
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		out, err = tx.AdjustStock(ctx, store.Adjustment{Key: req.Key, SKU: sku, Warehouse: req.Warehouse, Counted: req.Counted, AdjustBy: req.AdjustBy,
			Reason: req.Reason, Note: req.Note, By: s.subject(c)})
		if err != nil || out.Replayed {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "stock.count", "stock", sku+"@"+req.Warehouse,
			fmt.Sprintf("%s: %d → %d (%s) %s", req.Key, out.Before, out.After, req.Reason, req.Note)))
	})
	if err != nil {
		fail(c, err)
		return
	}
	if out.Run != nil {
		s.wakeAllocator(ctx, sku) // the orders hear of their filled backorders
	}
	status := http.StatusCreated
	if out.Replayed {
		status = http.StatusOK
	}
	c.JSON(status, out)
}

func (s *Server) listStockCounts(c *gin.Context) {
	ctx, sku := reqCtx(c), c.Param("sku")
	if _, err := s.Store.ProductBySKU(ctx, sku); err != nil {
		fail(c, err)
		return
	}
	counts, err := s.Store.StockAdjustments(ctx, sku, 100)
	respond(c, http.StatusOK, gin.H{"sku": sku, "counts": counts}, err)
}
