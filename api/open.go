package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
)

// Opening a business document that lives as a workflow (a quote, a
// ticket): its ID, whose account it is for, and the Update-with-Start that
// starts it and answers once it is stored.

// businessID returns prefix and ten base32 characters: short enough to read
// out on the phone. With an Idempotency-Key it comes from the request's
// Update ID (a hash of caller, route and key), so a create retried after a
// timeout reaches the same workflow, not a second document; otherwise 50
// random bits.
func businessID(c *gin.Context, prefix, updateID string) string {
	b := make([]byte, 10)
	if c.GetHeader(HeaderIdempotencyKey) != "" {
		sum := sha256.Sum256([]byte(updateID))
		copy(b, sum[:10])
	} else {
		_, _ = rand.Read(b)
	}
	const alphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789" // no I, L, O, U
	out := make([]byte, 10)
	for i := range out {
		out[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(out)
}

// ownAccount is the account a document is for: a customer's own (naming
// another is refused), or the one staff name.
func ownAccount(p auth.Principal, requested, what string) (string, error) {
	if p.IsCustomer() {
		if requested != "" && requested != p.CustomerID {
			return "", fmt.Errorf("%w: customers open a %s for their own account only", models.ErrForbidden, what)
		}
		return p.CustomerID, nil
	}
	if requested == "" {
		return "", models.Invalid("customer_id", "is required: whose %s it is", what)
	}
	return requested, nil
}

// withAccountRefusal adds ownAccount's refusal (no customer named) to a
// body's own, so one answer names every missing field.
func withAccountRefusal(accountErr, refused error) error {
	var missing, bad *models.ValidationError
	if errors.As(accountErr, &missing) && errors.As(refused, &bad) {
		return &models.ValidationError{Fields: append(slices.Clone(missing.Fields), bad.Fields...)}
	}
	return refused
}

// open starts a document's workflow with input and sends it the update
// that answers once the document is stored, waiting as awaitUpdate does.
func (s *Server) open(c *gin.Context, workflowID, updateID, resource, workflowName string, input any, updateName string, out any) bool {
	return s.awaitUpdate(c, workflowID, updateID, resource, out, func(ctx context.Context) (client.WorkflowUpdateHandle, error) {
		start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: workflowID, TaskQueue: s.TaskQueue, WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, workflowName, input)
		h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: start,
			UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: updateName, UpdateID: updateID, WaitForStage: client.WorkflowUpdateStageAccepted},
		})
		if err == nil {
			err = s.auditUpdate(ctx, c, workflowID, updateID, resource, auditCreate, nil)
		}
		return h, err
	})
}
