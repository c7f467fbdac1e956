package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

var (
	orderReaders   = []models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager, models.RoleCustomerService, models.RoleServiceManager, models.RoleWarehouseManager, models.RoleFinance, models.RoleExecutive}
	orderCancelers = []models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager, models.RoleCustomerService, models.RoleServiceManager}
)

func (s *Server) orderRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/orders", Answer: store.List[models.OrderRecord]{}, Summary: "List orders (?status=, staff: ?customer_id=; a customer sees their own)", Roles: orderReaders, Handler: s.listOrders},
		{Method: "GET", Path: "/api/v1/orders/:id", Answer: orderAnswer{}, Summary: "An order with its lines, allocation and timeline", Roles: orderReaders, Handler: s.getOrder},
		{Method: "POST", Path: "/api/v1/orders/:id/cancel", Answer: workflows.OrderState{}, Summary: "Cancel what has not shipped, releasing its stock", Roles: orderCancelers, Handler: s.cancelOrder, Body: cancelRequest{}},
	}
}

func (s *Server) listOrders(c *gin.Context) {
	p, _ := principalOf(c)
	status, err := statusFilter(c, workflows.OrderStatuses)
	if err != nil {
		fail(c, err)
		return
	}
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.OrderRecord], error) {
		return s.Store.ListOrders(ctx, customerScope(c, p), status, page)
	})
}

func (s *Server) orderFor(c *gin.Context) (workflows.OrderState, error) {
	var st workflows.OrderState
	err := s.readModelOrLive(c, "order", workflows.OrderWorkflowID(c.Param("id")), func() (string, string, error) {
		rec, err := s.Store.OrderByID(reqCtx(c), c.Param("id"))
		return rec.CustomerID, rec.State, err
	}, &st, func() string { return st.CustomerID })
	return st, err
}

// orderAnswer is an order with where its reserved units wait: each
// active reservation's line, warehouse and quantity.
type orderAnswer struct {
	workflows.OrderState
	Reservations []models.Reservation `json:"reservations"`
}

func (s *Server) getOrder(c *gin.Context) {
	st, err := s.orderFor(c)
	if err != nil {
		fail(c, err)
		return
	}
	rs, err := s.Store.OrderReservations(reqCtx(c), st.OrderID)
	respond(c, http.StatusOK, orderAnswer{OrderState: st, Reservations: rs}, err)
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) cancelOrder(c *gin.Context) {
	var req cancelRequest
	if !bind(c, &req) {
		return
	}
	s.orderUpdate(c, workflows.UpdateOrderCancel, workflows.CancelInput{Actor: actorOf(c), Reason: req.Reason})
}
