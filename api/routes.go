package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Route is one endpoint and who may call it. A route is either Public or has
// at least one role; registering anything else panics at start-up.
type Route struct {
	Method  string
	Path    string
	Summary string
	Public  bool
	Roles   []models.Role
	Handler gin.HandlerFunc
	// Body is the request body's type, for the OpenAPI description, and
	// ContentType its media type when not JSON.
	Body        any
	ContentType string
	// Answer is the success body's type, for the OpenAPI description
	// (oneOf{…} when it depends on who asks); without it the description
	// says only "an object".
	Answer any
}

// oneOf describes an answer whose shape depends on the caller (a customer
// is shown less than staff).
type oneOf []any

// Role sets that many routes share.
var (
	anyone          = models.AllRoles
	staff           = models.StaffRoles
	admins          = []models.Role{models.RoleITAdmin}
	customerFacing  = []models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager, models.RolePricingAnalyst, models.RoleCustomerService, models.RoleServiceManager, models.RoleFinance, models.RoleMarketing, models.RoleExecutive, models.RoleITAdmin}
	inventoryViewer = []models.Role{models.RoleSalesRep, models.RoleSalesManager, models.RoleWarehouseManager, models.RoleProductionManager, models.RoleSupplyChain, models.RoleCustomerService, models.RoleServiceManager, models.RoleExecutive, models.RoleITAdmin}
	outboxReaders   = []models.Role{models.RoleITAdmin, models.RoleCustomerService, models.RoleServiceManager}
)

func (s *Server) routeTable() []Route {
	return append([]Route{
		{Method: "GET", Path: "/healthz", Summary: "Liveness: the process answers", Public: true, Handler: s.healthz},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: database and Temporal answer", Public: true, Handler: s.readyz},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics, for a scraper holding Q2C_METRICS_TOKEN (no person's token is asked for)", Public: true, Handler: s.serveMetrics},
		{Method: "POST", Path: "/api/v1/auth/login", Summary: "Exchange email and password for a short-lived token", Public: true, Handler: s.login, Body: loginRequest{}},
		{Method: "GET", Path: "/api/v1/openapi.json", Summary: "This API's OpenAPI 3 description", Public: true, Handler: s.serveOpenAPI},

		{Method: "POST", Path: "/api/v1/auth/refresh", Summary: "Exchange a valid user token for a fresh one (sliding sessions)", Roles: anyone, Handler: s.refresh, Body: refreshRequest{}},
		{Method: "GET", Path: "/api/v1/me", Summary: "The caller's identity and roles", Roles: anyone, Handler: s.me},
		{Method: "GET", Path: "/api/v1/users", Summary: "List users", Roles: admins, Handler: s.listUsers},
		{Method: "POST", Path: "/api/v1/users", Summary: "Create a user", Roles: admins, Handler: s.createUser, Body: createUserRequest{}},
		{Method: "GET", Path: "/api/v1/api-keys", Summary: "List API keys", Roles: admins, Handler: s.listAPIKeys},
		{Method: "POST", Path: "/api/v1/api-keys", Summary: "Create an API key for a portal integration", Roles: admins, Handler: s.createAPIKey, Body: createAPIKeyRequest{}},
		{Method: "DELETE", Path: "/api/v1/api-keys/:id", Summary: "Revoke an API key", Roles: admins, Handler: s.revokeAPIKey},
		{Method: "GET", Path: "/api/v1/audit", Answer: store.List[models.AuditEvent]{}, Summary: "Audit trail of changes, newest first", Roles: admins, Handler: s.listAudit},
		{Method: "GET", Path: "/api/v1/audit/verify", Summary: "Walk the audit trail's hash chain: the entries that hold, the head's hash, and the first entry changed, removed or written around q2c", Roles: admins, Handler: s.verifyAudit},

		{Method: "GET", Path: "/api/v1/products", Answer: store.List[productView]{}, Summary: "List the catalog by SKU (?q= finds a part of the SKU, name or category, ignoring case; staff also by supplier). Customers see what they can buy", Roles: anyone, Handler: s.listProducts},
		{Method: "GET", Path: "/api/v1/products/:sku", Answer: productView{}, Summary: "A catalog product with what can be promised from stock now (customers: only products on sale)", Roles: anyone, Handler: s.getProduct},
		{Method: "GET", Path: "/api/v1/inventory", Summary: "Stock on hand, reserved and available per SKU and warehouse", Roles: inventoryViewer, Handler: s.listInventory},

		{Method: "POST", Path: "/api/v1/pings", Summary: "Start a ping workflow (smoke test of API, Temporal, worker and database)", Roles: admins, Handler: s.startPing, Body: pingRequest{}},
		{Method: "GET", Path: "/api/v1/pings/:id", Summary: "A ping's status and reply", Roles: admins, Handler: s.getPing},
		{Method: "GET", Path: "/api/v1/outbox", Answer: store.List[models.OutboxMessage]{}, Summary: "Messages the dev stack recorded instead of sending", Roles: outboxReaders, Handler: s.listOutbox},
	}, slices.Concat(s.pricingRoutes(), s.inventoryRoutes(), s.quoteRoutes(), s.orderRoutes(), s.billingRoutes(), s.shippingRoutes(), s.notificationRoutes(), s.backorderRoutes(), s.operationRoutes(), s.userRoutes(), s.reportRoutes(), s.salesReportRoutes(), s.kpiRoutes(), s.costRoutes(), s.customerRoutes(), s.stockCountRoutes(), s.ticketRoutes(), s.returnRoutes(), s.marketingRoutes(), s.codecRoutes(), s.personalDataRoutes())...)
}

// register adds r to the router with authentication, authorisation and, for
// mutations, Idempotency-Key handling in front of its handler.
func (s *Server) register(r Route) {
	if !r.Public && len(r.Roles) == 0 {
		panic(fmt.Sprintf("api: route %s %s declares no roles and is not public", r.Method, r.Path))
	}
	for _, role := range r.Roles {
		if !role.Valid() {
			panic(fmt.Sprintf("api: route %s %s names unknown role %q", r.Method, r.Path, role))
		}
	}
	var chain []gin.HandlerFunc
	if !r.Public {
		chain = append(chain, s.limitInFlight, s.authenticate, s.authorize(r.Roles))
		if r.Method != http.MethodGet {
			chain = append(chain, s.idempotent)
		}
	}
	chain = append(chain, r.Handler)
	s.engine.Handle(r.Method, r.Path, chain...)
}
