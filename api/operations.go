package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// A mutation carried by a workflow Update answers with its result when the
// result is ready within AnswerWait. Otherwise it answers 202 Accepted with
// an operation to poll: the work goes on in its workflow, a retry with the
// same Idempotency-Key reaches the same Update and gets the final answer,
// and the HTTP server's write timeout never cuts off an answer for work that
// went through.

const ctxOperation = "q2c.operation"

func (s *Server) operationRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/operations/:id", Summary: "A request still running when it answered 202: running, completed (read the resource), failed (with its problem) or unknown (send the request again with the same Idempotency-Key); callers see only their own", Roles: anyone, Handler: s.getOperation},
	}
}

// updateID names the Update a request sends. With an Idempotency-Key it
// comes from (caller, method, path, key): a retry reaches the same Update,
// and neither another caller nor another operation on the same workflow
// with the same key can be answered with this one's result.
func updateID(c *gin.Context) string {
	key := c.GetHeader(HeaderIdempotencyKey)
	if key == "" {
		return store.NewID()
	}
	p, _ := principalOf(c)
	sum := sha256.Sum256([]byte(p.Subject() + "\n" + c.Request.Method + " " + c.Request.URL.Path + "\n" + key))
	return hex.EncodeToString(sum[:16])
}

// awaitUpdate sends an Update through call and waits up to AnswerWait for
// its result in out. It returns true when out holds the result; otherwise
// it has answered, with the problem or with 202 and the operation.
func (s *Server) awaitUpdate(c *gin.Context, workflowID, updateID, resource string, out any,
	call func(ctx context.Context) (client.WorkflowUpdateHandle, error)) bool {
	ctx, cancel := context.WithTimeout(reqCtx(c), s.AnswerWait)
	defer cancel()
	h, err := call(ctx)
	var missing *serviceerror.NotFound
	if quoteID, ok := strings.CutPrefix(workflowID, workflows.QuoteWorkflowID("")); ok && errors.As(err, &missing) {
		// A quote opened a moment ago whose workflow is not running yet
		// (package quotes): start it, then ask again.
		if err = s.quoteStarts.Start(ctx, quoteID); err == nil {
			h, err = call(ctx)
		}
	}
	if err == nil {
		err = h.Get(ctx, out)
	}
	switch {
	case err == nil:
		return true
	case reqCtx(c).Err() == nil && timedOut(ctx, err):
		s.answerRunning(c, store.Operation{ID: updateID, WorkflowID: workflowID, UpdateID: updateID, Location: resource})
	default:
		err = workflowError(err)
		if errors.Is(err, errFinished) {
			err = s.finished(reqCtx(c), workflowID, err)
		}
		fail(c, err)
	}
	return false
}

// finished says what a quote or an order whose workflow has ended ended
// as, for the refusal of a change it can no longer take ("order SO-1 is
// completed"); for anything else it keeps the general refusal.
func (s *Server) finished(ctx context.Context, workflowID string, general error) error {
	status := ""
	if id, ok := strings.CutPrefix(workflowID, workflows.OrderWorkflowID("")); ok {
		if rec, err := s.Store.OrderByID(ctx, id); err == nil {
			status = "order " + id + " is " + rec.Status
		}
	} else if id, ok := strings.CutPrefix(workflowID, workflows.QuoteWorkflowID("")); ok {
		if rec, err := s.Store.QuoteByID(ctx, id); err == nil {
			status = "quote " + id + " is " + rec.Status
		}
	}
	if status == "" {
		return general
	}
	return models.Conflict("%s: nothing about it can change any more", strings.ReplaceAll(status, "_", " "))
}

// timedOut reports whether err ended a wait bounded by ctx: the context
// expired, or the SDK gave up on the Update a moment before it (it trims
// the deadline it passes to the server).
func timedOut(ctx context.Context, err error) bool {
	var t *client.WorkflowUpdateServiceTimeoutOrCanceledError
	return ctx.Err() != nil || errors.As(err, &t) || errors.Is(err, context.DeadlineExceeded)
}

// operationView is an operation as its caller polls it.
type operationView struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"` // running | completed | failed | unknown
	Resource string   `json:"resource,omitempty"`
	Problem  *Problem `json:"problem,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// Operation statuses.
const (
	OperationRunning   = "running"
	OperationCompleted = "completed"
	OperationFailed    = "failed"
	OperationUnknown   = "unknown"
)

func (s *Server) answerRunning(c *gin.Context, op store.Operation) {
	p, _ := principalOf(c)
	op.Subject = p.Subject()
	// The answer is owed even if the client has gone: store it regardless.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx(c)), settleTimeout)
	defer cancel()
	if err := s.Store.SaveOperation(ctx, op); err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxOperation, op.ID)
	c.Header("Location", "/api/v1/operations/"+op.ID)
	c.Header("Retry-After", "1")
	c.JSON(http.StatusAccepted, operationView{ID: op.ID, Status: OperationRunning, Resource: op.Location,
		Detail: "still running; poll the Location, or send the request again with the same Idempotency-Key for its answer"})
}

func (s *Server) getOperation(c *gin.Context) {
	p, _ := principalOf(c)
	op, err := s.Store.OperationFor(reqCtx(c), c.Param("id"), p.Subject())
	if err != nil {
		fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(reqCtx(c), s.AnswerWait)
	defer cancel()
	var result json.RawMessage
	err = s.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{WorkflowID: op.WorkflowID, UpdateID: op.UpdateID}).Get(ctx, &result)
	v := operationView{ID: op.ID, Resource: op.Location}
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		v.Status = OperationCompleted
	case timedOut(ctx, err):
		v.Status = OperationRunning
		c.Header("Retry-After", "1")
	case errors.As(err, &nf):
		v.Status, v.Detail = OperationUnknown, "the request never reached its workflow; send it again with the same Idempotency-Key"
	default:
		pr := problemOf(workflowError(err))
		if pr.Status >= 500 {
			v.Status = OperationRunning // the engine did not answer; the work may still go on
			c.Header("Retry-After", pr.retryAfter)
			break
		}
		v.Status, v.Problem = OperationFailed, &pr
	}
	c.JSON(http.StatusOK, v)
}
