package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// KPI snapshots: a Temporal Schedule runs KPISnapshots every
// KPISnapshotEvery, which takes today's snapshot (and yesterday's, so the
// last minutes of a day are in its final figures). A back-fill runs the
// same workflow over a range of past days.
const (
	KPISnapshotsName         = "KPISnapshots"
	ActivityTakeKPISnapshots = "TakeKPISnapshots"
	KPISnapshotEvery         = 15 * time.Minute
	// MaxKPIBackfillDays bounds one back-fill.
	MaxKPIBackfillDays = 366
)

// KPISnapshotRequest names the days to take (dates, both included); empty
// means today and yesterday in the report time zone.
type KPISnapshotRequest struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// KPISnapshotInput is the activity's input: one day, or the moment whose
// day and the day before are taken.
type KPISnapshotInput struct {
	Day string    `json:"day,omitempty"`
	At  time.Time `json:"at,omitzero"`
}

// KPIBackfillWorkflowID is a back-fill's workflow ID, from its range: asking
// twice for the same range is one back-fill.
func KPIBackfillWorkflowID(from, to string) string { return fmt.Sprintf("KPIBackfill:%s:%s", from, to) }

// KPISnapshots takes the snapshots req names and returns how many days.
func KPISnapshots(ctx workflow.Context, req KPISnapshotRequest) (int, error) {
	ctx = withActivityDefaults(ctx)
	if req.From == "" {
		return 2, workflow.ExecuteActivity(ctx, ActivityTakeKPISnapshots, KPISnapshotInput{At: workflow.Now(ctx)}).Get(ctx, nil)
	}
	from, err := time.Parse(time.DateOnly, req.From)
	if err != nil {
		return 0, err
	}
	to, err := time.Parse(time.DateOnly, req.To)
	if err != nil {
		return 0, err
	}
	n := 0
	for d := from; !d.After(to) && n < MaxKPIBackfillDays; d = d.AddDate(0, 0, 1) {
		if err := workflow.ExecuteActivity(ctx, ActivityTakeKPISnapshots, KPISnapshotInput{Day: d.Format(time.DateOnly)}).Get(ctx, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
