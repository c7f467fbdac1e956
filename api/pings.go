package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

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
