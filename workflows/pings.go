package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// PingInput starts a ping: a smoke test that proves API → Temporal → worker →
// database works end to end.
type PingInput struct {
	PingID      string `json:"ping_id"`
	Message     string `json:"message"`
	RequestedBy string `json:"requested_by"`
}

// PingResult is what a finished ping returns.
type PingResult struct {
	Reply string `json:"reply"`
}

// PingStatus is the answer to the status query.
type PingStatus struct {
	Stage string `json:"stage"` // "recording" or "done"
	Reply string `json:"reply,omitempty"`
}

// RecordPingInput is the RecordPing activity's input.
type RecordPingInput struct {
	PingID      string `json:"ping_id"`
	Message     string `json:"message"`
	Reply       string `json:"reply"`
	RequestedBy string `json:"requested_by"`
}

// Ping records the ping through an activity and returns the reply.
func Ping(ctx workflow.Context, in PingInput) (PingResult, error) {
	status := PingStatus{Stage: "recording"}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (PingStatus, error) { return status, nil }); err != nil {
		return PingResult{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
			MaximumAttempts:    20,
		},
	})
	reply := fmt.Sprintf("pong: %s", in.Message)
	err := workflow.ExecuteActivity(ctx, ActivityRecordPing, RecordPingInput{
		PingID: in.PingID, Message: in.Message, Reply: reply, RequestedBy: in.RequestedBy,
	}).Get(ctx, nil)
	if err != nil {
		return PingResult{}, err
	}
	status = PingStatus{Stage: "done", Reply: reply}
	return PingResult{Reply: reply}, nil
}
