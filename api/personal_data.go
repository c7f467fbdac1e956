package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// dataProtection are who answer data-subject access requests for any
// account; eraseRequesters who may erase a person (it cannot be undone).
var (
	dataProtection  = []models.Role{models.RoleITAdmin, models.RoleCustomerService, models.RoleServiceManager}
	eraseRequesters = []models.Role{models.RoleITAdmin, models.RoleServiceManager}
)

func (s *Server) personalDataRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/customers/:id/personal-data", Summary: "Everything held about a customer account, as JSON (a data-subject access request): the account and every row of every table that belongs to it, secrets left out; audited",
			Roles: dataProtection, Handler: s.customerPersonalData},
		{Method: "GET", Path: "/api/v1/me/personal-data", Summary: "Everything held about the caller's own customer account, as JSON; audited",
			Roles: []models.Role{models.RoleCustomer}, Handler: s.myPersonalData},
		{Method: "POST", Path: "/api/v1/personal-data/erase", Summary: "Erase a person (a data-subject request) by their email: their user, contact entries, the account address when theirs, messages to them and stored answers quoting them are anonymised in one go; invoices keep what they were issued with; audited under a pseudonym; erasing again changes nothing",
			Roles: eraseRequesters, Handler: s.erasePerson, Body: eraseRequest{}},
	}
}

func (s *Server) customerPersonalData(c *gin.Context) { s.personalData(c, c.Param("id")) }

func (s *Server) myPersonalData(c *gin.Context) {
	p, _ := principalOf(c)
	s.personalData(c, p.CustomerID)
}

// personalData answers the export as a file to keep, after recording who
// took it: the trail must say who has seen a person's data.
func (s *Server) personalData(c *gin.Context, customerID string) {
	ctx := reqCtx(c)
	d, err := s.Store.PersonalData(ctx, customerID)
	if err != nil {
		fail(c, err)
		return
	}
	n := 0
	for _, rows := range d.Tables {
		n += len(rows)
	}
	if err := s.Store.AppendAudit(ctx, s.audit(c, "customer.personal_data_export", "customer", customerID, fmt.Sprintf("%d rows from %d tables", n, len(d.Tables)))); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="personal-data-%s.json"`, customerID))
	c.JSON(http.StatusOK, d)
}

type eraseRequest struct {
	Email  string `json:"email"`
	Reason string `json:"reason"`
}

func (r eraseRequest) Validate() error {
	var v models.Validator
	v.Text("email", r.Email, true, models.MaxNameLen)
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	return v.Err()
}

// erasePerson erases and records it in the same transaction, under the
// pseudonym: the trail must not keep the address it erased.
func (s *Server) erasePerson(c *gin.Context) {
	var req eraseRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	var out store.Erasure
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.ErasePerson(ctx, req.Email); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "person.erase", "person", out.Pseudonym, fmt.Sprintf("%s; rows %v", req.Reason, out.Rows)))
	})
	respond(c, http.StatusOK, out, err)
}
