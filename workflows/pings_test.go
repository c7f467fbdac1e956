package workflows_test

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/workflows"
)

func TestPingRecordsAndReplies(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var recorded []workflows.RecordPingInput
	env.RegisterActivityWithOptions(func(_ context.Context, in workflows.RecordPingInput) error {
		recorded = append(recorded, in)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityRecordPing})

	env.ExecuteWorkflow(workflows.Ping, workflows.PingInput{PingID: "p1", Message: "hello", RequestedBy: "user:u1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow did not complete: %v", env.GetWorkflowError())
	}
	var res workflows.PingResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Reply != "pong: hello" {
		t.Fatalf("result = %+v, %v", res, err)
	}
	if len(recorded) != 1 || recorded[0].PingID != "p1" || recorded[0].Reply != "pong: hello" {
		t.Fatalf("recorded %+v", recorded)
	}
	v, err := env.QueryWorkflow(workflows.QueryStatus)
	var st workflows.PingStatus
	if err != nil || v.Get(&st) != nil || st.Stage != "done" {
		t.Fatalf("status query = %+v, %v", st, err)
	}
}

func TestPingRetriesTransientFailures(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	calls := 0
	env.RegisterActivityWithOptions(func(_ context.Context, _ workflows.RecordPingInput) error {
		calls++
		if calls < 3 {
			return errors.New("database is restarting")
		}
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityRecordPing})
	env.ExecuteWorkflow(workflows.Ping, workflows.PingInput{PingID: "p2", Message: "x"})
	if env.GetWorkflowError() != nil || calls != 3 {
		t.Fatalf("err = %v after %d calls; want success on the 3rd", env.GetWorkflowError(), calls)
	}
}

func TestPingFailsOnPermanentError(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	calls := 0
	env.RegisterActivityWithOptions(func(_ context.Context, _ workflows.RecordPingInput) error {
		calls++
		return temporal.NewNonRetryableApplicationError("schema missing", "Fatal", nil)
	}, activity.RegisterOptions{Name: workflows.ActivityRecordPing})
	env.ExecuteWorkflow(workflows.Ping, workflows.PingInput{PingID: "p3", Message: "x"})
	if env.GetWorkflowError() == nil || calls != 1 {
		t.Fatalf("err = %v after %d calls; want failure after 1", env.GetWorkflowError(), calls)
	}
}
