package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

var (
	shippers       = []models.Role{models.RoleWarehouseManager}
	paymentTakers  = []models.Role{models.RoleFinance}
	invoiceReaders = []models.Role{models.RoleCustomer, models.RoleFinance, models.RoleCustomerService, models.RoleServiceManager, models.RoleSalesManager, models.RoleExecutive}
)

func (s *Server) billingRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/orders/:id/shipments", Answer: workflows.OrderState{}, Summary: "Confirm a shipment picked, packed and handed to a carrier; issues its invoice", Roles: shippers, Handler: s.shipOrder, Body: shipRequest{}},
		{Method: "POST", Path: "/api/v1/orders/:id/payments", Answer: workflows.OrderState{}, Summary: "Record a payment against one of the order's invoices", Roles: paymentTakers, Handler: s.payOrder, Body: payRequest{}},
		{Method: "GET", Path: "/api/v1/invoices", Answer: store.List[models.Invoice]{}, Summary: "List invoices (?order_id=, ?status=, staff: ?customer_id=; a customer sees their own)", Roles: invoiceReaders, Handler: s.listInvoices},
		{Method: "GET", Path: "/api/v1/invoices/:id", Answer: invoiceView{}, Summary: "An invoice with its lines, its customer's name and the payments received against it", Roles: invoiceReaders, Handler: s.getInvoice},
	}
}

type shipRequest struct {
	Carrier  string                    `json:"carrier"`
	Tracking string                    `json:"tracking"`
	Lines    []workflows.ShipLineInput `json:"lines"`
}

func (r shipRequest) Validate() error {
	var v models.Validator
	v.Text("carrier", r.Carrier, true, models.MaxNameLen)
	v.Text("tracking", r.Tracking, true, models.MaxNameLen)
	v.Check(len(r.Lines) > 0, "lines", "needs at least one line")
	v.Check(len(r.Lines) <= maxLines, "lines", fmt.Sprintf("at most %d lines", maxLines))
	for i, l := range r.Lines {
		v.Check(l.LineNo > 0 && l.LineNo <= maxLines, fmt.Sprintf("lines[%d].line_no", i), fmt.Sprintf("must be between 1 and %d", maxLines))
		v.Qty(fmt.Sprintf("lines[%d].qty", i), l.Qty)
	}
	return v.Err()
}

func (s *Server) shipOrder(c *gin.Context) {
	var req shipRequest
	if !bind(c, &req) {
		return
	}
	s.orderUpdate(c, workflows.UpdateOrderShip, workflows.ShipInput{Actor: actorOf(c), Carrier: req.Carrier, Tracking: req.Tracking, Lines: req.Lines})
}

type payRequest struct {
	InvoiceID string `json:"invoice_id"`
	Reference string `json:"reference"`
	Amount    int64  `json:"amount"`
	Method    string `json:"method"`
}

func (r payRequest) Validate() error {
	var v models.Validator
	v.Text("invoice_id", r.InvoiceID, true, models.MaxCodeLen)
	v.Text("reference", r.Reference, true, models.MaxNameLen)
	v.Amount("amount", r.Amount, 1)
	v.Text("method", r.Method, false, models.MaxCodeLen)
	return v.Err()
}

func (s *Server) payOrder(c *gin.Context) {
	var req payRequest
	if !bind(c, &req) {
		return
	}
	// A payment is bounded by what is open on its invoice plus the
	// configured over-payment tolerance (the excess becomes credit). The
	// order workflow checks the same bound against its own state, which
	// decides when two payments race; this read only gives the field error.
	inv, err := s.Store.InvoiceByID(reqCtx(c), req.InvoiceID)
	switch {
	case errors.Is(err, models.ErrNotFound) || (err == nil && inv.OrderID != c.Param("id")):
		fail(c, models.Invalid("invoice_id", "is not an invoice of order %s", c.Param("id")))
		return
	case err != nil:
		fail(c, err)
		return
	}
	prior, err := s.Store.PaymentByReference(reqCtx(c), req.InvoiceID, req.Reference)
	recorded := err == nil
	switch {
	case err != nil && !errors.Is(err, models.ErrNotFound):
		fail(c, err)
		return
	case recorded && prior.Amount != req.Amount:
		// The same reference is how a payment entered twice counts once, so
		// another amount under it is another payment: recording nothing and
		// answering as if it were the first would lose it without a word.
		fail(c, models.Invalid("reference", "%s is already the payment of %s on %s, recorded %s; a different payment needs a reference of its own",
			req.Reference, models.NewMoney(prior.Amount, inv.Currency), inv.ID, prior.ReceivedAt.UTC().Format(time.DateOnly)))
		return
	case req.Amount > inv.Balance()+s.MaxOverpayment && !recorded:
		m := func(a int64) string { return fmt.Sprintf("%s (%d minor units)", models.NewMoney(a, inv.Currency), a) }
		fail(c, models.Invalid("amount", "must be at most %s: %s open on %s plus an over-payment tolerance of %s",
			m(inv.Balance()+s.MaxOverpayment), m(inv.Balance()), inv.ID, m(s.MaxOverpayment)))
		return
	}
	s.orderUpdate(c, workflows.UpdateOrderPay, workflows.PayInput{Actor: actorOf(c), InvoiceID: req.InvoiceID, Reference: req.Reference,
		Amount: req.Amount, Method: req.Method, MaxOverpayment: s.MaxOverpayment})
}

// orderUpdate sends an Update to an order the caller may see.
func (s *Server) orderUpdate(c *gin.Context, name string, arg any) {
	if _, err := s.orderFor(c); err != nil {
		fail(c, err)
		return
	}
	var st workflows.OrderState
	if s.update(c, workflows.OrderWorkflowID(c.Param("id")), "/api/v1/orders/"+c.Param("id"), name, arg, &st) {
		c.JSON(http.StatusOK, st)
	}
}

func (s *Server) listInvoices(c *gin.Context) {
	p, _ := principalOf(c)
	status, err := statusFilter(c, models.InvoiceStatuses)
	if err != nil {
		fail(c, err)
		return
	}
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Invoice], error) {
		return s.Store.ListInvoices(ctx, customerScope(c, p), c.Query("order_id"), status, page)
	})
}

type invoiceView struct {
	models.Invoice
	CustomerName string `json:"customer_name"`
	Balance      int64  `json:"balance"`
	// Credited is the part of Paid that credit notes paid.
	Credited int64                   `json:"credited"`
	Lines    []workflows.InvoiceLine `json:"lines"`
	// Payments received against it, oldest first.
	Payments []models.Payment `json:"payments"`
}

func (s *Server) getInvoice(c *gin.Context) {
	inv, err := s.Store.InvoiceByID(reqCtx(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if p, _ := principalOf(c); p.IsCustomer() && inv.CustomerID != p.CustomerID {
		fail(c, models.NotFound("invoice", c.Param("id")))
		return
	}
	v := invoiceView{Invoice: inv, Balance: inv.Balance()}
	if v.Credited, err = s.Store.InvoiceCredited(reqCtx(c), inv.ID); err != nil {
		fail(c, err)
		return
	}
	if v.Payments, err = s.Store.InvoicePayments(reqCtx(c), inv.ID); err != nil {
		fail(c, err)
		return
	}
	cust, err := s.Store.CustomerByID(reqCtx(c), inv.CustomerID)
	if err != nil {
		fail(c, err)
		return
	}
	v.CustomerName = cust.Name
	if err := json.Unmarshal([]byte(inv.Lines), &v.Lines); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
