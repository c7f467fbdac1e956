package itest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// TestReportingFactsBackFill: two whole sales through the API write their
// facts as they go; with the facts removed (a database from before the
// reporting tables), the back-fill that runs at every worker start writes
// them again from the orders and invoices, and the sales report reads the
// same; a second back-fill finds nothing to do.
func TestReportingFactsBackFill(t *testing.T) {
	a, customerID, tokens := benchSetup(t)
	ctx := context.Background()
	for range 2 {
		a.lifecycle(ctx, customerID, tokens)
	}
	today := calendar.Date(time.Now().UTC())
	q := store.SalesQuery{GroupBy: store.DimProduct, Granularity: calendar.Day, From: today.AddDate(0, 0, -1), To: today}
	read := func() string {
		r, err := a.Store.Sales(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		return string(b)
	}
	live := read()
	var r store.SalesReport
	if err := json.Unmarshal([]byte(live), &r); err != nil || len(r.Rows) != 1 || r.Rows[0].Total.Invoiced.Qty != 4 || r.Rows[0].Total.Booked.Lines != 2 {
		t.Fatalf("live report: %s", live)
	}
	conn, err := pgx.Connect(ctx, a.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, table := range []string{"order_lines", "shipment_lines", "invoice_lines", "sales_daily", "uncosted_sales"} {
		if _, err := conn.Exec(ctx, "DELETE FROM "+table); err != nil {
			t.Fatal(err)
		}
	}
	orders, invoices, err := activities.BackfillReporting(ctx, a.Store)
	if err != nil || orders != 2 || invoices != 2 {
		t.Fatalf("back-fill: %d orders, %d invoices, %v; want 2 and 2", orders, invoices, err)
	}
	if got := read(); got != live {
		t.Fatalf("after the back-fill\n got %s\nwant %s", got, live)
	}
	if orders, invoices, err := activities.BackfillReporting(ctx, a.Store); err != nil || orders+invoices != 0 {
		t.Fatalf("second back-fill: %d orders, %d invoices, %v", orders, invoices, err)
	}

	// The KPI back-fill of yesterday and today, asked twice: one workflow,
	// and today's revenue is the two sales' net.
	from, to := today.AddDate(0, 0, -1).Format(time.DateOnly), today.Format(time.DateOnly)
	exec := a.login("exec@q2c.local")
	for range 2 {
		var started struct {
			WorkflowID string `json:"workflow_id"`
		}
		if err := a.careful().Mutate("POST", "/api/v1/reports/kpis/backfill", exec, `{"from":"`+from+`","to":"`+to+`"}`, 202, &started); err != nil ||
			started.WorkflowID != workflows.KPIBackfillWorkflowID(from, to) {
			t.Fatalf("back-fill: %+v, %v", started, err)
		}
	}
	var days int
	if err := a.Client.GetWorkflow(ctx, workflows.KPIBackfillWorkflowID(from, to), "").Get(ctx, &days); err != nil || days != 2 {
		t.Fatalf("back-fill took %d days, %v", days, err)
	}
	trends, err := a.Store.KPITrends(ctx, today, today, calendar.Day)
	if err != nil {
		t.Fatal(err)
	}
	for _, sr := range trends.Series {
		if sr.Metric == store.KPIRevenue && (sr.Value == nil || *sr.Value != r.Totals[0].Total.Invoiced.Net) {
			t.Fatalf("today's revenue snapshot %v, the sales report says %d", sr.Value, r.Totals[0].Total.Invoiced.Net)
		}
	}
	a.recordHistory(workflows.KPIBackfillWorkflowID(from, to), "kpi-snapshots-backfill")
}
