package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/atp"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

var (
	catalogEditors = []models.Role{models.RolePricingAnalyst, models.RoleSupplyChain}
	supplyPlanners = []models.Role{models.RoleSupplyChain, models.RoleProductionManager, models.RoleWarehouseManager}
	supplyViewers  = append([]models.Role{models.RoleSupplyChain}, inventoryViewer...)
)

func (s *Server) inventoryRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/inventory/:sku/availability", Summary: "Live stock per warehouse, open supply and available-to-promise for ?qty=", Roles: inventoryViewer, Handler: s.availability},
		{Method: "PUT", Path: "/api/v1/products/:sku", Answer: models.Product{}, Summary: "Create or change a catalog product", Roles: catalogEditors, Handler: s.putProduct, Body: productRequest{}},
		{Method: "GET", Path: "/api/v1/supply-orders", Answer: store.List[models.SupplyOrder]{}, Summary: "Purchase and production orders (?sku=, ?open=true)", Roles: supplyViewers, Handler: s.listSupplyOrders},
		{Method: "POST", Path: "/api/v1/supply-orders", Summary: "Record an incoming purchase or production order", Roles: supplyPlanners, Handler: s.createSupplyOrder, Body: supplyOrderRequest{}},
		{Method: "PATCH", Path: "/api/v1/supply-orders/:id", Summary: "Move a supply order's expected date", Roles: supplyPlanners, Handler: s.moveSupplyETA, Body: moveETARequest{}},
		{Method: "POST", Path: "/api/v1/supply-orders/:id/cancel", Summary: "Cancel a supply order that will not come; backorder ETAs follow", Roles: supplyPlanners, Handler: s.cancelSupplyOrder, Body: cancelRequest{}},
	}
}

type availabilityView struct {
	store.Availability
	Promise *atp.Promise `json:"promise,omitempty"`
}

func (s *Server) availability(c *gin.Context) {
	var qty int64
	if q := c.Query("qty"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 1 {
			fail(c, models.Invalid("qty", "must be a positive whole number"))
			return
		}
		qty = n
	}
	a, err := s.Store.AvailabilityOf(reqCtx(c), c.Param("sku"), time.Now())
	if err != nil {
		fail(c, err)
		return
	}
	v := availabilityView{Availability: a}
	if qty > 0 {
		p := a.Position.Promise(qty)
		v.Promise = &p
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) listSupplyOrders(c *gin.Context) {
	listPage(c, func(ctx context.Context, p store.Page) (store.List[models.SupplyOrder], error) {
		return s.Store.ListSupplyOrders(ctx, c.Query("sku"), c.Query("open") == "true", p)
	})
}

type supplyOrderRequest struct {
	Kind       string    `json:"kind"`
	Reference  string    `json:"reference"`
	SKU        string    `json:"sku"`
	Warehouse  string    `json:"warehouse"`
	Qty        int64     `json:"qty"`
	ExpectedAt time.Time `json:"expected_at"`
}

func (r supplyOrderRequest) Validate() error {
	var v models.Validator
	v.Check(r.Kind == models.SupplyPurchase || r.Kind == models.SupplyProduction, "kind", "must be purchase or production")
	v.Text("reference", r.Reference, false, models.MaxNameLen)
	v.Text("sku", r.SKU, true, models.MaxCodeLen)
	v.Text("warehouse", r.Warehouse, true, models.MaxCodeLen)
	v.Qty("qty", r.Qty)
	checkExpected(&v, r.ExpectedAt)
	return v.Err()
}

// checkExpected refuses a supply date before today (UTC): stock that was
// due and has not come is late, and would make every ETA behind it overdue
// at once; move it to when it will come.
func checkExpected(v *models.Validator, at time.Time) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	v.Check(!at.IsZero(), "expected_at", "is required (RFC 3339)")
	v.Check(at.IsZero() || !at.Before(today), "expected_at", "must not be before today ("+today.Format(time.DateOnly)+")")
}

func (s *Server) createSupplyOrder(c *gin.Context) {
	var req supplyOrderRequest
	if !bind(c, &req) {
		return
	}
	o := models.SupplyOrder{Kind: req.Kind, Reference: req.Reference, SKU: req.SKU, WarehouseCode: req.Warehouse, Qty: req.Qty,
		ExpectedAt: req.ExpectedAt, CreatedBy: s.subject(c)}
	s.changeSupply(c, http.StatusCreated, func(ctx context.Context, tx *store.Store) (models.SupplyOrder, models.AuditEvent, error) {
		if err := tx.CreateSupplyOrder(ctx, &o); err != nil {
			return o, models.AuditEvent{}, notFoundAsInvalid(err, "sku")
		}
		return o, s.audit(c, "supply_order.create", "supply_order", o.ID, o.SKU), nil
	})
}

// changeSupply runs a supply change and its audit entry in one transaction
// and answers with the order. Then it wakes the SKU's allocator: backorder
// ETAs have followed the change, and whoever's date moved is to be told.
func (s *Server) changeSupply(c *gin.Context, status int, change func(context.Context, *store.Store) (models.SupplyOrder, models.AuditEvent, error)) {
	ctx := reqCtx(c)
	var o models.SupplyOrder
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var audit models.AuditEvent
		var err error
		if o, audit, err = change(ctx, tx); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit)
	})
	if err == nil {
		s.wakeAllocator(ctx, o.SKU)
	}
	respond(c, status, o, err)
}

type moveETARequest struct {
	ExpectedAt time.Time `json:"expected_at"`
}

func (r moveETARequest) Validate() error {
	var v models.Validator
	checkExpected(&v, r.ExpectedAt)
	return v.Err()
}

func (s *Server) moveSupplyETA(c *gin.Context) {
	var req moveETARequest
	if !bind(c, &req) {
		return
	}
	s.changeSupply(c, http.StatusOK, func(ctx context.Context, tx *store.Store) (models.SupplyOrder, models.AuditEvent, error) {
		before, after, err := tx.MoveSupplyETA(ctx, c.Param("id"), req.ExpectedAt)
		return after, s.audit(c, "supply_order.move_eta", "supply_order", after.ID,
			before.ExpectedAt.Format(time.DateOnly)+" -> "+after.ExpectedAt.Format(time.DateOnly)), err
	})
}

func (s *Server) cancelSupplyOrder(c *gin.Context) {
	var req cancelRequest
	if !bind(c, &req) {
		return
	}
	s.changeSupply(c, http.StatusOK, func(ctx context.Context, tx *store.Store) (models.SupplyOrder, models.AuditEvent, error) {
		o, err := tx.CancelSupplyOrder(ctx, c.Param("id"))
		return o, s.audit(c, "supply_order.cancel", "supply_order", o.ID, req.Reason), err
	})
}

type stockRow struct {
	models.StockLevel
	Available int64 `json:"available"`
}

func (s *Server) listInventory(c *gin.Context) {
	levels, err := s.Store.StockFor(reqCtx(c), c.Query("sku"))
	rows := make([]stockRow, len(levels))
	for i, l := range levels {
		rows[i] = stockRow{StockLevel: l, Available: l.Available()}
	}
	respond(c, http.StatusOK, gin.H{"items": rows}, err)
}
