package workflows

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

// DefaultQuoteValidDays is how long a quote can be accepted.
const DefaultQuoteValidDays = 30

// QuoteTerms are the terms printed on a quote for the customer's payment
// terms.
func QuoteTerms(termsDays int) string {
	due := fmt.Sprintf("Payment due %d days from invoice (%s).", termsDays, models.TermsLabel(termsDays))
	if termsDays == models.TermsDueOnReceipt {
		due = "Payment due on receipt of invoice."
	}
	return "Prices in the quote currency, excluding shipping. " + due +
		" Delivery dates are estimates from current stock and confirmed supply. Valid until the date shown."
}

// quoteFlow carries a running quote's state and the work its handlers share.
type quoteFlow struct {
	req   QuoteRequest
	state QuoteState
	mu    workflow.Mutex
	slaAt time.Time
	// opened is set once the first pricing is saved: the open update answers
	// only then, so a client that acts on the answer finds the quote stored.
	opened          bool
	answerAfterSave bool
	// local: the quote's database work (price, save, credit check) runs as
	// local activities and the open update answers before the notices go.
	local bool
}

// versionQuoteLocalDB: from version 1 a quote prices, saves and checks
// credit in local activities, inside the workflow task, and answers its
// creator before the notices are sent: the customer waits for one
// workflow task instead of three activity round trips through the
// server's queues. Quotes started earlier replay with regular activities.
const versionQuoteLocalDB = "quote-local-db-work"

// Quote is one quote's life: priced once at start, approved if the policy
// says so (escalating when the SLA passes), edited, accepted into exactly
// one order, rejected, or expired by a durable timer.
func Quote(ctx workflow.Context, req QuoteRequest) (QuoteState, error) {
	req = req.withDefaults()
	f := &quoteFlow{req: req, mu: workflow.NewMutex(ctx), state: newQuoteState(req)}
	// Version 1: the open update answers only after the first save (before,
	// it answered as soon as the status left "pricing", and a client could
	// act on a quote not yet stored). Quotes started earlier keep replaying
	// the old way.
	f.answerAfterSave = workflow.GetVersion(ctx, "open-answers-after-save", workflow.DefaultVersion, 1) == 1
	f.local = workflow.GetVersion(ctx, versionQuoteLocalDB, workflow.DefaultVersion, 1) == 1
	if req.Opened != nil {
		// Opened by the API, which priced and stored the quote and answered
		// its creator before starting this workflow (see OpenQuote).
		f.state = *req.Opened
		if f.state.EscalatesAt != nil {
			f.slaAt = *f.state.EscalatesAt
		}
		// The lock is taken before any handler can run: a change sent with
		// the start (a quote accepted or withdrawn the moment it was
		// answered) waits for the opening save and notice, so people hear
		// "ready" before "withdrawn", never after, whatever the timing.
		if err := f.mu.Lock(ctx); err != nil {
			return f.state, err
		}
	}
	if err := f.registerHandlers(ctx); err != nil {
		return f.state, err
	}
	ctx = withActivityDefaults(ctx)

	if req.Opened == nil {
		if err := f.mu.Lock(ctx); err != nil {
			return f.state, err
		}
	}
	var err error
	if req.Opened != nil {
		// Saved again, unchanged (the read model keeps the newer revision):
		// the save's answer in this history is what lets a reconciliation
		// after a restore write the quote back.
		err = f.save(ctx)
	} else {
		err = f.price(ctx, req.Lines, req.PromoCode, req.CreatedBy, "quoted")
	}
	if f.local {
		f.opened = true // the quote is stored: answer now, notify after
	}
	if err == nil {
		err = f.notifyPriced(ctx)
	}
	f.opened = true
	f.mu.Unlock()
	if err != nil || f.state.Status == QuoteInvalid {
		// The open update has answered with the problem; let it finish.
		_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		return f.state, err
	}

	// Wait for updates, the approval SLA and expiry until the quote closes.
	err = eventLoop(ctx, f.mu, f.terminal, func() int { return f.state.Rev }, func() (time.Time, bool) {
		if f.state.Status == QuotePendingApproval && f.slaAt.Before(f.state.ValidUntil) {
			return f.slaAt, true
		}
		return f.state.ValidUntil, true
	}, f.onTimer)
	return f.state, err
}

// escalatesAt is when a pending approval moves up a level (or reminds the
// top level again), for the approvals inbox; nil when nothing waits.
func (f *quoteFlow) escalatesAt() *time.Time { return escalation(f.state, f.slaAt) }

func escalation(st QuoteState, slaAt time.Time) *time.Time {
	if !st.Approval.Required {
		return nil
	}
	return &slaAt
}

func (f *quoteFlow) terminal() bool {
	switch f.state.Status {
	case QuoteAccepted, QuoteRejected, QuoteExpired, QuoteInvalid, QuoteWithdrawn:
		return true
	}
	return false
}

// onTimer handles a deadline: expiry, or an approval SLA that ran out.
func (f *quoteFlow) onTimer(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if f.terminal() {
		return nil
	}
	if !now.Before(f.state.ValidUntil) {
		f.change(ctx, "system", QuoteExpired, "expired", "not accepted by "+f.state.ValidUntil.Format(time.RFC3339))
		if err := f.save(ctx); err != nil {
			return err
		}
		return f.notifyCustomer(ctx, EventQuoteExpired, "expired", map[string]string{"valid_until": f.state.ValidUntil.Format(time.DateOnly)})
	}
	if f.state.Status == QuotePendingApproval && !now.Before(f.slaAt) {
		next, ok := approval.Escalate(f.state.ApprovalRole)
		f.slaAt = now.Add(f.req.Policy.SLA)
		f.state.EscalatesAt = f.escalatesAt()
		if !ok {
			// Top of the chain: remind the same level again.
			return f.notifyApprovers(ctx, "reminder")
		}
		f.state.ApprovalRole = next
		f.change(ctx, "system", QuotePendingApproval, "approval escalated", "SLA passed; now waiting for "+string(next))
		if err := f.save(ctx); err != nil {
			return err
		}
		return f.notifyApprovers(ctx, "escalated")
	}
	return nil
}

// price runs the PriceQuote activity and applies the approval policy.
func (f *quoteFlow) price(ctx workflow.Context, lines []pricing.Line, promo, actor, stage string) error {
	var priced PricedQuote
	err := f.db(ctx, ActivityPriceQuote, PriceQuoteInput{
		CustomerID: f.state.CustomerID, Lines: lines, PromoCode: promo, At: workflow.Now(ctx), ShipToID: f.state.ShipToID,
	}).Get(ctx, &priced)
	if fields, ok := invalidInput(err); ok {
		f.state.Problem = fields
		f.change(ctx, actor, QuoteInvalid, "refused", "the quote request is invalid")
		return nil
	}
	if err != nil {
		return err
	}
	if sla, ok := applyPricing(&f.state, f.req, lines, promo, priced, workflow.Now(ctx), actor, stage); ok {
		f.slaAt = sla
	}
	return f.save(ctx)
}

// applyPricing sets a fresh pricing on a quote at now: its approval, its
// validity and its timeline entry. It answers when the approval SLA runs
// out, and false when no approval is needed.
func applyPricing(st *QuoteState, req QuoteRequest, lines []pricing.Line, promo string, priced PricedQuote, now time.Time, actor, stage string) (slaAt time.Time, ok bool) {
	st.Lines, st.PromoCode, st.Priced, st.Problem = lines, promo, priced, nil
	st.Approval = req.Policy.Decide(priced.Pricing)
	st.ApprovalRole = st.Approval.Role
	st.Decisions = nil // a changed quote needs approval again, and a credit check
	st.PendingAccept, st.Credit, st.CreditApproved = nil, nil, false
	st.ValidUntil = now.AddDate(0, 0, req.ValidDays)
	status, detail := QuoteApproved, "within policy: no approval needed"
	if st.Approval.Required {
		status, detail = QuotePendingApproval, fmt.Sprintf("needs approval (%s or above): %s", st.ApprovalRole.Label(), strings.Join(st.Approval.Reasons, "; "))
		slaAt, ok = now.Add(req.Policy.SLA), true
	}
	st.EscalatesAt = escalation(*st, slaAt)
	changeState(st, now, actor, status, stage, detail)
	return slaAt, ok
}

// OpenQuote is a new quote priced at now, as its workflow would price it
// at start: the API opens quotes with it, answers the customer once it is
// stored, and starts the workflow with it (QuoteRequest.Opened).
func OpenQuote(req QuoteRequest, priced PricedQuote, now time.Time) QuoteState {
	req = req.withDefaults()
	st := newQuoteState(req)
	applyPricing(&st, req, req.Lines, req.PromoCode, priced, now, req.CreatedBy, "quoted")
	return st
}

// notifyPriced tells whoever acts next about a fresh pricing: the approvers
// when it needs approval, the customer when it is ready; nobody when the
// request was invalid.
func (f *quoteFlow) notifyPriced(ctx workflow.Context) error {
	switch {
	case f.state.Status == QuoteInvalid:
		return nil
	case f.state.Approval.Required:
		return f.notifyApprovers(ctx, "requested")
	}
	return f.notifyQuoteReady(ctx)
}

// db runs one of the quote's short database activities: locally from
// version 1 of versionQuoteLocalDB, as a regular activity before.
func (f *quoteFlow) db(ctx workflow.Context, activity string, in any) workflow.Future {
	if f.local {
		return workflow.ExecuteLocalActivity(withLocalActivityDefaults(ctx), activity, in)
	}
	return workflow.ExecuteActivity(ctx, activity, in)
}

// change records a new status and a timeline event, and bumps Rev.
func (f *quoteFlow) change(ctx workflow.Context, actor, status, stage, detail string) {
	changeState(&f.state, workflow.Now(ctx), actor, status, stage, detail)
}

func changeState(st *QuoteState, now time.Time, actor, status, stage, detail string) {
	st.Status = status
	st.Rev++
	st.Timeline = append(st.Timeline, Event{At: now, Actor: actor, Stage: stage, Detail: detail})
}

func (f *quoteFlow) save(ctx workflow.Context) error {
	return f.db(ctx, ActivitySaveQuote, f.state).Get(ctx, nil)
}

func (f *quoteFlow) notifyApprovers(ctx workflow.Context, why string) error {
	p := f.state.Priced.Pricing
	event := EventApprovalRequested
	if why != "requested" {
		event = EventApprovalEscalated
	}
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{
		Role:  f.state.ApprovalRole,
		Event: event,
		Data: map[string]string{"quote_id": f.state.QuoteID, "version": fmt.Sprint(f.state.Version), "customer_name": f.state.Priced.Customer.Name,
			"total": moneyString(p.Total, p), "discount": fmt.Sprintf("%d.%02d%%", p.DiscountBP/100, p.DiscountBP%100),
			"role": f.state.ApprovalRole.Label(), "reasons": strings.Join(f.state.Approval.Reasons, "; ")},
		IdempotencyKey: fmt.Sprintf("%s/r%d/approval-%s", QuoteWorkflowID(f.state.QuoteID), f.state.Rev, why),
	}).Get(ctx, nil)
}

func (f *quoteFlow) notifyQuoteReady(ctx workflow.Context) error {
	p := f.state.Priced.Pricing
	return f.notifyCustomer(ctx, EventQuoteReady, fmt.Sprintf("v%d-ready", f.state.Version), map[string]string{
		"lines": fmt.Sprint(len(p.Lines)), "total": moneyString(p.Total, p), "tax": moneyString(p.Tax, p),
		"valid_until": f.state.ValidUntil.Format(time.DateOnly)})
}

// notifyCustomer tells the customer about event; the activity renders the
// event's templates from data (quote_id is always included).
func (f *quoteFlow) notifyCustomer(ctx workflow.Context, event, key string, data map[string]string) error {
	c := f.state.Priced.Customer
	if c.Email == "" {
		return nil
	}
	data["quote_id"], data["customer_name"] = f.state.QuoteID, c.Name
	return workflow.ExecuteActivity(ctx, ActivitySendNotification, Notification{
		Channel: models.ChannelEmail, To: c.Email, ToName: c.Name,
		IdempotencyKey: QuoteWorkflowID(f.state.QuoteID) + "/" + key,
		Event:          event, OwnerKind: models.OwnerCustomer, OwnerID: f.state.CustomerID, Phone: c.Phone, Data: data,
	}).Get(ctx, nil)
}

func (f *quoteFlow) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (QuoteState, error) { return f.state, nil }); err != nil {
		return err
	}
	// open: the synchronous answer to "create a quote".
	if err := workflow.SetUpdateHandler(ctx, UpdateQuoteOpen, func(ctx workflow.Context) (QuoteState, error) {
		if err := workflow.Await(ctx, func() bool {
			if f.answerAfterSave {
				return f.opened
			}
			return f.state.Status != QuotePricing
		}); err != nil {
			return f.state, err
		}
		if f.state.Status == QuoteInvalid {
			return f.state, invalidInputError(f.state.Problem)
		}
		return f.state, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateQuoteApprove, func(ctx workflow.Context, in DecisionInput) (QuoteState, error) {
		return f.decide(ctx, in, true)
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in DecisionInput) error { return f.validateDecision(in, true) }}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateQuoteReject, func(ctx workflow.Context, in DecisionInput) (QuoteState, error) {
		return f.decide(ctx, in, false)
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in DecisionInput) error { return f.validateDecision(in, true) }}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateQuoteEdit, func(ctx workflow.Context, in EditInput) (QuoteState, error) {
		ctx = withActivityDefaults(ctx)
		if err := f.mu.Lock(ctx); err != nil {
			return f.state, err
		}
		defer f.mu.Unlock()
		if err := f.checkOpen("edited"); err != nil { // re-check: the quote may have changed while we waited
			return f.state, err
		}
		before := f.state
		before.EditedBy = slices.Clone(before.EditedBy)
		if !slices.Contains(f.state.EditedBy, in.Actor.Subject) {
			f.state.EditedBy = append(f.state.EditedBy, in.Actor.Subject)
		}
		f.state.Version++
		if in.ShipToID != "" {
			f.state.ShipToID = in.ShipToID
		}
		if in.Instructions != nil {
			f.state.Instructions = *in.Instructions
		}
		if err := f.price(ctx, in.Lines, in.PromoCode, in.Actor.Subject, fmt.Sprintf("edited (version %d)", f.state.Version)); err != nil {
			return f.state, err
		}
		if f.state.Status == QuoteInvalid {
			problem := f.state.Problem
			f.state = before // an invalid edit changes nothing
			return f.state, invalidInputError(problem)
		}
		return f.state, f.notifyPriced(ctx)
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in EditInput) error {
		if err := f.checkOpen("edited"); err != nil {
			return err
		}
		if f.state.Version >= MaxQuoteVersions {
			return fmt.Errorf("quote %s has %d versions, the most one quote keeps; start a new quote", f.state.QuoteID, MaxQuoteVersions)
		}
		if len(in.Lines) == 0 {
			return temporal.NewApplicationError("lines: needs at least one line", ErrTypeInvalidInput)
		}
		return nil
	}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateQuoteWithdraw, f.withdraw,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in DecisionInput) error { return f.checkOpen("withdrawn") }}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateQuoteAccept, f.accept,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in AcceptInput) error {
			if f.state.Status == QuoteAccepted {
				return nil // accepting twice answers with the same order
			}
			if f.state.PendingAccept != nil {
				return nil // accepting again answers with the acceptance waiting for credit approval
			}
			if f.state.Status != QuoteApproved {
				return fmt.Errorf("quote %s is %s: only an approved quote can be accepted", f.state.QuoteID, f.state.Status)
			}
			if err := f.checkVersion(in.Version); err != nil {
				return err
			}
			if !workflow.Now(ctx).Before(f.state.ValidUntil) {
				return fmt.Errorf("quote %s expired on %s", f.state.QuoteID, f.state.ValidUntil.Format(time.DateOnly))
			}
			if f.state.Priced.ShipTo == nil {
				// An order with nowhere to go would wait at the warehouse
				// until someone asked the customer. Validators do not run
				// on replay, so accepted histories are unaffected.
				return fmt.Errorf("quote %s has no ship-to address: %s", f.state.QuoteID, NoShipToAdvice)
			}
			return nil
		}})
}

// checkVersion refuses a decision or an acceptance made on a version of
// the quote other than its current one (seen is zero when the caller named
// none).
func (f *quoteFlow) checkVersion(seen int) error {
	if seen != 0 && seen != f.state.Version {
		return fmt.Errorf("quote %s has changed: it is at version %d, not the version %d you saw; look at it again", f.state.QuoteID, f.state.Version, seen)
	}
	return nil
}

func (f *quoteFlow) checkOpen(verb string) error {
	switch f.state.Status {
	case QuotePendingApproval, QuoteApproved:
		return nil
	}
	return fmt.Errorf("quote %s is %s and cannot be %s", f.state.QuoteID, f.state.Status, verb)
}

// versionEditorsMayNotApprove: from version 1 whoever edited a quote may
// not decide on it either; recorded histories decided without that rule.
const versionEditorsMayNotApprove = "editors-may-not-approve"

// validateDecision checks an approval or rejection; editors adds the rule
// that an editor may not decide.
func (f *quoteFlow) validateDecision(in DecisionInput, editors bool) error {
	if f.state.Status != QuotePendingApproval {
		return fmt.Errorf("quote %s is %s, not waiting for approval", f.state.QuoteID, f.state.Status)
	}
	if err := f.checkVersion(in.Version); err != nil {
		return err
	}
	if !approval.CanApprove(in.Actor.Roles, f.state.ApprovalRole) {
		return fmt.Errorf("quote %s needs a %s or higher", f.state.QuoteID, f.state.ApprovalRole)
	}
	if in.Actor.Subject == f.state.CreatedBy {
		return fmt.Errorf("quote %s cannot be approved by the person who created it", f.state.QuoteID)
	}
	if editors && slices.Contains(f.state.EditedBy, in.Actor.Subject) {
		return fmt.Errorf("quote %s cannot be approved by someone who edited it", f.state.QuoteID)
	}
	return nil
}

func (f *quoteFlow) decide(ctx workflow.Context, in DecisionInput, approved bool) (QuoteState, error) {
	ctx = withActivityDefaults(ctx) // handlers get their own context
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	editors := workflow.GetVersion(ctx, versionEditorsMayNotApprove, workflow.DefaultVersion, 1) == 1
	if err := f.validateDecision(in, editors); err != nil { // re-check: the quote may have changed while we waited
		return f.state, err
	}
	role := f.state.ApprovalRole
	for _, r := range approval.Chain { // record the highest qualifying role the approver holds
		if in.Actor.Roles.Has(r) {
			role = r
		}
	}
	f.state.Decisions = append(f.state.Decisions, Decision{By: in.Actor.Subject, ByName: in.Actor.Name, Role: role, Approved: approved, Comment: in.Comment, At: workflow.Now(ctx)})
	if !approved {
		f.change(ctx, in.Actor.Subject, QuoteRejected, "rejected", in.Comment)
		if err := f.save(ctx); err != nil {
			return f.state, err
		}
		return f.state, f.notifyCustomer(ctx, EventQuoteRejected, fmt.Sprintf("v%d-rejected", f.state.Version), map[string]string{})
	}
	f.change(ctx, in.Actor.Subject, QuoteApproved, "approved", strings.TrimSpace(fmt.Sprintf("by %s as %s. %s", cmp.Or(in.Actor.Name, in.Actor.Subject), role.Label(), in.Comment)))
	if held := f.state.PendingAccept; held != nil {
		// A credit hold released: the amount is committed, so other checks
		// count it, and the customer's acceptance goes through.
		if _, err := f.checkCredit(ctx, true); err != nil {
			return f.state, err
		}
		f.state.PendingAccept, f.state.CreditApproved = nil, true
		return f.placeOrder(ctx, *held)
	}
	if err := f.save(ctx); err != nil {
		return f.state, err
	}
	return f.state, f.notifyQuoteReady(ctx)
}

// checkCredit runs the credit check for the quote's total now.
func (f *quoteFlow) checkCredit(ctx workflow.Context, approved bool) (CreditCheck, error) {
	var check CreditCheck
	p := f.state.Priced.Pricing
	err := f.db(ctx, ActivityCheckCredit, CheckCreditInput{CustomerID: f.state.CustomerID, QuoteID: f.state.QuoteID,
		Currency: p.Currency, Total: p.Total, At: workflow.Now(ctx), Approved: approved}).Get(ctx, &check)
	return check, err
}

// versionCreditCheck: from version 1 accepting a quote checks the
// customer's credit first; recorded histories accepted without it.
const versionCreditCheck = "credit-check-on-accept"

// creditHold checks the customer's credit before an order is placed. When
// the order would take the customer over its limit, or an invoice is too
// long overdue, the acceptance waits for finance: the quote goes back to
// pending approval with the figures, and held is true.
func (f *quoteFlow) creditHold(ctx workflow.Context, in AcceptInput) (held bool, err error) {
	if f.state.CreditApproved || workflow.GetVersion(ctx, versionCreditCheck, workflow.DefaultVersion, 1) != 1 {
		return false, nil
	}
	// The activity decides under the customer's lock and commits the
	// amount when the order may go ahead, so acceptances at the same moment
	// cannot all pass a limit that only some of them fit in.
	now := workflow.Now(ctx)
	check, err := f.checkCredit(ctx, false)
	if err != nil {
		return false, err
	}
	reasons := check.Reasons
	if len(reasons) == 0 {
		return false, nil
	}
	f.state.Credit, f.state.PendingAccept = &check.Credit, &in
	f.state.Approval.Required = true
	f.state.Approval.Reasons = append(f.state.Approval.Reasons, reasons...)
	f.state.ApprovalRole = approval.CreditChain[0]
	f.slaAt = now.Add(f.req.Policy.SLA)
	f.state.EscalatesAt = f.escalatesAt()
	f.change(ctx, in.Actor.Subject, QuotePendingApproval, "credit hold", fmt.Sprintf("accepted; needs approval (%s or above): %s", f.state.ApprovalRole.Label(), strings.Join(reasons, "; ")))
	if err := f.save(ctx); err != nil {
		return true, err
	}
	return true, f.notifyApprovers(ctx, "requested")
}

// accept starts the order exactly once: the order workflow's ID comes from
// the quote, and a second accept returns the same order.
func (f *quoteFlow) accept(ctx workflow.Context, in AcceptInput) (QuoteState, error) {
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	if f.state.Status == QuoteAccepted || f.state.PendingAccept != nil {
		return f.state, nil
	}
	if f.state.Status != QuoteApproved {
		return f.state, fmt.Errorf("quote %s is %s", f.state.QuoteID, f.state.Status)
	}
	if err := f.checkVersion(in.Version); err != nil { // edited while it waited
		return f.state, err
	}
	if held, err := f.creditHold(ctx, in); held || err != nil {
		return f.state, err
	}
	return f.placeOrder(ctx, in)
}

// placeOrder starts the quote's one order and records the acceptance.
func (f *quoteFlow) placeOrder(ctx workflow.Context, in AcceptInput) (QuoteState, error) {
	orderID := OrderIDForQuote(f.state.QuoteID)
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            OrderWorkflowID(orderID),
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}), OrderWorkflowName, OrderRequest{
		OrderID: orderID, QuoteID: f.state.QuoteID, CustomerID: f.state.CustomerID, Customer: f.state.Priced.Customer,
		Pricing: f.state.Priced.Pricing, AllowPartial: in.AllowPartial, AcceptedBy: in.Actor.Subject,
		ShipTo: f.state.Priced.ShipTo, Instructions: f.state.Instructions, TermsDays: f.state.Priced.TermsDays,
	})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		var already *temporal.ChildWorkflowExecutionAlreadyStartedError
		if !errors.As(err, &already) {
			return f.state, err
		}
	}
	f.state.OrderID = orderID
	f.change(ctx, in.Actor.Subject, QuoteAccepted, "accepted", "order "+orderID)
	return f.state, f.save(ctx)
}

func invalidInput(err error) ([]models.FieldError, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrTypeInvalidInput {
		return nil, false
	}
	var fields []models.FieldError
	if appErr.HasDetails() {
		_ = appErr.Details(&fields)
	}
	return fields, true
}

func invalidInputError(fields []models.FieldError) error {
	return temporal.NewNonRetryableApplicationError("invalid input", ErrTypeInvalidInput, nil, fields)
}

func moneyString(amount int64, p pricing.Result) string {
	return models.NewMoney(amount, p.Currency).Display()
}

// withdraw cancels a quote before it becomes an order; nothing was reserved
// yet, so there is nothing to compensate but telling the customer.
func (f *quoteFlow) withdraw(ctx workflow.Context, in DecisionInput) (QuoteState, error) {
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	if err := f.checkOpen("withdrawn"); err != nil {
		return f.state, err
	}
	f.change(ctx, in.Actor.Subject, QuoteWithdrawn, "withdrawn", in.Comment)
	if err := f.save(ctx); err != nil {
		return f.state, err
	}
	return f.state, f.notifyCustomer(ctx, EventQuoteWithdrawn, fmt.Sprintf("v%d-withdrawn", f.state.Version), map[string]string{"comment": in.Comment})
}
