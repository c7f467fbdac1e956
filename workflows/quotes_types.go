package workflows

import (
	"time"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/atp"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

// Quote workflow names.
const (
	QuoteWorkflowName = "Quote"

	// UpdateQuoteOpen is sent with the start (Update-with-Start) and answers
	// with the priced quote once the workflow has priced it.
	UpdateQuoteOpen     = "open"
	UpdateQuoteApprove  = "approve"
	UpdateQuoteReject   = "reject"
	UpdateQuoteEdit     = "edit"
	UpdateQuoteAccept   = "accept"
	UpdateQuoteWithdraw = "withdraw"

	ActivityPriceQuote  = "PriceQuote"
	ActivityCheckCredit = "CheckCredit"
	ActivitySaveQuote   = "SaveQuote"
	ActivityNotifyRole  = "NotifyRole"
)

// Quote statuses.
const (
	QuotePricing         = "pricing"
	QuoteInvalid         = "invalid"
	QuotePendingApproval = "pending_approval"
	QuoteApproved        = "approved"
	QuoteRejected        = "rejected"
	QuoteExpired         = "expired"
	QuoteAccepted        = "accepted"
	QuoteWithdrawn       = "withdrawn"
)

// QuoteStatuses are every status a quote can have, for list filters.
var QuoteStatuses = []string{QuotePricing, QuoteInvalid, QuotePendingApproval, QuoteApproved, QuoteRejected, QuoteExpired, QuoteAccepted, QuoteWithdrawn}

// QuoteWorkflowID is a quote's workflow ID, from its business key.
func QuoteWorkflowID(quoteID string) string { return "Quote:" + quoteID }

// OrderIDForQuote is the one order a quote can become: accepting twice
// yields the same order.
func OrderIDForQuote(quoteID string) string { return "SO-" + quoteID[len("Q-"):] }

// QuoteRequest starts a quote.
type QuoteRequest struct {
	QuoteID    string          `json:"quote_id"`
	CustomerID string          `json:"customer_id"`
	Lines      []pricing.Line  `json:"lines"`
	PromoCode  string          `json:"promo_code,omitempty"`
	CreatedBy  string          `json:"created_by"` // principal subject
	ValidDays  int             `json:"valid_days"`
	Policy     approval.Policy `json:"policy"`
	// ShipToID is one of the customer's shipping addresses; empty is the
	// customer's default ship-to.
	ShipToID     string `json:"ship_to_id,omitempty"`
	Instructions string `json:"delivery_instructions,omitempty"`
	// Opened is the quote as the API priced and stored it before starting
	// the workflow (OpenQuote): the workflow carries on from it instead of
	// pricing at start. Quotes opened through the workflow's own "open"
	// update have none.
	Opened *QuoteState `json:"opened,omitempty"`
}

// withDefaults fills what a request may leave out.
func (req QuoteRequest) withDefaults() QuoteRequest {
	if req.ValidDays <= 0 {
		req.ValidDays = DefaultQuoteValidDays
	}
	if req.Policy == (approval.Policy{}) {
		req.Policy = approval.DefaultPolicy
	}
	return req
}

// newQuoteState is a quote not yet priced.
func newQuoteState(req QuoteRequest) QuoteState {
	return QuoteState{QuoteID: req.QuoteID, CustomerID: req.CustomerID, Status: QuotePricing, Lines: req.Lines,
		PromoCode: req.PromoCode, CreatedBy: req.CreatedBy, Version: 1, ShipToID: req.ShipToID, Instructions: req.Instructions}
}

// PriceQuoteInput is the PriceQuote activity's input.
type PriceQuoteInput struct {
	CustomerID string         `json:"customer_id"`
	Lines      []pricing.Line `json:"lines"`
	PromoCode  string         `json:"promo_code,omitempty"`
	At         time.Time      `json:"at"`
	ShipToID   string         `json:"ship_to_id,omitempty"`
}

// PricedQuote is a priced basket with delivery promises, fixed once priced.
type PricedQuote struct {
	Customer models.Contact `json:"customer"`
	Pricing  pricing.Result `json:"pricing"`
	Promises []atp.Promise  `json:"promises"` // one per line
	Terms    string         `json:"terms"`
	PricedAt time.Time      `json:"priced_at"`
	// ShipTo is a copy of the address the goods go to (nil when the
	// customer has none on file), and TermsDays the customer's payment
	// terms when priced; quotes priced before either existed have neither.
	ShipTo    *models.Address `json:"ship_to,omitempty"`
	TermsDays *int            `json:"terms_days,omitempty"`
}

// CheckCreditInput asks whether a quote's order may be placed on credit;
// Approved records that finance released a hold.
type CheckCreditInput struct {
	CustomerID string          `json:"customer_id"`
	QuoteID    string          `json:"quote_id"`
	Currency   models.Currency `json:"currency"`
	Total      int64           `json:"total"`
	At         time.Time       `json:"at"`
	Approved   bool            `json:"approved,omitempty"`
}

// CreditCheck is a customer's credit position when an order is about to
// be placed, the overdue days allowed then, and why the order must wait
// for finance (none: it may go ahead, and its amount is committed).
type CreditCheck struct {
	Credit      approval.Credit `json:"credit"`
	OverdueDays int             `json:"overdue_days"`
	Reasons     []string        `json:"reasons,omitempty"`
	// Committed is the commitment made, kept in the answer because the
	// check runs as a local activity, whose input Temporal does not keep: a
	// reconciliation after a restore commits it again from the history.
	Committed *CheckCreditInput `json:"committed,omitempty"`
}

// Decision is one approval or rejection.
type Decision struct {
	By       string      `json:"by"`
	ByName   string      `json:"by_name,omitempty"` // state only; older decisions have none
	Role     models.Role `json:"role"`
	Approved bool        `json:"approved"`
	Comment  string      `json:"comment,omitempty"`
	At       time.Time   `json:"at"`
}

// QuoteState is everything known about a quote: the status query's answer
// and the read model's content.
type QuoteState struct {
	QuoteID      string               `json:"quote_id"`
	CustomerID   string               `json:"customer_id"`
	Status       string               `json:"status"`
	Version      int                  `json:"version"` // bumps on every edit
	Rev          int                  `json:"rev"`     // bumps on every change
	Lines        []pricing.Line       `json:"lines"`
	PromoCode    string               `json:"promo_code,omitempty"`
	Priced       PricedQuote          `json:"priced"`
	Approval     approval.Requirement `json:"approval"`
	ApprovalRole models.Role          `json:"approval_role,omitempty"` // current level, after escalations
	Decisions    []Decision           `json:"decisions,omitempty"`
	// EscalatesAt is when a pending approval escalates if nobody decides;
	// it is state only (no timer or command depends on it).
	EscalatesAt *time.Time `json:"escalates_at,omitempty"`
	ValidUntil  time.Time  `json:"valid_until"`
	CreatedBy   string     `json:"created_by"`
	// EditedBy is everyone who edited the quote: like its creator, none of
	// them may approve it.
	EditedBy []string            `json:"edited_by,omitempty"`
	OrderID  string              `json:"order_id,omitempty"`
	Problem  []models.FieldError `json:"problem,omitempty"` // why pricing refused the quote
	Timeline []Event             `json:"timeline"`
	// ShipToID is the ship-to asked for ("" for the default); the address
	// itself is in Priced.
	ShipToID     string `json:"ship_to_id,omitempty"`
	Instructions string `json:"delivery_instructions,omitempty"`
	// A credit hold: the acceptance that waits for finance, the figures
	// it was held on, and whether finance released this version.
	PendingAccept  *AcceptInput     `json:"pending_accept,omitempty"`
	Credit         *approval.Credit `json:"credit,omitempty"`
	CreditApproved bool             `json:"credit_approved,omitempty"`
}

// MaxQuoteVersions bounds a quote's edits: each re-prices it and adds to its
// state and history.
const MaxQuoteVersions = 100

// NoShipToAdvice is what to do about a quote that cannot be accepted for
// want of a shipping address; the quote page says it too.
const NoShipToAdvice = "add a shipping address to the customer, then change the quote so that it ships there"

// DecisionInput approves or rejects a quote.
type DecisionInput struct {
	Actor   Actor  `json:"actor"`
	Comment string `json:"comment,omitempty"`
	// Version, when set, is the version of the quote its decider saw: a
	// quote edited since is refused rather than decided unseen (zero: any,
	// as recorded histories decided).
	Version int `json:"version,omitempty"`
}

// EditInput replaces a quote's lines or promotion code, and its ship-to
// and delivery instructions when given.
type EditInput struct {
	Actor        Actor          `json:"actor"`
	Lines        []pricing.Line `json:"lines"`
	PromoCode    string         `json:"promo_code,omitempty"`
	ShipToID     string         `json:"ship_to_id,omitempty"`
	Instructions *string        `json:"delivery_instructions,omitempty"`
}

// AcceptInput turns an approved quote into an order.
type AcceptInput struct {
	Actor        Actor `json:"actor"`
	AllowPartial bool  `json:"allow_partial"`
	// Version, when set, is the version its customer accepts (as in
	// DecisionInput).
	Version int `json:"version,omitempty"`
}
