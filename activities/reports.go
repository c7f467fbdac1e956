package activities

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// TakeKPISnapshots takes the KPI snapshot of one day, or of the day of At
// and the day before, in the report time zone.
func (a *Activities) TakeKPISnapshots(ctx context.Context, in workflows.KPISnapshotInput) error {
	if in.Day != "" {
		day, err := time.Parse(time.DateOnly, in.Day)
		if err != nil {
			return invalid(models.Invalid("day", "must be a date like 2026-06-30"))
		}
		return a.Store.TakeKPISnapshot(ctx, day)
	}
	today := calendar.Date(in.At.In(a.Store.ReportLocation()))
	for _, d := range []time.Time{today.AddDate(0, 0, -1), today} {
		if err := a.Store.TakeKPISnapshot(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
