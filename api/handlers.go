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
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

func reqCtx(c *gin.Context) context.Context { return c.Request.Context() }

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.Version})
}

// readyz answers 200 only when a request could get through: the database
// answers, Temporal's frontend answers, and a worker polls the task queue
// (without one, every workflow call would hang). Raw errors go to the log
// only: they can name hosts, users and driver internals.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(reqCtx(c), 3*time.Second)
	defer cancel()
	checks, failed := gin.H{}, []string{}
	for _, ch := range s.Ready(ctx) {
		checks[ch.Name] = "ok"
		if ch.Err != nil {
			s.Logger.Warn("not ready", "check", ch.Name, "error", ch.Err)
			checks[ch.Name], failed = "unavailable", append(failed, ch.Name)
		}
	}
	if len(failed) > 0 {
		c.Header("Retry-After", "1")
		writeProblem(c, Problem{Type: ProblemUnavailable, Title: "Not ready", Status: http.StatusServiceUnavailable,
			Detail: strings.Join(failed, ", ") + " not ready", Checks: checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

// Check is one readiness check's outcome; Err is nil when it passed.
type Check struct {
	Name string
	Err  error
}

// Ready runs the readiness checks in order: the database, Temporal's
// frontend, then a worker polling the task queue.
func (s *Server) Ready(ctx context.Context) []Check {
	checks := []Check{{"database", s.Store.Ping(ctx)}}
	if s.Temporal == nil {
		return append(checks, Check{"temporal", errors.New("not configured")})
	}
	_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	checks = append(checks, Check{"temporal", err})
	if err == nil {
		checks = append(checks, Check{"workers", s.workerPolls(ctx)})
	}
	return checks
}

// workerPolls asks Temporal's matching service whether a worker polls the
// task queue. It is the call that hung while a restarted embedded server was
// still joining its previous run's dead members.
func (s *Server) workerPolls(ctx context.Context) error {
	resp, err := s.Temporal.DescribeTaskQueue(ctx, s.TaskQueue, enums.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil {
		return err
	}
	if len(resp.GetPollers()) == 0 {
		return fmt.Errorf("no worker polls task queue %s", s.TaskQueue)
	}
	return nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (r loginRequest) Validate() error {
	var v models.Validator
	v.Check(r.Email != "", "email", "is required")
	v.Check(r.Password != "", "password", "is required")
	return v.Err()
}

type loginResponse struct {
	Token     string      `json:"token"`
	TokenType string      `json:"token_type"`
	ExpiresAt time.Time   `json:"expires_at"`
	User      models.User `json:"user"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bind(c, &req) {
		return
	}
	u, err := s.Store.UserByEmail(reqCtx(c), req.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		fail(c, err)
		return
	}
	if err := auth.CheckPassword(u.PasswordHash, req.Password); err != nil || !u.Active {
		fail(c, fmt.Errorf("%w: %v", models.ErrUnauthorized, auth.ErrBadCredentials))
		return
	}
	tok, exp, err := s.Tokens.Issue(u)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse{Token: tok, TokenType: "Bearer", ExpiresAt: exp, User: u})
}

func (s *Server) me(c *gin.Context) {
	p, _ := principalOf(c)
	c.JSON(http.StatusOK, p)
}

func (s *Server) listUsers(c *gin.Context) { listPage(c, s.Store.ListUsers) }

type createUserRequest struct {
	Email      string        `json:"email"`
	Name       string        `json:"name"`
	Phone      string        `json:"phone"`
	Password   string        `json:"password"`
	Roles      []models.Role `json:"roles"`
	CustomerID *string       `json:"customer_id"`
}

func (r createUserRequest) Validate() error {
	var v models.Validator
	v.Check(models.ValidEmail(models.NormalizeEmail(r.Email)), "email", "must be an email address")
	v.Text("name", r.Name, true, models.MaxNameLen)
	v.Check(r.Phone == "" || models.ValidPhone(r.Phone), "phone", "must be E.164, e.g. +14155550100")
	v.Check(len(r.Password) >= auth.MinPasswordLength && len(r.Password) <= 72, "password", fmt.Sprintf("must be %d to 72 characters", auth.MinPasswordLength))
	v.Check(len(r.Roles) > 0, "roles", "needs at least one role")
	for i, role := range r.Roles {
		v.Check(role.Valid(), fmt.Sprintf("roles[%d]", i), "is not a role")
	}
	isCustomer := models.Roles(r.Roles).Has(models.RoleCustomer)
	v.Check(!isCustomer || r.CustomerID != nil, "customer_id", "is required for the customer role")
	v.Check(!isCustomer || len(r.Roles) == 1, "roles", "customer cannot be combined with staff roles")
	v.Check(isCustomer || r.CustomerID == nil, "customer_id", "is only for users with the customer role")
	return v.Err()
}

func (s *Server) createUser(c *gin.Context) {
	var req createUserRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	if !s.customerExists(c, req.CustomerID) {
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		fail(c, err)
		return
	}
	u := &models.User{Email: req.Email, Name: strings.TrimSpace(req.Name), Phone: req.Phone, Roles: models.Roles(req.Roles).Normalize(),
		CustomerID: req.CustomerID, PasswordHash: hash, Active: true}
	err = s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "user.create", "user", u.ID, "roles="+u.Roles.String()))
	})
	respond(c, http.StatusCreated, u, err)
}

func (s *Server) listAPIKeys(c *gin.Context) { listPage(c, s.Store.ListAPIKeys) }

type createAPIKeyRequest struct {
	Name       string        `json:"name"`
	Roles      []models.Role `json:"roles"`
	CustomerID *string       `json:"customer_id"`
}

func (r createAPIKeyRequest) Validate() error {
	var v models.Validator
	v.Text("name", r.Name, true, models.MaxNameLen)
	v.Check(len(r.Roles) > 0, "roles", "needs at least one role")
	for i, role := range r.Roles {
		v.Check(role.Valid(), fmt.Sprintf("roles[%d]", i), "is not a role")
	}
	v.Check(!models.Roles(r.Roles).Has(models.RoleITAdmin), "roles", "an API key cannot hold it_admin")
	isCustomer := models.Roles(r.Roles).Has(models.RoleCustomer)
	// As for users: a customer's key sees one account; a staff role beside it
	// would widen what the key's holder sees to everyone's.
	v.Check(!isCustomer || len(r.Roles) == 1, "roles", "customer cannot be combined with staff roles")
	v.Check(isCustomer == (r.CustomerID != nil), "customer_id", "is required with, and only with, the customer role")
	return v.Err()
}

type createdAPIKey struct {
	models.APIKey
	Key string `json:"key"` // shown once
}

func (s *Server) createAPIKey(c *gin.Context) {
	var req createAPIKeyRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	if !s.customerExists(c, req.CustomerID) {
		return
	}
	p, _ := principalOf(c)
	key, prefix, hash := auth.NewAPIKey()
	k := &models.APIKey{Name: strings.TrimSpace(req.Name), Prefix: prefix, KeyHash: hash, Roles: models.Roles(req.Roles).Normalize(),
		CustomerID: req.CustomerID, CreatedBy: p.Subject()}
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "api_key.create", "api_key", k.ID, "roles="+k.Roles.String()))
	})
	respond(c, http.StatusCreated, createdAPIKey{APIKey: *k, Key: key}, err)
}

func (s *Server) revokeAPIKey(c *gin.Context) {
	ctx := reqCtx(c)
	var k models.APIKey
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if k, err = tx.RevokeAPIKey(ctx, c.Param("id")); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "api_key.revoke", "api_key", k.ID, ""))
	})
	respond(c, http.StatusOK, k, err)
}

func (s *Server) listAudit(c *gin.Context) {
	listPage(c, func(ctx context.Context, p store.Page) (store.List[models.AuditEvent], error) {
		return s.Store.ListAudit(ctx, c.Query("entity"), c.Query("entity_id"), p)
	})
}

func (s *Server) listCustomers(c *gin.Context) {
	p, _ := principalOf(c)
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Customer], error) {
		return s.Store.ListCustomers(ctx, p.CustomerID, page)
	})
}

func (s *Server) listProducts(c *gin.Context) {
	p, _ := principalOf(c)
	// Customers see only what they can buy; staff also see retired SKUs.
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Product], error) {
		return s.Store.ListProducts(ctx, !p.Roles.IsStaff(), page)
	})
}

type stockRow struct {
	models.StockLevel
	Available int64 `json:"available"`
}

func (s *Server) listInventory(c *gin.Context) {
	levels, err := s.Store.StockFor(reqCtx(c), c.Query("sku"))
	rows := make([]stockRow, len(levels))
	for i, l := range levels {
		rows[i] = stockRow{StockLevel: l, Available: l.Available()}
	}
	respond(c, http.StatusOK, gin.H{"items": rows}, err)
}

type pingRequest struct {
	Message string `json:"message"`
}

func (r pingRequest) Validate() error {
	var v models.Validator
	v.Check(strings.TrimSpace(r.Message) != "", "message", "is required")
	v.Check(len(r.Message) <= 200, "message", "must be at most 200 characters")
	return v.Err()
}

type pingView struct {
	ID         string       `json:"id"`
	WorkflowID string       `json:"workflow_id"`
	Status     string       `json:"status"`
	Ping       *models.Ping `json:"ping,omitempty"`
}

func (s *Server) startPing(c *gin.Context) {
	var req pingRequest
	if !bind(c, &req) {
		return
	}
	p, _ := principalOf(c)
	id := store.NewID()
	_, err := s.Temporal.ExecuteWorkflow(reqCtx(c), client.StartWorkflowOptions{
		ID: workflows.PingWorkflowID(id), TaskQueue: s.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.PingWorkflowName, workflows.PingInput{PingID: id, Message: req.Message, RequestedBy: p.Subject()})
	if err != nil {
		fail(c, fmt.Errorf("%w: start workflow: %v", errUnavailable, err))
		return
	}
	c.JSON(http.StatusAccepted, pingView{ID: id, WorkflowID: workflows.PingWorkflowID(id), Status: models.PingRunning})
}

// getPing reads the database first (the worker's record), then asks Temporal
// about a ping the worker has not recorded yet.
func (s *Server) getPing(c *gin.Context) {
	ctx, id := reqCtx(c), c.Param("id")
	view := pingView{ID: id, WorkflowID: workflows.PingWorkflowID(id)}
	ping, err := s.Store.PingByID(ctx, id)
	if err == nil {
		view.Status, view.Ping = ping.Status, &ping
		c.JSON(http.StatusOK, view)
		return
	}
	if !errors.Is(err, models.ErrNotFound) {
		fail(c, err)
		return
	}
	d, err := s.Temporal.DescribeWorkflowExecution(ctx, view.WorkflowID, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		fail(c, models.NotFound("ping", id))
		return
	}
	if err != nil {
		fail(c, fmt.Errorf("%w: %v", errUnavailable, err))
		return
	}
	view.Status = strings.ToLower(strings.TrimPrefix(d.GetWorkflowExecutionInfo().GetStatus().String(), "WORKFLOW_EXECUTION_STATUS_"))
	c.JSON(http.StatusOK, view)
}

func (s *Server) listOutbox(c *gin.Context) {
	listPage(c, func(ctx context.Context, p store.Page) (store.List[models.OutboxMessage], error) {
		return s.Store.ListOutboxMessages(ctx, c.Query("recipient"), p)
	})
}

// listPage answers one page of a list: it reads ?limit= and ?cursor=, then
// calls list.
func listPage[T any](c *gin.Context, list func(context.Context, store.Page) (store.List[T], error)) {
	page, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	l, err := list(reqCtx(c), page)
	respond(c, http.StatusOK, l, err)
}

// respond writes v with status, or the problem for err.
func respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, v)
}

func (s *Server) audit(c *gin.Context, action, entity, id, detail string) models.AuditEvent {
	p, _ := principalOf(c)
	return models.AuditEvent{Actor: p.Subject(), Action: action, Entity: entity, EntityID: id, Detail: detail}
}

// customerExists checks an optional customer reference; a missing customer
// is a bad customer_id field. It answers and returns false on failure.
func (s *Server) customerExists(c *gin.Context, id *string) bool {
	if id == nil {
		return true
	}
	if _, err := s.Store.CustomerByID(reqCtx(c), *id); err != nil {
		fail(c, notFoundAsInvalid(err, "customer_id"))
		return false
	}
	return true
}

// notFoundAsInvalid reports a reference to a missing record as a bad field.
func notFoundAsInvalid(err error, field string) error {
	if errors.Is(err, models.ErrNotFound) {
		return models.Invalid(field, "does not exist")
	}
	return err
}
