package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

var (
	trendReaders = []models.Role{models.RoleExecutive, models.RoleSalesManager, models.RoleFinance, models.RoleSupplyChain,
		models.RoleWarehouseManager, models.RoleProductionManager}
	snapshotTakers = []models.Role{models.RoleITAdmin, models.RoleExecutive}
)

func (s *Server) kpiRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/reports/kpis", Answer: store.KPITrends{}, Summary: "Operations and executive KPIs from the daily snapshots, per period and against the previous range: revenue, bookings, on-time delivery, order and line fill rate, backorder rate, lead time, perfect-order rate, on-time payment, DSO, open backorder value (?from=, ?to=, ?granularity=, ?format=csv)",
			Roles: trendReaders, Handler: s.kpiTrends},
		{Method: "POST", Path: "/api/v1/reports/kpis/backfill", Summary: "Take the KPI snapshots of past days (at most 366), as a workflow; asking again for the same range is the same back-fill",
			Roles: snapshotTakers, Handler: s.kpiBackfill, Body: kpiBackfillRequest{}},
	}
}

func (s *Server) kpiTrends(c *gin.Context) {
	g := calendar.Granularity(c.DefaultQuery("granularity", string(calendar.Week)))
	if !g.Valid() {
		fail(c, models.Invalid("granularity", "must be day, week, month or quarter"))
		return
	}
	periodReport(s, c, func(ctx context.Context, from, to time.Time, _ *time.Location) (store.KPITrends, error) {
		return s.Store.KPITrends(ctx, from, to, g)
	}, func(r store.KPITrends) string { return "kpis-" + r.From + "-" + r.To },
		[]string{"metric", "unit", "currency", "period", "value"},
		func(r store.KPITrends, row func([]string) error) error {
			for _, sr := range r.Series {
				for i, v := range append(append([]*int64{}, sr.Periods...), sr.Value, sr.Previous) {
					label := "range " + r.From + ".." + r.To
					switch {
					case i < len(r.Periods):
						label = r.Periods[i].Label
					case i == len(r.Periods)+1:
						label = "previous " + r.PreviousFrom + ".." + r.PreviousTo
					}
					if err := row([]string{sr.Metric, sr.Unit, string(sr.Currency), label, kpiValue(sr, v)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

// kpiValue writes a KPI value in its unit: money and days as decimals,
// rates as percentages.
func kpiValue(sr store.KPISeries, v *int64) string {
	if v == nil {
		return ""
	}
	switch sr.Unit {
	case "money":
		return models.NewMoney(*v, sr.Currency).Decimal()
	case "bp":
		return percent(v)
	}
	return tenths(*v)
}

type kpiBackfillRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func (r kpiBackfillRequest) Validate() error {
	var v models.Validator
	from, ferr := time.Parse(time.DateOnly, r.From)
	to, terr := time.Parse(time.DateOnly, r.To)
	v.Check(ferr == nil, "from", "must be a date like 2026-06-30")
	v.Check(terr == nil, "to", "must be a date like 2026-06-30")
	if ferr == nil && terr == nil {
		v.Check(!to.Before(from), "to", "must not be before from")
		v.Check(calendar.Days(from, to) <= workflows.MaxKPIBackfillDays, "to", fmt.Sprintf("at most %d days after from", workflows.MaxKPIBackfillDays-1))
	}
	return v.Err()
}

// kpiBackfill starts the back-fill workflow of a range; its ID is the
// range, so a retry or a second click joins the one running.
func (s *Server) kpiBackfill(c *gin.Context) {
	var req kpiBackfillRequest
	if !bind(c, &req) {
		return
	}
	if to, _ := time.ParseInLocation(time.DateOnly, req.To, s.ReportLocation); to.After(time.Now()) {
		fail(c, models.Invalid("to", "must not be after today: a day is taken once it has begun"))
		return
	}
	id := workflows.KPIBackfillWorkflowID(req.From, req.To)
	run, err := s.Temporal.ExecuteWorkflow(reqCtx(c), client.StartWorkflowOptions{ID: id, TaskQueue: s.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING},
		workflows.KPISnapshotsName, workflows.KPISnapshotRequest{From: req.From, To: req.To})
	if err != nil {
		fail(c, fmt.Errorf("%w: %v", errUnavailable, err))
		return
	}
	if err := s.Store.AppendAudit(reqCtx(c), s.audit(c, "kpi.backfill", "kpi_snapshots", id, req.From+".."+req.To)); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"workflow_id": run.GetID(), "from": req.From, "to": req.To})
}
