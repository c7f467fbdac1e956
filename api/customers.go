package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Customer master data. Sales and service keep an account's details,
// people and addresses; finance alone sets its payment terms and credit
// limit; a sales manager assigns its rep. A sales rep with no wider role
// edits only the accounts they own.
var (
	customerEditors  = []models.Role{models.RoleSalesRep, models.RoleSalesManager, models.RoleCustomerService, models.RoleServiceManager}
	creditControl    = []models.Role{models.RoleFinance}
	accountAssigners = []models.Role{models.RoleSalesManager}
	// accountsWide edit any account; other editors only their own.
	accountsWide = []models.Role{models.RoleSalesManager, models.RoleCustomerService, models.RoleServiceManager}
	// customerDirectory are the staff who look customers up and open their
	// 360 view.
	customerDirectory = []models.Role{models.RoleCustomerService, models.RoleServiceManager, models.RoleSalesRep, models.RoleSalesManager, models.RoleFinance, models.RoleExecutive, models.RoleITAdmin}
)

func (s *Server) customerRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/customers", Answer: store.List[models.Customer]{}, Summary: "List customers (?q= finds a part of the name, legal name or id, a whole email or phone number of the account or a contact (they are sealed: found through keyed hashes), an order or quote id, or an invoice id or number; a customer sees only their own account)", Roles: customerFacing, Handler: s.listCustomers},
		{Method: "GET", Path: "/api/v1/customers/:id", Answer: models.Customer{}, Summary: "A customer's master data: contacts, addresses, payment terms, credit limit (a customer sees only their own account)", Roles: customerFacing, Handler: s.getCustomer},
		{Method: "GET", Path: "/api/v1/customers/:id/360", Answer: customer360View{}, Summary: "A customer in one place: master data, credit position (owed, ordered, overdue, limit), and the latest 20 quotes, orders, invoices, waiting backorders and messages, newest first", Roles: customerDirectory, Handler: s.customer360},
		{Method: "GET", Path: "/api/v1/sales-reps", Summary: "Active sales reps, to assign accounts to", Roles: accountAssigners, Handler: s.listSalesReps},
		{Method: "POST", Path: "/api/v1/customers", Answer: models.Customer{}, Summary: "Create a customer with its contacts and addresses (net 30 and no credit limit until finance sets them; audited)", Roles: customerEditors, Handler: s.createCustomer, Body: customerRequest{}},
		{Method: "PUT", Path: "/api/v1/customers/:id", Answer: models.Customer{}, Summary: "Edit a customer's details, contacts and addresses, from the version read (409 when someone saved first; a retry of a saved edit answers with the record). Addresses keep their ids; audited. A sales rep edits only their own accounts",
			Roles: customerEditors, Handler: s.editCustomer, Body: customerRequest{}},
		{Method: "PUT", Path: "/api/v1/customers/:id/credit", Answer: models.Customer{}, Summary: "Set a customer's payment terms (days from invoice to due; 0 is due on receipt) and credit limit (minor units of its currency; null is none), from the version read; audited. Orders already placed keep the terms they were placed on",
			Roles: creditControl, Handler: s.setCustomerCredit, Body: creditRequest{}},
		{Method: "PUT", Path: "/api/v1/customers/:id/owner", Answer: models.Customer{}, Summary: "Assign the account's sales rep (a user with the sales_rep role); figures already booked keep their rep; audited",
			Roles: accountAssigners, Handler: s.setCustomerOwner, Body: ownerRequest{}},
	}
}

// customerRequest is the master data people edit. Version is the version
// the edit was made from (edits only).
type customerRequest struct {
	Version   int                      `json:"version,omitempty"`
	Name      string                   `json:"name"`
	LegalName string                   `json:"legal_name"`
	Email     string                   `json:"email"`
	Phone     string                   `json:"phone"`
	Segment   string                   `json:"segment"`
	Region    string                   `json:"region"`
	TaxRegion string                   `json:"tax_region"`
	Tier      int                      `json:"tier"`
	Currency  models.Currency          `json:"currency"`
	Contacts  []models.CustomerContact `json:"contacts"`
	Addresses []models.Address         `json:"addresses"`
}

func (r *customerRequest) apply(c *models.Customer) {
	c.Name, c.LegalName, c.Email, c.Phone = r.Name, r.LegalName, r.Email, r.Phone
	c.Segment, c.Region, c.TaxRegion, c.Tier, c.Currency = r.Segment, r.Region, r.TaxRegion, r.Tier, r.Currency
	c.Contacts, c.Addresses = r.Contacts, r.Addresses
	c.Normalize()
}

func (r customerRequest) Validate() error {
	var c models.Customer
	r.apply(&c)
	return c.Validate()
}

// creditRequest sets both terms and limit: each must be given (a limit of
// null is no limit), so leaving one out never resets it.
type creditRequest struct {
	Version     int             `json:"version"`
	TermsDays   *int            `json:"terms_days"`
	CreditLimit json.RawMessage `json:"credit_limit"`
}

// limit is the credit limit asked for: nil for null.
func (r creditRequest) limit() (*int64, error) {
	if string(r.CreditLimit) == "null" {
		return nil, nil
	}
	var n int64
	if err := json.Unmarshal(r.CreditLimit, &n); err != nil {
		return nil, models.Invalid("credit_limit", "must be a whole number of minor units, or null for no limit")
	}
	return &n, nil
}

func (r creditRequest) Validate() error {
	var v models.Validator
	v.Check(r.Version >= 1, "version", "is required: the version the change was made from")
	v.Check(r.TermsDays != nil, "terms_days", "is required: days from invoice to due date, 0 for due on receipt")
	v.Check(len(r.CreditLimit) > 0, "credit_limit", "is required: minor units, or null for no limit")
	if err := v.Err(); err != nil {
		return err
	}
	limit, err := r.limit()
	if err != nil {
		return err
	}
	return models.ValidateTerms(*r.TermsDays, limit)
}

type ownerRequest struct {
	Version int    `json:"version"`
	OwnerID string `json:"owner_id"`
}

func (r ownerRequest) Validate() error {
	var v models.Validator
	v.Check(r.Version >= 1, "version", "is required: the version the change was made from")
	v.Text("owner_id", r.OwnerID, false, models.MaxCodeLen) // "" leaves the account without a rep
	return v.Err()
}

func (s *Server) listCustomers(c *gin.Context) {
	p, _ := principalOf(c)
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Customer], error) {
		return s.Store.ListCustomers(ctx, customerScope(c, p), c.Query("q"), page)
	})
}

func (s *Server) getCustomer(c *gin.Context) {
	p, _ := principalOf(c)
	id := c.Param("id")
	if p.IsCustomer() && p.CustomerID != id {
		fail(c, models.NotFound("customer", id)) // another account is not there, for a customer
		return
	}
	cust, err := s.Store.CustomerByID(reqCtx(c), id)
	respond(c, http.StatusOK, cust, err)
}

func (s *Server) createCustomer(c *gin.Context) {
	var req customerRequest
	if !bind(c, &req) {
		return
	}
	p, _ := principalOf(c)
	cust := models.Customer{TermsDays: models.DefaultTermsDays}
	req.apply(&cust)
	if err := s.knownTaxRegion(c, cust.TaxRegion); err != nil {
		fail(c, err)
		return
	}
	for i := range cust.Contacts {
		cust.Contacts[i].ID = ""
	}
	for i := range cust.Addresses {
		cust.Addresses[i].ID = ""
	}
	if p.Roles.Has(models.RoleSalesRep) && repScope(p) != "" {
		cust.OwnerID = p.ID // a rep's new account is theirs
	}
	err := s.Store.NewCustomer(reqCtx(c), &cust, s.audit(c, "customer.create", "customer", "", cust.Name))
	respond(c, http.StatusCreated, cust, err)
}

// knownTaxRegion refuses a tax region without any tax rate: quotes would
// silently be priced without tax.
func (s *Server) knownTaxRegion(c *gin.Context, region string) error {
	if region == "" {
		return nil
	}
	ok, err := s.Store.HasTaxRegion(reqCtx(c), region, time.Now())
	if err == nil && !ok {
		err = models.Invalid("tax_region", "has no tax rate in force: set one for %s from today first (Pricing → Tax rate)", region)
	}
	return err
}

// mayEditAccount refuses a sales rep an account that is not theirs.
func mayEditAccount(p auth.Principal, c models.Customer) error {
	for _, r := range accountsWide {
		if p.Roles.Has(r) {
			return nil
		}
	}
	if c.OwnerID == "" || c.OwnerID != p.ID {
		return fmt.Errorf("%w: customer %s is not one of your accounts", models.ErrForbidden, c.ID)
	}
	return nil
}

func (s *Server) editCustomer(c *gin.Context) {
	var req customerRequest
	if !bind(c, &req) {
		return
	}
	if req.Version < 1 {
		fail(c, models.Invalid("version", "is required: the version the edit was made from"))
		return
	}
	p, _ := principalOf(c)
	ctx, id := reqCtx(c), c.Param("id")
	cust, err := s.Store.UpdateCustomer(ctx, id, req.Version, func(cur *models.Customer) error {
		if err := mayEditAccount(p, *cur); err != nil {
			return err
		}
		var v models.Validator
		for i, a := range req.Addresses {
			_, known := cur.Address(a.ID)
			v.Check(a.ID == "" || known, fmt.Sprintf("addresses[%d].id", i), "is not one of this account's addresses (leave it empty for a new one)")
		}
		known := map[string]bool{}
		for _, k := range cur.Contacts {
			known[k.ID] = true
		}
		for i, k := range req.Contacts {
			v.Check(k.ID == "" || known[k.ID], fmt.Sprintf("contacts[%d].id", i), "is not one of this account's contacts (leave it empty for a new one)")
		}
		if req.Currency != cur.Currency {
			has, err := s.Store.CustomerHasOrders(ctx, id)
			if err != nil {
				return err
			}
			v.Check(!has, "currency", fmt.Sprintf("stays %s: the account has orders in it", cur.Currency))
		}
		if err := v.Err(); err != nil {
			return err
		}
		req.apply(cur)
		return s.knownTaxRegion(c, cur.TaxRegion)
	}, s.audit(c, "customer.edit", "customer", id, "details, contacts and addresses"))
	respond(c, http.StatusOK, cust, err)
}

func (s *Server) setCustomerCredit(c *gin.Context) {
	var req creditRequest
	if !bind(c, &req) {
		return
	}
	ctx, id := reqCtx(c), c.Param("id")
	cur, err := s.Store.CustomerByID(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	creditLimit, _ := req.limit() // checked by Validate
	limit := "none"
	if creditLimit != nil {
		limit = models.NewMoney(*creditLimit, cur.Currency).String()
	}
	cust, err := s.Store.UpdateCustomer(ctx, id, req.Version, func(cur *models.Customer) error {
		cur.TermsDays, cur.CreditLimit = *req.TermsDays, creditLimit
		return nil
	}, s.audit(c, "customer.credit", "customer", id, fmt.Sprintf("terms %s, credit limit %s", models.TermsLabel(*req.TermsDays), limit)))
	respond(c, http.StatusOK, cust, err)
}

func (s *Server) setCustomerOwner(c *gin.Context) {
	var req ownerRequest
	if !bind(c, &req) {
		return
	}
	ctx, id := reqCtx(c), c.Param("id")
	u := models.User{Email: "nobody"}
	if req.OwnerID != "" {
		var err error
		u, err = s.Store.UserByID(ctx, req.OwnerID)
		if errors.Is(err, models.ErrNotFound) || (err == nil && (!u.Active || !u.Roles.Has(models.RoleSalesRep))) {
			fail(c, models.Invalid("owner_id", "is not an active sales rep"))
			return
		}
		if err != nil {
			fail(c, err)
			return
		}
	}
	cust, err := s.Store.UpdateCustomer(ctx, id, req.Version, func(cur *models.Customer) error {
		cur.OwnerID = req.OwnerID
		return nil
	}, s.audit(c, "customer.owner", "customer", id, "rep "+u.Email))
	respond(c, http.StatusOK, cust, err)
}

// customer360View is store.Customer360 with backorders as the dashboard
// shows them.
type customer360View struct {
	store.Customer360
	Backorders []backorderView `json:"backorders"`
}

func (s *Server) customer360(c *gin.Context) {
	now := time.Now().UTC()
	v, err := s.Store.Customer360(reqCtx(c), c.Param("id"), now)
	out := customer360View{Customer360: v, Backorders: make([]backorderView, 0, len(v.Backorders))}
	for _, b := range v.Backorders {
		out.Backorders = append(out.Backorders, viewOf(b, now))
	}
	respond(c, http.StatusOK, out, err)
}

// salesRep is a rep as an account assignment shows them.
type salesRep struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

func (s *Server) listSalesReps(c *gin.Context) {
	users, err := s.Store.ActiveUsersWithRole(reqCtx(c), models.RoleSalesRep)
	out := make([]salesRep, 0, len(users))
	for _, u := range users {
		out = append(out, salesRep{ID: u.ID, Name: u.Name, Email: u.Email})
	}
	respond(c, http.StatusOK, gin.H{"items": out}, err)
}
