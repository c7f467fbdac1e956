package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
)

// dataProtection are who answer data-subject requests for any account.
var dataProtection = []models.Role{models.RoleITAdmin, models.RoleCustomerService, models.RoleServiceManager}

func (s *Server) personalDataRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/customers/:id/personal-data", Summary: "Everything held about a customer account, as JSON (a data-subject access request): the account and every row of every table that belongs to it, secrets left out; audited",
			Roles: dataProtection, Handler: s.customerPersonalData},
		{Method: "GET", Path: "/api/v1/me/personal-data", Summary: "Everything held about the caller's own customer account, as JSON; audited",
			Roles: []models.Role{models.RoleCustomer}, Handler: s.myPersonalData},
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
