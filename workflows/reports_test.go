package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/workflows"
)

func TestKPISnapshots(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  workflows.KPISnapshotRequest
		want string // the activity inputs, in order
		days int
	}{
		{"the schedule takes today and yesterday in one call", workflows.KPISnapshotRequest{}, "at", 2},
		{"a back-fill takes each day of its range, in order", workflows.KPISnapshotRequest{From: "2026-02-27", To: "2026-03-01"}, "2026-02-27,2026-02-28,2026-03-01", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.SetStartTime(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
			var got []string
			env.RegisterActivityWithOptions(func(_ context.Context, in workflows.KPISnapshotInput) error {
				if in.Day == "" && !in.At.IsZero() {
					got = append(got, "at")
				} else {
					got = append(got, in.Day)
				}
				return nil
			}, activity.RegisterOptions{Name: workflows.ActivityTakeKPISnapshots})
			env.ExecuteWorkflow(workflows.KPISnapshots, tc.req)
			var n int
			if err := env.GetWorkflowError(); err != nil || env.GetWorkflowResult(&n) != nil || n != tc.days {
				t.Fatalf("result %d, %v", n, err)
			}
			if strings.Join(got, ",") != tc.want {
				t.Fatalf("activity inputs %v, want %s", got, tc.want)
			}
		})
	}
}
