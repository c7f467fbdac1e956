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
