package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/workflows"
)

// TestActivitiesHaveNoOverallDeadline: activities used to give up after 24
// hours (ScheduleToClose) and so fail the workflow carrying a sale or an
// allocator. Now only the attempt is bounded; retries back off to a minute
// for as long as an outage lasts. (The test framework itself stops after
// 10 attempts when none is set, so the bound is read from the activity's
// own info rather than waited out.)
func TestActivitiesHaveNoOverallDeadline(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	calls := 0
	var info activity.Info
	env.RegisterActivityWithOptions(func(ctx context.Context, _ time.Time) ([]string, error) {
		calls++
		info = activity.GetInfo(ctx)
		if calls < 8 {
			return nil, errors.New("database unavailable")
		}
		return []string{"WID"}, nil
	}, activity.RegisterOptions{Name: workflows.ActivitySKUsNeedingAttention})
	woken := 0
	env.RegisterActivityWithOptions(func(context.Context, string) error { woken++; return nil },
		activity.RegisterOptions{Name: workflows.ActivityWakeAllocator})
	workflows.Register(env)
	env.ExecuteWorkflow(workflows.BackorderSweepPassName)
	if err := env.GetWorkflowError(); err != nil || woken != 1 || calls != 8 {
		t.Fatalf("after the outage: %v; woken %d after %d calls", err, woken, calls)
	}
	if info.ScheduleToCloseTimeout < 365*24*time.Hour || info.StartToCloseTimeout != 30*time.Second {
		t.Fatalf("schedule-to-close %v, start-to-close %v: an activity must retry without an overall deadline",
			info.ScheduleToCloseTimeout, info.StartToCloseTimeout)
	}
}
