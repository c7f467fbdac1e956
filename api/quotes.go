package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/quotes"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

var (
	quoteCreators = []models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager}
	quoteReaders  = []models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager, models.RoleApprover, models.RoleCustomerService, models.RoleServiceManager, models.RoleFinance, models.RoleExecutive}
	// quoteDeciders: the sales chain decides on prices and discounts,
	// finance on credit holds (the workflow checks the level).
	quoteDeciders = []models.Role{models.RoleApprover, models.RoleSalesManager, models.RoleExecutive, models.RoleFinance}
)

func (s *Server) quoteRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/quotes", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "Create a quote; answers with the priced quote, delivery promises, payment terms, ship-to (ship_to_id, or the customer's default) and approval needs", Roles: quoteCreators, Handler: s.createQuote, Body: createQuoteRequest{}},
		{Method: "GET", Path: "/api/v1/quotes", Answer: oneOf{store.List[models.QuoteRecord]{}, store.List[customerQuoteRow]{}}, Summary: "List quotes (?status=, staff: ?customer_id=; a customer sees their own)", Roles: quoteReaders, Handler: s.listQuotes},
		{Method: "GET", Path: "/api/v1/quotes/:id", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "A quote with its lines, pricing reasons, approvals and timeline", Roles: quoteReaders, Handler: s.getQuote},
		{Method: "PUT", Path: "/api/v1/quotes/:id", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "Edit a quote's lines or promotion code, and its ship-to (ship_to_id) or delivery instructions when given (voids earlier approvals and credit checks)", Roles: quoteCreators, Handler: s.editQuote, Body: editQuoteRequest{}},
		{Method: "POST", Path: "/api/v1/quotes/:id/approve", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "Approve a quote waiting for your level (finance: a credit hold, after which the held acceptance places the order)", Roles: quoteDeciders, Handler: s.approveQuote, Body: decisionRequest{}},
		{Method: "POST", Path: "/api/v1/quotes/:id/reject", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "Reject a quote waiting for your level, saying why (comment is required)", Roles: quoteDeciders, Handler: s.rejectQuote, Body: rejectRequest{}},
		{Method: "POST", Path: "/api/v1/quotes/:id/withdraw", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "Withdraw a quote before it becomes an order", Roles: quoteCreators, Handler: s.withdrawQuote, Body: decisionRequest{}},
		{Method: "POST", Path: "/api/v1/quotes/:id/accept", Answer: oneOf{workflows.QuoteState{}, customerQuote{}}, Summary: "Accept an approved quote: creates its order exactly once. When the order would take the customer over its credit limit, or an invoice is more than Q2C_CREDIT_OVERDUE_DAYS past due, the acceptance waits for finance instead (status pending_approval, the figures in approval.reasons and credit; credit_review for a customer) and the order is placed when finance approves", Roles: quoteCreators, Handler: s.acceptQuote, Body: acceptRequest{}},
	}
}

// maxLines bounds the lines of a quote (and so of its order and shipments).
const maxLines = 200

type createQuoteRequest struct {
	CustomerID string         `json:"customer_id"`
	Lines      []pricing.Line `json:"lines"`
	PromoCode  string         `json:"promo_code"`
	ValidDays  int            `json:"valid_days"`
	// ShipToID is one of the customer's shipping addresses; empty is the
	// default ship-to.
	ShipToID     string `json:"ship_to_id"`
	Instructions string `json:"delivery_instructions"`
}

func (r createQuoteRequest) Validate() error {
	var v models.Validator
	v.Check(len(r.Lines) > 0, "lines", "needs at least one line")
	v.Check(len(r.Lines) <= maxLines, "lines", fmt.Sprintf("at most %d lines", maxLines))
	for i, l := range r.Lines {
		v.Text(fmt.Sprintf("lines[%d].sku", i), l.SKU, true, models.MaxCodeLen)
		v.Qty(fmt.Sprintf("lines[%d].qty", i), l.Qty)
	}
	v.Text("promo_code", r.PromoCode, false, models.MaxCodeLen)
	v.Text("customer_id", r.CustomerID, false, models.MaxCodeLen)
	v.Text("ship_to_id", r.ShipToID, false, models.MaxCodeLen)
	v.Text("delivery_instructions", r.Instructions, false, models.MaxCommentLen)
	v.Check(r.ValidDays >= 0 && r.ValidDays <= 365, "valid_days", "must be between 1 and 365 (0 for the default 30)")
	return v.Err()
}

// withPricingRefusals adds to a quote request's refusal what pricing would
// refuse in the same lines for the customer (an unknown or retired SKU, a
// SKU priced in another currency, a promotion code not in force), so one
// answer names every bad field rather than one at a time: the request's
// own checks run before anything is priced, pricing's only once they pass.
// Fields the refusal names already keep its message. It reads the catalog
// only on this error path, and when it cannot, the refusal stands as it
// was.
func (s *Server) withPricingRefusals(c *gin.Context, refused error, customerID string, lines []pricing.Line, promo string) error {
	var ve *models.ValidationError
	if !errors.As(refused, &ve) || len(lines) > maxLines {
		return refused
	}
	ctx := reqCtx(c)
	cust, err := s.Store.CustomerByID(ctx, customerID)
	if err != nil {
		return refused
	}
	at := time.Now().UTC()
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU
	}
	book, err := s.Store.PricingBookFor(ctx, at, customerID, skus)
	if err != nil {
		return refused
	}
	var more *models.ValidationError
	if _, err := pricing.Price(book, pricing.Basket{Customer: pricing.CustomerOf(cust), Lines: lines, PromoCode: promo, At: at}); !errors.As(err, &more) {
		return refused
	}
	named := map[string]bool{}
	for _, f := range ve.Fields {
		named[f.Field] = true
	}
	all := &models.ValidationError{Fields: slices.Clone(ve.Fields)}
	for _, f := range more.Fields {
		if !named[f.Field] {
			all.Fields = append(all.Fields, f)
			named[f.Field] = true
		}
	}
	return all
}

func actorOf(c *gin.Context) workflows.Actor {
	p, _ := principalOf(c)
	return workflows.Actor{Subject: p.Subject(), Roles: p.Roles, Name: p.Name}
}

func (s *Server) createQuote(c *gin.Context) {
	var req createQuoteRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p, _ := principalOf(c)
	customerID, err := ownAccount(p, req.CustomerID, "quote")
	if verr := req.Validate(); verr != nil {
		if err == nil {
			verr = s.withPricingRefusals(c, verr, customerID, req.Lines, req.PromoCode)
		}
		fail(c, withAccountRefusal(err, verr))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	id := updateID(c)
	qr := workflows.QuoteRequest{QuoteID: businessID(c, "Q-", id), CustomerID: customerID, Lines: req.Lines, PromoCode: req.PromoCode,
		CreatedBy: p.Subject(), ValidDays: req.ValidDays, ShipToID: req.ShipToID, Instructions: req.Instructions}
	// The quote is priced and stored here and its workflow started after
	// the answer (package quotes): the customer waits for the price, not
	// for Temporal.
	resource := "/api/v1/quotes/" + qr.QuoteID
	st, err := quotes.Open(reqCtx(c), s.Store, qr, time.Now().UTC(),
		s.auditEntry(c, workflows.QuoteWorkflowID(qr.QuoteID), id, resource, auditCreate, nil))
	if err != nil {
		fail(c, err)
		return
	}
	s.quoteStarts.StartSoon(st, qr.ValidDays)
	c.Header("Location", resource)
	c.JSON(http.StatusCreated, quoteAnswer(c, st))
}

func (s *Server) listQuotes(c *gin.Context) {
	p, _ := principalOf(c)
	status, err := statusFilter(c, workflows.QuoteStatuses)
	if err != nil {
		fail(c, err)
		return
	}
	if p.IsCustomer() {
		listPage(c, func(ctx context.Context, page store.Page) (store.List[customerQuoteRow], error) {
			l, err := s.Store.ListQuotes(ctx, p.CustomerID, status, page)
			out := store.List[customerQuoteRow]{Items: make([]customerQuoteRow, len(l.Items)), NextCursor: l.NextCursor}
			for i, q := range l.Items {
				out.Items[i] = customerQuoteRow{ID: q.ID, CustomerID: q.CustomerID, Status: q.Status, Version: q.Version, Currency: q.Currency,
					Total: q.Total, ValidUntil: q.ValidUntil, OrderID: q.OrderID, AcceptedAt: q.AcceptedAt, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt}
			}
			return out, err
		})
		return
	}
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.QuoteRecord], error) {
		return s.Store.ListQuotes(ctx, customerScope(c, p), status, page)
	})
}

// quoteFor reads a quote the caller may see; another customer's is "not found".
func (s *Server) quoteFor(c *gin.Context) (workflows.QuoteState, error) {
	var st workflows.QuoteState
	err := s.readModelOrLive(c, "quote", workflows.QuoteWorkflowID(c.Param("id")), func() (string, string, error) {
		rec, err := s.Store.QuoteByID(reqCtx(c), c.Param("id"))
		return rec.CustomerID, rec.State, err
	}, &st, func() string { return st.CustomerID })
	return st, err
}

// readModelOrLive reads an entity's state from its read model, or, when the
// read model has not caught up yet (the workflow saves it moments after it
// starts), from the workflow's live status query. Another customer's entity
// is "not found" to a customer.
func (s *Server) readModelOrLive(c *gin.Context, what, workflowID string, read func() (customerID, state string, err error), out any, owner func() string) error {
	customerID, state, err := read()
	switch {
	case err == nil:
		err = json.Unmarshal([]byte(state), out)
	case errors.Is(err, models.ErrNotFound) && s.Temporal != nil:
		v, qerr := s.Temporal.QueryWorkflow(reqCtx(c), workflowID, "", workflows.QueryStatus)
		var nf *serviceerror.NotFound
		if errors.As(qerr, &nf) {
			return err
		}
		if qerr != nil {
			return fmt.Errorf("%w: %v", errUnavailable, qerr)
		}
		if err = v.Get(out); err == nil {
			customerID = owner()
		}
	}
	if err != nil {
		return err
	}
	if p, _ := principalOf(c); p.IsCustomer() && customerID != p.CustomerID {
		return models.NotFound(what, c.Param("id"))
	}
	return nil
}

func (s *Server) getQuote(c *gin.Context) {
	st, err := s.quoteFor(c)
	respond(c, http.StatusOK, quoteAnswer(c, st), err)
}

// customerQuote is a quote as its customer sees it: prices with every
// discount's reason, promises, terms, status and when things happened. The
// approval policy's thresholds, approvers, their comments and who inside
// did what stay inside.
type customerQuote struct {
	QuoteID    string                `json:"quote_id"`
	Status     string                `json:"status"`
	Version    int                   `json:"version"`
	Lines      []pricing.Line        `json:"lines"`
	PromoCode  string                `json:"promo_code,omitempty"`
	Priced     workflows.PricedQuote `json:"priced"`
	ValidUntil time.Time             `json:"valid_until"`
	OrderID    string                `json:"order_id,omitempty"`
	Problem    []models.FieldError   `json:"problem,omitempty"`
	Timeline   []customerQuoteEvent  `json:"timeline"`
	// Instructions are the customer's own delivery instructions;
	// CreditReview says an acceptance waits for a credit approval.
	Instructions string `json:"delivery_instructions,omitempty"`
	CreditReview bool   `json:"credit_review,omitempty"`
}

type customerQuoteEvent struct {
	At    time.Time `json:"at"`
	Stage string    `json:"stage"`
}

// quoteAnswer is st as the caller may see it.
func quoteAnswer(c *gin.Context, st workflows.QuoteState) any {
	if p, _ := principalOf(c); !p.IsCustomer() {
		return st
	}
	v := customerQuote{QuoteID: st.QuoteID, Status: st.Status, Version: st.Version, Lines: st.Lines, PromoCode: st.PromoCode,
		Priced: st.Priced, ValidUntil: st.ValidUntil, OrderID: st.OrderID, Problem: st.Problem, Timeline: []customerQuoteEvent{},
		Instructions: st.Instructions, CreditReview: st.PendingAccept != nil}
	for _, e := range st.Timeline {
		v.Timeline = append(v.Timeline, customerQuoteEvent{At: e.At, Stage: e.Stage})
	}
	return v
}

// customerQuoteRow is a quote in a customer's list: as quoteAnswer does
// for one quote, it leaves out the approval policy (which level had to
// approve, whether any did, when) and who on the staff created it.
type customerQuoteRow struct {
	ID         string          `json:"id"`
	CustomerID string          `json:"customer_id"`
	Status     string          `json:"status"`
	Version    int             `json:"version"`
	Currency   models.Currency `json:"currency"`
	Total      int64           `json:"total"`
	ValidUntil *time.Time      `json:"valid_until,omitempty"`
	OrderID    string          `json:"order_id,omitempty"`
	AcceptedAt *time.Time      `json:"accepted_at,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// editQuoteRequest replaces a quote's lines and promotion code; its
// ship-to and delivery instructions change only when given.
type editQuoteRequest struct {
	Lines        []pricing.Line `json:"lines"`
	PromoCode    string         `json:"promo_code"`
	ShipToID     string         `json:"ship_to_id"`
	Instructions *string        `json:"delivery_instructions"`
}

func (r editQuoteRequest) Validate() error {
	in := ""
	if r.Instructions != nil {
		in = *r.Instructions
	}
	return createQuoteRequest{Lines: r.Lines, PromoCode: r.PromoCode, ShipToID: r.ShipToID, Instructions: in}.Validate()
}

func (s *Server) editQuote(c *gin.Context) {
	var req editQuoteRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if verr := req.Validate(); verr != nil {
		if st, err := s.quoteFor(c); err == nil {
			verr = s.withPricingRefusals(c, verr, st.CustomerID, req.Lines, req.PromoCode)
		}
		fail(c, verr)
		return
	}
	s.quoteUpdate(c, workflows.UpdateQuoteEdit, workflows.EditInput{Actor: actorOf(c), Lines: req.Lines, PromoCode: req.PromoCode,
		ShipToID: req.ShipToID, Instructions: req.Instructions})
}

type decisionRequest struct {
	Comment string `json:"comment"`
	// Version is the version of the quote decided on, when the caller
	// names it: a quote edited since answers 409 instead (the page always
	// sends it).
	Version *int `json:"version,omitempty"`
}

func (r decisionRequest) Validate() error {
	var v models.Validator
	v.Text("comment", r.Comment, false, models.MaxCommentLen)
	checkVersion(&v, r.Version)
	return v.Err()
}

func (s *Server) approveQuote(c *gin.Context) { s.decide(c, workflows.UpdateQuoteApprove) }

func (s *Server) withdrawQuote(c *gin.Context) { s.decide(c, workflows.UpdateQuoteWithdraw) }

// rejectQuote needs a reason: a rejection without one leaves the rep and
// the customer guessing.
func (s *Server) rejectQuote(c *gin.Context) {
	var req rejectRequest
	if !bind(c, &req) {
		return
	}
	s.quoteUpdate(c, workflows.UpdateQuoteReject, workflows.DecisionInput{Actor: actorOf(c), Comment: req.Comment, Version: versionOf(req.Version)})
}

type rejectRequest decisionRequest

func (r rejectRequest) Validate() error {
	var v models.Validator
	v.Text("comment", r.Comment, true, models.MaxCommentLen)
	checkVersion(&v, r.Version)
	return v.Err()
}

func (s *Server) decide(c *gin.Context, update string) {
	var req decisionRequest
	if !bind(c, &req) {
		return
	}
	s.quoteUpdate(c, update, workflows.DecisionInput{Actor: actorOf(c), Comment: req.Comment, Version: versionOf(req.Version)})
}

// checkVersion checks a version a request names: a quote's versions count
// from 1 (0 is not "any": leave the field out for that).
func checkVersion(v *models.Validator, version *int) {
	v.Check(version == nil || *version >= 1, "version", "must be a version of the quote (1 or more), or left out")
}

// versionOf is the version a request names, or 0 for none.
func versionOf(version *int) int {
	if version == nil {
		return 0
	}
	return *version
}

type acceptRequest struct {
	AllowPartial bool `json:"allow_partial"`
	// Version is the version of the quote accepted, as in decisionRequest.
	Version *int `json:"version,omitempty"`
}

func (r acceptRequest) Validate() error {
	var v models.Validator
	checkVersion(&v, r.Version)
	return v.Err()
}

func (s *Server) acceptQuote(c *gin.Context) {
	var req acceptRequest
	if !bind(c, &req) {
		return
	}
	st, err := s.quoteFor(c)
	if err != nil {
		fail(c, err)
		return
	}
	if st.Status == workflows.QuoteAccepted { // a retried accept: the same order
		c.JSON(http.StatusOK, quoteAnswer(c, st))
		return
	}
	s.sendQuoteUpdate(c, workflows.UpdateQuoteAccept, workflows.AcceptInput{Actor: actorOf(c), AllowPartial: req.AllowPartial, Version: versionOf(req.Version)})
}

// quoteUpdate sends an Update to the quote's workflow, if the caller may
// see the quote, and answers with the new state.
func (s *Server) quoteUpdate(c *gin.Context, name string, arg any) {
	if _, err := s.quoteFor(c); err != nil {
		fail(c, err)
		return
	}
	s.sendQuoteUpdate(c, name, arg)
}

// sendQuoteUpdate is quoteUpdate once the caller has read the quote. With
// an Idempotency-Key the Update's ID derives from it, so Temporal itself
// runs a retried update once.
func (s *Server) sendQuoteUpdate(c *gin.Context, name string, arg any) {
	var st workflows.QuoteState
	if s.update(c, workflows.QuoteWorkflowID(c.Param("id")), "/api/v1/quotes/"+c.Param("id"), name, arg, &st) {
		c.JSON(http.StatusOK, quoteAnswer(c, st))
	}
}

// update sends an Update to a running workflow and reports whether out holds
// its result; if not, it has answered (a problem, or 202 and an operation
// whose resource is the entity to read once it is done).
func (s *Server) update(c *gin.Context, workflowID, resource, name string, arg, out any) bool {
	id := updateID(c)
	return s.awaitUpdate(c, workflowID, id, resource, out, func(ctx context.Context) (client.WorkflowUpdateHandle, error) {
		h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflowID, UpdateName: name, UpdateID: id,
			Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageAccepted,
		})
		if err == nil {
			err = s.auditUpdate(ctx, c, workflowID, id, resource, name, arg)
		}
		return h, err
	})
}

// errFinished refuses a change to a workflow that has ended; the caller
// says what it ended as when it knows (Server.finished).
var errFinished = models.Conflict("it has finished (completed, cancelled or expired): nothing about it can change any more")

// workflowError turns what Temporal answers into q2c's errors: invalid input
// keeps its fields, a refused update is a conflict, a closed workflow too.
func workflowError(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() == workflows.ErrTypeInvalidInput {
			var fields []models.FieldError
			if appErr.HasDetails() && appErr.Details(&fields) == nil && len(fields) > 0 {
				return &models.ValidationError{Fields: fields}
			}
			return models.Invalid("body", "%s", appErr.Message())
		}
		return models.Conflict("%s", appErr.Message())
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return errFinished
	}
	return fmt.Errorf("%w: %v", errUnavailable, err)
}

func (r cancelRequest) Validate() error {
	var v models.Validator
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	return v.Err()
}
