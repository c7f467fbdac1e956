package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Helpers every handler shares: the request context, list pages, answers,
// audit entries and reference checks.

// reqCtx is the request's context: it ends when the client goes away.
func reqCtx(c *gin.Context) context.Context { return c.Request.Context() }

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

// statusFilter is a list's ?status=, one of allowed or empty: a status no
// document can have is refused naming the field, not answered with an
// empty list that reads as "there are none".
func statusFilter(c *gin.Context, allowed []string) (string, error) {
	status := c.Query("status")
	if status != "" && !slices.Contains(allowed, status) {
		return "", models.Invalid("status", "must be one of %s", strings.Join(allowed, ", "))
	}
	return status, nil
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

// auditCreate is the action recorded when a document's workflow opens it.
const auditCreate = "create"

// auditDetailer is an update's input that says what the trail keeps of it.
type auditDetailer interface{ AuditDetail() string }

// auditUpdate records a change a person asked a document's workflow for,
// once the workflow has accepted it (its validators passed), as
// "<entity>.<update>" on the document resource names (/api/v1/quotes/Q-1:
// quote Q-1). The update's id makes the entry: a retried request with the
// same Idempotency-Key, which Temporal answers with the same update, adds
// none.
func (s *Server) auditUpdate(ctx context.Context, c *gin.Context, workflowID, updateID, resource, name string, arg any) error {
	return s.Store.AppendAudit(ctx, s.auditEntry(c, workflowID, updateID, resource, name, arg))
}

// auditEntry is the entry auditUpdate appends, for a caller that appends it
// in a transaction of its own work.
func (s *Server) auditEntry(c *gin.Context, workflowID, updateID, resource, name string, arg any) models.AuditEvent {
	parts := strings.Split(strings.TrimPrefix(resource, "/api/v1/"), "/")
	entity, id := strings.TrimSuffix(parts[0], "s"), parts[len(parts)-1]
	detail := ""
	if d, ok := arg.(auditDetailer); ok {
		detail = truncate(d.AuditDetail(), models.MaxCommentLen)
	}
	e := s.audit(c, entity+"."+name, entity, id, detail)
	ref := workflowID + "/" + updateID
	e.Ref = &ref
	return e
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

// customerScope is the customer a list is limited to: a customer's own
// account, always; for staff, the ?customer_id= they ask for, if any.
func customerScope(c *gin.Context, p auth.Principal) string {
	if p.IsCustomer() {
		return p.CustomerID
	}
	return c.Query("customer_id")
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
