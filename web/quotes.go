package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// blankLines is how many empty line rows a new quote form offers.
const blankLines = 3

// quoteForm is the quote builder's state: what was typed and the API's errors.
type quoteForm struct {
	Action     string
	CustomerID string
	Customers  []option // empty for a customer, who quotes for themselves
	Products   []option
	Lines      []lineInput
	PromoCode  string
	ValidDays  string
	CSRF, Key  string
	Err        *apiError
	Edit       bool
	// The customer's shipping addresses, the one chosen ("" for the
	// default) and the delivery instructions.
	ShipTos      []option
	ShipToID     string
	Instructions string
}

// shipToOptions lists a customer's shipping addresses for a quote, the
// default first.
func (v *visit) shipToOptions(f *quoteForm) error {
	id := f.CustomerID
	if v.me.IsCustomer() {
		id = v.me.CustomerID
	}
	f.ShipTos = []option{{"", "Choose the customer first"}}
	if id == "" {
		return nil
	}
	var c models.Customer
	if err := v.call(http.MethodGet, "/api/v1/customers/"+url.PathEscape(id), nil, &c); err != nil {
		if refusal(err) != nil {
			return nil // an unknown customer: the quote's own answer names the field
		}
		return err
	}
	f.ShipTos = []option{{"", "No shipping address on file"}}
	if def, ok := c.DefaultAddress(models.AddressShipping); ok {
		f.ShipTos = []option{{"", "Default: " + def.String()}}
	}
	for _, a := range c.Addresses {
		if a.Kind == models.AddressShipping {
			f.ShipTos = append(f.ShipTos, option{a.ID, a.String()})
		}
	}
	if f.Edit && len(f.ShipTos) > 1 {
		// An edit names the address: "" would keep the one the quote has.
		f.ShipTos = f.ShipTos[1:]
	}
	return nil
}

type lineInput struct{ SKU, Qty string }

func (s *Server) newQuotePage(v *visit) error {
	f, err := v.quoteForm("/quotes")
	if err != nil {
		return err
	}
	f.CustomerID = v.r.URL.Query().Get("customer_id")
	if sku := v.r.URL.Query().Get("sku"); sku != "" {
		f.Lines[0] = lineInput{SKU: sku, Qty: "1"}
	}
	if err := v.shipToOptions(&f); err != nil {
		return err
	}
	return v.show(quoteFormView(f))
}

// quoteForm fills the choices a quote form offers.
func (v *visit) quoteForm(action string) (quoteForm, error) {
	f := quoteForm{Action: action, CSRF: v.csrf, Key: randomToken(), Lines: make([]lineInput, blankLines)}
	var products store.List[productView]
	if err := v.call(http.MethodGet, "/api/v1/products?limit=200", nil, &products); err != nil {
		return f, err
	}
	f.Products = []option{{"", "Choose a product"}}
	for _, p := range products.Items {
		if p.Active { // staff also see retired SKUs in the catalog; nobody can quote them
			f.Products = append(f.Products, option{p.SKU, p.SKU + " · " + p.Name})
		}
	}
	if !v.me.IsCustomer() {
		customers, err := v.customerOptions("Choose a customer")
		if err != nil {
			return f, err
		}
		f.Customers = customers
	}
	return f, nil
}

// readQuoteForm reads the builder's fields; "add" asks for another row.
func (f *quoteForm) read(r *http.Request) (adding bool) {
	f.CustomerID, f.PromoCode, f.ValidDays = r.PostFormValue("customer_id"), r.PostFormValue("promo_code"), r.PostFormValue("valid_days")
	f.ShipToID, f.Instructions = r.PostFormValue("ship_to_id"), r.PostFormValue("delivery_instructions")
	f.Lines = nil
	skus, qtys := r.PostForm["sku"], r.PostForm["qty"]
	for i := range skus {
		q := ""
		if i < len(qtys) {
			q = qtys[i]
		}
		f.Lines = append(f.Lines, lineInput{SKU: skus[i], Qty: q})
	}
	if r.PostFormValue("add") != "" {
		f.Lines = append(f.Lines, lineInput{})
		return true
	}
	return false
}

// body is the API request: rows left blank are dropped; a quantity that is
// not a whole number goes as 0 so the API names the line's qty field.
func (f quoteForm) body() map[string]any {
	lines := []pricing.Line{}
	for _, l := range f.Lines {
		if strings.TrimSpace(l.SKU) == "" && strings.TrimSpace(l.Qty) == "" {
			continue
		}
		q, _ := strconv.ParseInt(strings.TrimSpace(l.Qty), 10, 64)
		lines = append(lines, pricing.Line{SKU: l.SKU, Qty: q})
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.ValidDays))
	if err != nil && strings.TrimSpace(f.ValidDays) != "" {
		days = -1 // not a whole number: let the API name the field
	}
	return map[string]any{"customer_id": f.CustomerID, "lines": lines, "promo_code": strings.TrimSpace(f.PromoCode), "valid_days": days,
		"ship_to_id": f.ShipToID, "delivery_instructions": strings.TrimSpace(f.Instructions)}
}

func (s *Server) createQuote(v *visit) error {
	f, err := v.quoteForm("/quotes")
	if err != nil {
		return err
	}
	adding := f.read(v.r)
	if err := v.shipToOptions(&f); err != nil {
		return err
	}
	if adding {
		f.Key = v.r.PostFormValue(fieldKey)
		return v.show(quoteFormView(f))
	}
	var st workflows.QuoteState
	if err := v.call(http.MethodPost, "/api/v1/quotes", f.body(), &st); err != nil {
		return v.formError(err, &f.Err, &f.Key, func() error { return v.showStatus(http.StatusUnprocessableEntity, v.page.Title, quoteFormView(f)) })
	}
	return v.redirect("/quotes/" + st.QuoteID)
}

// formError shows a refused form again with the API's field errors and a
// fresh idempotency key; other errors go to the error page.
func (v *visit) formError(err error, dst **apiError, key *string, again func() error) error {
	ae := refusal(err)
	if ae == nil {
		return err
	}
	*dst, *key = ae, randomToken()
	return again()
}

func (s *Server) quotesPage(v *visit) error {
	q := v.r.URL.Query()
	path := withQuery("/api/v1/quotes", url.Values{"status": {q.Get("status")}, "customer_id": {q.Get("customer_id")}, "cursor": {q.Get("cursor")}})
	var l store.List[models.QuoteRecord]
	if err := v.call(http.MethodGet, path, nil, &l); err != nil {
		return err
	}
	customers, err := v.customerFilter()
	if err != nil {
		return err
	}
	first, next := pages("/quotes", q, l.NextCursor, "status", "customer_id")
	return v.show(quotesView(listFilters{Status: q.Get("status"), Customer: q.Get("customer_id"), Customers: customers,
		CanCreate: v.s.mayUse(v.me, "POST /api/v1/quotes")}, l.Items, first, next))
}

var quoteStatuses = []option{{"", "Any status"}, {workflows.QuotePendingApproval, "Pending approval"}, {workflows.QuoteApproved, "Approved"},
	{workflows.QuoteAccepted, "Accepted"}, {workflows.QuoteRejected, "Rejected"}, {workflows.QuoteExpired, "Expired"},
	{workflows.QuoteWithdrawn, "Withdrawn"}, {workflows.QuoteInvalid, "Invalid"}}

func (s *Server) quotePage(v *visit) error {
	var st workflows.QuoteState
	if err := v.call(http.MethodGet, "/api/v1/quotes/"+url.PathEscape(v.r.PathValue("id")), nil, &st); err != nil {
		return err
	}
	return v.showStatus(http.StatusOK, "Quote "+st.QuoteID, quoteView(v.quoteActions(st), st))
}

// quoteActions says which buttons the visitor gets; the API decides again.
type quoteActions struct {
	CSRF, Key                      string
	Accept, Withdraw, Edit, Decide bool
	// NoShipTo: the quote could be accepted but for a shipping address.
	NoShipTo bool
	Customer bool
	Ask      bool // may open a ticket about it
	// Comment is what the decider typed, kept when the decision is refused
	// (the quote changed, a reason missing) so it need not be typed again.
	Comment string
}

func (v *visit) quoteActions(st workflows.QuoteState) quoteActions {
	creator := v.me.Roles.Any([]models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager})
	open := st.Status == workflows.QuotePendingApproval || st.Status == workflows.QuoteApproved
	return quoteActions{CSRF: v.csrf, Key: randomToken(), Customer: v.me.IsCustomer(), Ask: v.s.mayUse(v.me, "POST /api/v1/tickets"),
		Accept:   creator && st.Status == workflows.QuoteApproved && st.Priced.ShipTo != nil,
		NoShipTo: creator && st.Status == workflows.QuoteApproved && st.Priced.ShipTo == nil,
		Withdraw: creator && (open || st.Status == workflows.QuoteInvalid),
		Edit:     creator && (open || st.Status == workflows.QuoteInvalid),
		Decide:   st.Status == workflows.QuotePendingApproval && approval.CanApprove(v.me.Roles, st.ApprovalRole),
	}
}

// quoteAction posts accept, withdraw, approve or reject.
func (s *Server) quoteAction(action string) func(v *visit) error {
	return func(v *visit) error {
		id := v.r.PathValue("id")
		body := map[string]any{}
		if action != "withdraw" {
			// The version on the page: one edited since is refused, not
			// decided or accepted unseen.
			if n, err := strconv.Atoi(v.r.PostFormValue("version")); err == nil && n > 0 {
				body["version"] = n
			}
		}
		switch action {
		case "accept":
			body["allow_partial"] = v.r.PostFormValue("allow_partial") == "true"
		default:
			body["comment"] = v.r.PostFormValue("comment")
		}
		var st workflows.QuoteState
		if err := v.call(http.MethodPost, "/api/v1/quotes/"+url.PathEscape(id)+"/"+action, body, &st); err != nil {
			if ae := refusal(err); ae != nil {
				var cur workflows.QuoteState
				if err := v.call(http.MethodGet, "/api/v1/quotes/"+url.PathEscape(id), nil, &cur); err != nil {
					return err
				}
				a := v.quoteActions(cur)
				a.Comment = v.r.PostFormValue("comment")
				return v.showStatus(ae.Status, "Quote "+cur.QuoteID, quoteViewWithError(a, cur, ae))
			}
			return err
		}
		if action == "accept" && st.OrderID != "" {
			return v.redirect("/orders/" + st.OrderID)
		}
		if action == "approve" || action == "reject" {
			return v.redirect("/approvals")
		}
		return v.redirect("/quotes/" + id)
	}
}

func (s *Server) editQuotePage(v *visit) error {
	id := v.r.PathValue("id")
	var st workflows.QuoteState
	if err := v.call(http.MethodGet, "/api/v1/quotes/"+url.PathEscape(id), nil, &st); err != nil {
		return err
	}
	f, err := v.quoteForm("/quotes/" + id + "/edit")
	if err != nil {
		return err
	}
	f.Edit, f.Customers, f.PromoCode = true, nil, st.PromoCode
	f.CustomerID, f.ShipToID, f.Instructions = st.CustomerID, st.ShipToID, st.Instructions
	if st.Priced.ShipTo != nil {
		f.ShipToID = st.Priced.ShipTo.ID // the address the quote has, chosen or by default
	}
	if err := v.shipToOptions(&f); err != nil {
		return err
	}
	f.Lines = nil
	for _, l := range st.Lines {
		f.Lines = append(f.Lines, lineInput{SKU: l.SKU, Qty: itoa(l.Qty)})
	}
	f.Lines = append(f.Lines, lineInput{})
	return v.showStatus(http.StatusOK, "Edit quote "+id, quoteFormView(f))
}

func (s *Server) editQuote(v *visit) error {
	id := v.r.PathValue("id")
	f, err := v.quoteForm("/quotes/" + id + "/edit")
	if err != nil {
		return err
	}
	f.Edit, f.Customers = true, nil
	adding := f.read(v.r)
	if err := v.shipToOptions(&f); err != nil {
		return err
	}
	if adding {
		f.Key = v.r.PostFormValue(fieldKey)
		return v.showStatus(http.StatusOK, "Edit quote "+id, quoteFormView(f))
	}
	b := f.body()
	if err := v.call(http.MethodPut, "/api/v1/quotes/"+url.PathEscape(id), map[string]any{"lines": b["lines"], "promo_code": b["promo_code"],
		"ship_to_id": b["ship_to_id"], "delivery_instructions": b["delivery_instructions"]}, nil); err != nil {
		return v.formError(err, &f.Err, &f.Key, func() error {
			return v.showStatus(http.StatusUnprocessableEntity, "Edit quote "+id, quoteFormView(f))
		})
	}
	return v.redirect("/quotes/" + id)
}

// approvalsPage is the inbox: quotes waiting for a level the visitor holds,
// why, and when they escalate if nobody decides.
func (s *Server) approvalsPage(v *visit) error {
	var l store.List[models.QuoteRecord]
	if err := v.call(http.MethodGet, "/api/v1/quotes?status="+workflows.QuotePendingApproval+"&limit=100", nil, &l); err != nil {
		return err
	}
	var mine, others []workflows.QuoteState
	for _, rec := range l.Items {
		var st workflows.QuoteState
		if err := v.call(http.MethodGet, "/api/v1/quotes/"+url.PathEscape(rec.ID), nil, &st); err != nil {
			return err
		}
		if approval.CanApprove(v.me.Roles, st.ApprovalRole) {
			mine = append(mine, st)
		} else {
			others = append(others, st)
		}
	}
	return v.show(approvalsView(mine, others, v.csrf))
}

// pricedLine is a quote line as priced, by position, for the quote page.
func pricedLine(st workflows.QuoteState, i int) (pricing.PricedLine, bool) {
	if i < len(st.Priced.Pricing.Lines) {
		return st.Priced.Pricing.Lines[i], true
	}
	return pricing.PricedLine{}, false
}

// shipToText is a quote's or order's ship-to, or says there is none.
func shipToText(a *models.Address) string {
	if a == nil {
		return "none on file"
	}
	return a.String()
}

// creditHold reports whether the quote's acceptance waits for a credit
// approval; customers are not sent the hold itself, only its stage.
func creditHold(st workflows.QuoteState) bool {
	held := false
	for _, e := range st.Timeline { // a new pricing starts over
		held = e.Stage == "credit hold" || (held && e.Stage != "quoted" && !strings.HasPrefix(e.Stage, "edited"))
	}
	return st.Status == workflows.QuotePendingApproval && held
}

// quoteCustomer names a quote's customer for staff: the name it was priced
// for, or the account's ID when pricing never reached the customer.
func quoteCustomer(st workflows.QuoteState) string {
	return cmp.Or(st.Priced.Customer.Name, st.CustomerID)
}

// priceButton is the new-quote form's button: a customer asks for their
// price, staff price the quote for the customer they chose.
func priceButton(f quoteForm) string {
	if len(f.Customers) == 0 {
		return "Get my price"
	}
	return "Price the quote"
}
