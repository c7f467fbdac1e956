package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Returns and credit notes: a customer (for their own order) or customer
// service authorizes a return of shipped units; the warehouse receives it
// (sellable units go back to stock and to waiting backorders) and a credit
// note per invoice gives the money back; finance corrects a price or
// cancels an unpaid invoice by credit note, and refunds unused credit.
var (
	returnRequesters = []models.Role{models.RoleCustomer, models.RoleCustomerService, models.RoleServiceManager}
	returnReceivers  = []models.Role{models.RoleWarehouseManager}
	returnReaders    = []models.Role{models.RoleCustomer, models.RoleCustomerService, models.RoleServiceManager, models.RoleWarehouseManager,
		models.RoleFinance, models.RoleSalesRep, models.RoleSalesManager, models.RoleExecutive}
	creditIssuers = []models.Role{models.RoleFinance}
	creditReaders = []models.Role{models.RoleCustomer, models.RoleFinance, models.RoleCustomerService, models.RoleServiceManager,
		models.RoleSalesRep, models.RoleSalesManager, models.RoleExecutive}
)

func (s *Server) returnRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/returns", Answer: models.Return{}, Summary: "Authorize a return (RMA) of shipped units of an order's lines, with a reason (a customer for their own orders); refused beyond what was shipped and not yet returned",
			Roles: returnRequesters, Handler: s.createReturn, Body: returnRequest{}},
		{Method: "GET", Path: "/api/v1/orders/:id/returnable", Summary: "How many units of each of the order's lines can still be returned (billed, not on a return that was not cancelled)",
			Roles: returnRequesters, Handler: s.returnableUnits},
		{Method: "GET", Path: "/api/v1/returns", Answer: store.List[models.Return]{}, Summary: "Returns, newest first (?status=, ?order_id=, staff: ?customer_id=; a customer sees their own)", Roles: returnReaders, Handler: s.listReturns},
		{Method: "GET", Path: "/api/v1/returns/:id", Answer: models.Return{}, Summary: "A return with its lines and credit notes", Roles: returnReaders, Handler: s.getReturn},
		{Method: "POST", Path: "/api/v1/returns/:id/receive", Answer: receivedReturn{}, Summary: "Receive a return at a warehouse: per line the units that came back and how many of them are sellable; sellable units go back to stock through the SKU's lock and fill waiting backorders by priority (the answer carries the pick lists), and a credit note per invoice credits what came back",
			Roles: returnReceivers, Handler: s.receiveReturn, Body: receiveReturnRequest{}},
		{Method: "POST", Path: "/api/v1/returns/:id/cancel", Answer: models.Return{}, Summary: "Cancel a return whose goods will not come, with the reason", Roles: returnRequesters, Handler: s.cancelReturn, Body: cancelRequest{}},
		{Method: "POST", Path: "/api/v1/invoices/:id/credit-notes", Answer: models.CreditNote{}, Summary: "Issue a credit note on an invoice: a price correction (amount, tax included) or a cancellation of an unpaid invoice (the whole invoice; it becomes void, never deleted). Numbered gap-free CN-000001…; it pays the invoice's balance first and the rest becomes credit on the customer's account",
			Roles: creditIssuers, Handler: s.creditInvoice, Body: creditNoteRequest{}},
		{Method: "GET", Path: "/api/v1/credit-notes", Answer: store.List[models.CreditNote]{}, Summary: "Credit notes, newest first (?invoice_id=, staff: ?customer_id=; a customer sees their own)", Roles: creditReaders, Handler: s.listCreditNotes},
		{Method: "GET", Path: "/api/v1/credit-notes/:id", Answer: models.CreditNote{}, Summary: "A credit note", Roles: creditReaders, Handler: s.getCreditNote},
		{Method: "POST", Path: "/api/v1/customers/:id/refunds", Answer: models.Refund{}, Summary: "Refund a customer's unused credit in one currency (at most what is unused)", Roles: creditIssuers, Handler: s.refund, Body: refundRequest{}},
	}
}

type returnRequest struct {
	OrderID string            `json:"order_id"`
	Lines   []store.ReturnQty `json:"lines"`
	Reason  string            `json:"reason"`
	Note    string            `json:"note"`
}

func (r returnRequest) Validate() error {
	var v models.Validator
	v.Text("order_id", r.OrderID, true, models.MaxCodeLen)
	v.Check(len(r.Lines) <= maxLines, "lines", fmt.Sprintf("at most %d lines", maxLines))
	return v.Err()
}

func (s *Server) createReturn(c *gin.Context) {
	var req returnRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	o, err := s.Store.OrderByID(ctx, req.OrderID)
	if p, _ := principalOf(c); errors.Is(err, models.ErrNotFound) || (err == nil && p.IsCustomer() && o.CustomerID != p.CustomerID) {
		fail(c, models.Invalid("order_id", "no order %s on your account", req.OrderID))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	var ret models.Return
	err = s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		// updateID: the caller's Idempotency-Key scoped to caller and route.
		if ret, err = tx.CreateReturn(ctx, store.ReturnRequest{Key: updateID(c), OrderID: req.OrderID, Lines: req.Lines, Reason: req.Reason, Note: req.Note,
			By: s.subject(c), At: time.Now()}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "return.authorize", "return", ret.ID, fmt.Sprintf("order %s: %s", ret.OrderID, ret.Reason)))
	})
	if err == nil {
		err = s.tellCustomer(ctx, ret.CustomerID, ret.OrderID, "Return:"+ret.ID+"/authorized", workflows.EventReturnAuthorized,
			map[string]string{"return_id": ret.ID, "lines": returnLines(ret, false)})
	}
	respond(c, http.StatusCreated, ret, err)
}

// returnableLine is what of one order line can still come back.
type returnableLine struct {
	LineNo int    `json:"line_no"`
	SKU    string `json:"sku"`
	Qty    int64  `json:"qty"`
}

func (s *Server) returnableUnits(c *gin.Context) {
	if _, err := s.orderFor(c); err != nil { // the caller may see it
		fail(c, err)
		return
	}
	lines, err := s.Store.Returnable(reqCtx(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out := []returnableLine{}
	for _, l := range lines { // per invoice: summed per order line
		if n := len(out); n > 0 && out[n-1].LineNo == l.LineNo {
			out[n-1].Qty += l.Qty
			continue
		}
		out = append(out, returnableLine{LineNo: l.LineNo, SKU: l.SKU, Qty: l.Qty})
	}
	c.JSON(http.StatusOK, gin.H{"lines": out})
}

func (s *Server) listReturns(c *gin.Context) {
	p, _ := principalOf(c)
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Return], error) {
		return s.Store.ListReturns(ctx, customerScope(c, p), c.Query("order_id"), c.Query("status"), page)
	})
}

// returnFor reads the return in the path if the caller may see it.
func (s *Server) returnFor(c *gin.Context) (models.Return, error) {
	ret, err := s.Store.ReturnByID(reqCtx(c), c.Param("id"))
	if p, _ := principalOf(c); err == nil && p.IsCustomer() && ret.CustomerID != p.CustomerID {
		return ret, models.NotFound("return", c.Param("id"))
	}
	return ret, err
}

func (s *Server) getReturn(c *gin.Context) {
	ret, err := s.returnFor(c)
	respond(c, http.StatusOK, ret, err)
}

type receiveReturnRequest struct {
	Warehouse string              `json:"warehouse"`
	Lines     []store.ReceivedQty `json:"lines"`
}

func (r receiveReturnRequest) Validate() error {
	var v models.Validator
	v.Text("warehouse", r.Warehouse, true, models.MaxCodeLen)
	v.Check(len(r.Lines) > 0 && len(r.Lines) <= maxLines, "lines", fmt.Sprintf("say what came back of each line (at most %d)", maxLines))
	return v.Err()
}

// receivedReturn is a received return with its credit notes and what its
// sellable units filled.
type receivedReturn struct {
	store.ReturnResult
	CreditNotes []models.CreditNote `json:"credit_notes"`
}

func (s *Server) receiveReturn(c *gin.Context) {
	var req receiveReturnRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	var res store.ReturnResult
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if res, err = tx.ReceiveReturn(ctx, store.ReturnReceipt{ReturnID: c.Param("id"), Warehouse: req.Warehouse, Lines: req.Lines, By: s.subject(c), At: time.Now()}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "return.receive", "return", res.Return.ID, fmt.Sprintf("at %s", req.Warehouse)))
	})
	if err != nil {
		fail(c, err)
		return
	}
	for _, r := range res.Receipts {
		if r.Run != nil {
			s.wakeAllocator(ctx, r.SKU) // the orders hear of their filled backorders
		}
	}
	// The money first: one credit note per invoice. When one cannot be
	// issued now (Temporal unavailable), the same receipt again (the
	// return's page offers it) finds the return received and issues the
	// missing notes under the same keys. An invoice cancelled meanwhile
	// was credited in full already: nothing more to credit on it.
	out := receivedReturn{ReturnResult: res, CreditNotes: []models.CreditNote{}}
	for _, cr := range res.Credits {
		if inv, err := s.Store.InvoiceByID(ctx, cr.InvoiceID); err == nil && inv.Status == models.InvoiceVoid {
			continue
		}
		cn, err := s.issueCredit(ctx, workflows.CreditInput{Actor: actorOf(c), Key: cr.Key, InvoiceID: cr.InvoiceID, Kind: cr.Kind,
			ReturnID: cr.ReturnID, Reason: cr.Reason, Lines: cr.Lines})
		if err != nil {
			fail(c, err)
			return
		}
		out.CreditNotes = append(out.CreditNotes, cn)
	}
	if err := s.tellCustomer(ctx, res.Return.CustomerID, res.Return.OrderID, "Return:"+res.Return.ID+"/received", workflows.EventReturnReceived,
		map[string]string{"return_id": res.Return.ID, "lines": returnLines(res.Return, true)}); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) cancelReturn(c *gin.Context) {
	var req cancelRequest
	if !bind(c, &req) {
		return
	}
	if _, err := s.returnFor(c); err != nil {
		fail(c, err)
		return
	}
	ctx := reqCtx(c)
	var ret models.Return
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if ret, err = tx.CancelReturn(ctx, c.Param("id")); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "return.cancel", "return", ret.ID, req.Reason))
	})
	respond(c, http.StatusOK, ret, err)
}

type creditNoteRequest struct {
	Kind   string `json:"kind"`
	Amount int64  `json:"amount"`
	Reason string `json:"reason"`
}

func (r creditNoteRequest) Validate() error {
	var v models.Validator
	v.Check(r.Kind == models.CreditPriceCorrection || r.Kind == models.CreditCancellation, "kind", "must be price_correction or cancellation (returns are credited when received)")
	if r.Kind == models.CreditPriceCorrection {
		v.Amount("amount", r.Amount, 1)
	} else {
		v.Check(r.Amount == 0, "amount", "a cancellation credits all that is left of the invoice: leave the amount out")
	}
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	return v.Err()
}

func (s *Server) creditInvoice(c *gin.Context) {
	var req creditNoteRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	// updateID is the caller's Idempotency-Key scoped to caller and route
	// (a fresh ID without one): a retry issues no second note.
	cn, err := s.issueCredit(ctx, workflows.CreditInput{Actor: actorOf(c), Key: "invoice/" + c.Param("id") + "/" + updateID(c), InvoiceID: c.Param("id"),
		Kind: req.Kind, Reason: req.Reason, Amount: req.Amount})
	if err == nil {
		err = s.Store.AppendAudit(ctx, s.audit(c, "credit_note.issue", "invoice", cn.InvoiceID, fmt.Sprintf("%s %s %d (%s)", cn.ID, cn.Kind, cn.Total, cn.Reason)))
	}
	respond(c, http.StatusCreated, cn, err)
}

// issueCredit issues a credit note through whoever owns the invoice: an
// invoice with a balance belongs to its order's running workflow (which
// stops its reminders and completes the order when nothing more is owed);
// a paid one's order may be closed, and the note goes straight to the
// books, all of it to the customer's account.
func (s *Server) issueCredit(ctx context.Context, in workflows.CreditInput) (models.CreditNote, error) {
	inv, err := s.Store.InvoiceByID(ctx, in.InvoiceID)
	if err != nil {
		return models.CreditNote{}, err
	}
	if inv.Balance() > 0 && inv.Status != models.InvoiceVoid && s.Temporal != nil {
		h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.OrderWorkflowID(inv.OrderID),
			UpdateName: workflows.UpdateOrderCredit, UpdateID: "credit/" + in.Key, Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err != nil {
			return models.CreditNote{}, workflowError(err)
		}
		return s.Store.CreditNoteByKey(ctx, in.Key)
	}
	cn, err := s.Store.IssueCreditNote(ctx, store.CreditRequest{Key: in.Key, InvoiceID: in.InvoiceID, Kind: in.Kind, ReturnID: in.ReturnID,
		Reason: in.Reason, Amount: in.Amount, Lines: in.Lines, By: in.Actor.Subject, At: time.Now()})
	if err != nil {
		return cn, err
	}
	return cn, s.tellOfCreditNote(ctx, inv, cn)
}

// tellOfCreditNote emails the customer a credit note issued outside its
// order's workflow (the order had finished), through the durable one-message
// workflow, under the key the order's workflow would have used: a retry
// sends it once.
func (s *Server) tellOfCreditNote(ctx context.Context, inv models.Invoice, cn models.CreditNote) error {
	money := func(v int64) string { return models.NewMoney(v, cn.Currency).String() }
	return s.tellCustomer(ctx, cn.CustomerID, cn.OrderID, workflows.OrderWorkflowID(cn.OrderID)+"/"+cn.ID+"/issued", workflows.EventCreditNoteIssued,
		map[string]string{"credit_note_id": cn.ID, "invoice_id": cn.InvoiceID, "amount": money(cn.Total), "reason": cn.Reason,
			"applied": money(cn.Applied), "to_account": money(cn.ToAccount), "balance": money(max(inv.Total-inv.Paid-cn.Applied, 0))})
}

// tellCustomer emails a customer about one of their documents through the
// durable one-message workflow (Temporal retries it; the key sends it once).
func (s *Server) tellCustomer(ctx context.Context, customerID, orderID, key, event string, data map[string]string) error {
	cust, err := s.Store.CustomerByID(ctx, customerID)
	if err != nil || cust.Email == "" || s.Temporal == nil {
		return err
	}
	data["customer_name"], data["order_id"] = cust.Name, orderID
	n := workflows.Notification{Channel: models.ChannelEmail, To: cust.Email, ToName: cust.Name, IdempotencyKey: key, Event: event,
		OwnerKind: models.OwnerCustomer, OwnerID: cust.ID, OrderID: orderID, Phone: cust.Phone, Data: data}
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ResendWorkflowID(key), TaskQueue: s.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, workflows.ResendWorkflowName, n)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	return nil
}

// returnLines says a return's lines in words, per order line.
func returnLines(ret models.Return, received bool) string {
	var out []string
	for _, l := range store.ReturnLineTotals(ret) {
		if received {
			out = append(out, fmt.Sprintf("line %d %s: %d units received, %d back in stock", l.LineNo, l.SKU, l.Received, l.Restocked))
		} else {
			out = append(out, fmt.Sprintf("line %d %s: %d units", l.LineNo, l.SKU, l.Qty))
		}
	}
	return strings.Join(out, "\n")
}

func (s *Server) listCreditNotes(c *gin.Context) {
	p, _ := principalOf(c)
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.CreditNote], error) {
		return s.Store.ListCreditNotes(ctx, customerScope(c, p), c.Query("invoice_id"), page)
	})
}

func (s *Server) getCreditNote(c *gin.Context) {
	cn, err := s.Store.CreditNoteByID(reqCtx(c), c.Param("id"))
	if p, _ := principalOf(c); err == nil && p.IsCustomer() && cn.CustomerID != p.CustomerID {
		err = models.NotFound("credit note", c.Param("id"))
	}
	respond(c, http.StatusOK, cn, err)
}

type refundRequest struct {
	Currency  string `json:"currency"`
	Amount    int64  `json:"amount"`
	Reference string `json:"reference"`
}

func (r refundRequest) Validate() error {
	var v models.Validator
	v.Check(len(r.Currency) == 3 && strings.ToUpper(r.Currency) == r.Currency, "currency", "must be an ISO 4217 code such as USD")
	v.Amount("amount", r.Amount, 1)
	v.Text("reference", r.Reference, true, models.MaxNameLen)
	return v.Err()
}

func (s *Server) refund(c *gin.Context) {
	var req refundRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	var out models.Refund
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.Refund(ctx, models.Refund{Key: c.Param("id") + "/" + updateID(c), CustomerID: c.Param("id"), Currency: models.Currency(req.Currency),
			Amount: req.Amount, Reference: req.Reference, RefundedBy: s.subject(c)}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "credit.refund", "customer", out.CustomerID, fmt.Sprintf("%s %d (%s)", out.Currency, out.Amount, out.Reference)))
	})
	respond(c, http.StatusCreated, out, err)
}
