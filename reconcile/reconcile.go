// Package reconcile brings the app database level with Temporal after a
// restore took it back behind Temporal.
//
// Temporal remembers every step a sale took; the app database holds what
// those steps wrote. Restored from a backup older than Temporal's state, the
// database has lost what the steps since the backup wrote (orders saved,
// stock reserved and shipped, invoices and credit notes issued, payments,
// receipts), and the workflows will not do those steps again. Run reads the
// history of every workflow of the task queue that ran since then, and
// applies each recorded write again, in the order Temporal recorded them,
// through the same activity code the worker runs (activities.Reapplier):
// each is idempotent by its business key, so what the backup already holds
// is left as it is, and invoices and credit notes keep the numbers their
// customers were sent. Where an outcome now differs from the recorded one
// (stock that went elsewhere), Run says so and leaves it to a person.
//
// Run it after the restore and before the workers start (`q2c reconcile`).
package reconcile

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/workflows"
)

// localActivityMarker is the marker the SDK records a local activity's
// outcome in; markerData holds its type, markerResult its answer.
const (
	localActivityMarker = "LocalActivity"
	markerData          = "data"
	markerResult        = "result"
)

// Options say which workflows to read and from when.
type Options struct {
	TaskQueue string
	// Since: writes Temporal recorded from this time on are applied again.
	// It must be no later than the backup the database was restored from;
	// earlier is safe (what the backup holds is left as it is), only slower.
	Since time.Time
	Log   *slog.Logger
}

// Report is what a reconciliation found and did.
type Report struct {
	Since     time.Time `json:"since"`
	Runs      int       `json:"workflow_runs"`   // workflow runs read
	Writes    int       `json:"recorded_writes"` // writes recorded since Since
	Applied   int       `json:"applied"`         // writes applied again (the rest were reads or messages)
	Conflicts []string  `json:"conflicts"`       // outcomes that differ from the recorded ones
}

// write is one recorded activity run.
type write struct {
	at         time.Time
	workflowID string
	eventID    int64
	rec        activities.Recorded
}

// Run reconciles the database with Temporal (see the package comment).
func Run(ctx context.Context, tc client.Client, dc converter.DataConverter, r activities.Reapplier, opts Options) (Report, error) {
	rep := Report{Since: opts.Since.UTC(), Conflicts: []string{}}
	runs, err := listRuns(ctx, tc, opts)
	if err != nil {
		return rep, err
	}
	rep.Runs = len(runs)
	var writes []write
	for _, run := range runs {
		ws, err := recordedWrites(ctx, tc, dc, run, opts.Since)
		if err != nil {
			return rep, fmt.Errorf("reconcile: read %s: %w", run.GetWorkflowId(), err)
		}
		writes = append(writes, ws...)
	}
	// Temporal's order: when each step was recorded done. Writes to one SKU
	// are serialised by its lock, so this is the order they happened in,
	// except for steps that overlapped, whose outcomes are checked below.
	slices.SortStableFunc(writes, func(a, b write) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.workflowID, b.workflowID), cmp.Compare(a.eventID, b.eventID))
	})
	rep.Writes = len(writes)
	for _, w := range writes {
		out, err := r.Apply(ctx, w.rec)
		if err != nil {
			return rep, fmt.Errorf("reconcile: %s %s (event %d): %w", w.workflowID, w.rec.Activity, w.eventID, err)
		}
		if out.Applied {
			rep.Applied++
		}
		if out.Conflict != "" {
			rep.Conflicts = append(rep.Conflicts, fmt.Sprintf("%s %s: %s", w.workflowID, w.rec.Activity, out.Conflict))
			if opts.Log != nil {
				opts.Log.Warn("reconcile conflict", "workflow_id", w.workflowID, "activity", w.rec.Activity, "conflict", out.Conflict)
			}
		}
	}
	return rep, nil
}

// listRuns lists the task queue's workflow runs open now or closed since
// opts.Since (each run of a workflow that continued as new is its own).
func listRuns(ctx context.Context, tc client.Client, opts Options) ([]*commonpb.WorkflowExecution, error) {
	query := fmt.Sprintf("TaskQueue = '%s' AND (ExecutionStatus = 'Running' OR CloseTime >= '%s')",
		opts.TaskQueue, opts.Since.UTC().Format(time.RFC3339Nano))
	var runs []*commonpb.WorkflowExecution
	var token []byte
	for {
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token, PageSize: 1000})
		if err != nil {
			return nil, fmt.Errorf("reconcile: list workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			runs = append(runs, e.GetExecution())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return runs, nil
		}
	}
}

// recordedWrites reads one run's history and returns the activity runs it
// recorded done from since on: regular activities with their input and
// result, local ones with their answer.
func recordedWrites(ctx context.Context, tc client.Client, dc converter.DataConverter, run *commonpb.WorkflowExecution, since time.Time) ([]write, error) {
	decoder := func(p *commonpb.Payloads) func(any) error {
		if p == nil || len(p.GetPayloads()) == 0 {
			return nil
		}
		return func(into any) error { return dc.FromPayloads(p, into) }
	}
	scheduled := map[int64]*historypb.ActivityTaskScheduledEventAttributes{}
	var out []write
	it := tc.GetWorkflowHistory(ctx, run.GetWorkflowId(), run.GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		at := e.GetEventTime().AsTime()
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			st := e.GetWorkflowExecutionStartedEventAttributes()
			if st.GetWorkflowType().GetName() != workflows.CampaignWorkflowName || at.Before(since) || st.GetContinuedExecutionRunId() != "" {
				continue
			}
			out = append(out, write{at: at, workflowID: run.GetWorkflowId(), eventID: e.GetEventId(), rec: activities.Recorded{
				Activity: activities.CampaignStarted, Input: decoder(st.GetInput())}})
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled[e.GetEventId()] = e.GetActivityTaskScheduledEventAttributes()
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			done := e.GetActivityTaskCompletedEventAttributes()
			s := scheduled[done.GetScheduledEventId()]
			if s == nil || at.Before(since) {
				continue
			}
			out = append(out, write{at: at, workflowID: run.GetWorkflowId(), eventID: e.GetEventId(), rec: activities.Recorded{
				Activity: s.GetActivityType().GetName(), Input: decoder(s.GetInput()), Result: decoder(done.GetResult())}})
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			m := e.GetMarkerRecordedEventAttributes()
			if m.GetMarkerName() != localActivityMarker || m.GetFailure() != nil || at.Before(since) {
				continue
			}
			var data struct {
				ActivityType string
			}
			if err := dc.FromPayloads(m.GetDetails()[markerData], &data); err != nil {
				return nil, fmt.Errorf("local activity marker (event %d): %w", e.GetEventId(), err)
			}
			out = append(out, write{at: at, workflowID: run.GetWorkflowId(), eventID: e.GetEventId(), rec: activities.Recorded{
				Activity: data.ActivityType, Result: decoder(m.GetDetails()[markerResult])}})
		}
	}
	return out, nil
}

// String is the report in one line.
func (r Report) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}
