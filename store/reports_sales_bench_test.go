package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/store"
)

const benchLines = 1_000_000

// salesBench fills a Postgres database once per run with 1,000,000 order
// lines (200,000 orders of 5 lines; 2,000 customers in 10 regions and 3
// segments with 50 reps; 500 SKUs in 20 categories) over the last 365 days,
// the same number of invoice lines from 3 warehouses, and a year of daily
// KPI snapshots; then builds the daily rollup with the code a change of
// report zone runs (RebuildSalesRollup).
func salesBench(b *testing.B) *store.Store {
	url := testdb.PostgresURL(b)
	ctx := context.Background()
	st, err := store.Open(ctx, url, testdb.Quiet)
	if err != nil {
		b.Fatal(err)
	}
	st.SetKeys(testdb.Keys)
	b.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	{
		for _, q := range []string{
			`INSERT INTO customers (id, name, email, segment, region, tier, currency, owner_id, created_at)
			 SELECT 'cust-' || g, 'Customer ' || g, 'c' || g || '@example.com', (ARRAY['enterprise','mid-market','smb'])[1 + g % 3],
			   'R' || (g % 10), 1 + g % 3, 'USD', 'rep-' || (g % 50), now() FROM generate_series(1, 2000) g`,
			`INSERT INTO products (sku, name, unit_of_measure, list_price, currency, supplier, lead_time_days, make_to_order, active, category, created_at)
			 SELECT 'SKU-' || g, 'Product ' || g, 'each', 1000, 'USD', 'S' || (g % 25), 14, false, true, 'CAT-' || (g % 20), now()
			 FROM generate_series(1, 500) g`,
			fmt.Sprintf(`INSERT INTO order_lines (order_id, line_no, customer_id, region, segment, rep_id, sku, category, currency, qty, qty_filled,
			   qty_shipped, qty_cancelled, gross, discount, net, tax, unit_cost, ordered_at, promised_at, shipped_at, rev)
			 SELECT 'SO-' || (g / 5), g %% 5, 'cust-' || (1 + (g / 5) %% 2000), 'R' || ((1 + (g / 5) %% 2000) %% 10),
			   (ARRAY['enterprise','mid-market','smb'])[1 + (1 + (g / 5) %% 2000) %% 3], 'rep-' || ((1 + (g / 5) %% 2000) %% 50),
			   'SKU-' || (1 + g %% 500), 'CAT-' || ((1 + g %% 500) %% 20), 'USD', 1 + g %% 9, 1 + g %% 9, 1 + g %% 9, 0,
			   1000 * (1 + g %% 9), 0, 1000 * (1 + g %% 9), 80 * (1 + g %% 9), 600 * (1 + g %% 9) / (1 + g %% 9),
			   now() - ((g / 5) %% 365) * interval '1 day', now() - ((g / 5) %% 365) * interval '1 day' + interval '5 days',
			   now() - ((g / 5) %% 365) * interval '1 day' + interval '3 days', 3
			 FROM generate_series(0, %d) g`, benchLines-1),
			fmt.Sprintf(`INSERT INTO invoice_lines (invoice_id, line_no, order_id, customer_id, region, segment, rep_id, sku, category, warehouse_code,
			   currency, qty, gross, discount, net, tax, total, unit_cost, issued_at)
			 SELECT 'INV-' || (g / 10), g %% 10, 'SO-' || (g / 5), customer_id, region, segment, rep_id, sku, category, 'W' || (g %% 3),
			   currency, qty, gross, discount, net, tax, net + tax, unit_cost, ordered_at + interval '3 days'
			 FROM (SELECT row_number() OVER () - 1 AS g, * FROM order_lines) l WHERE g < %d`, benchLines),
			`INSERT INTO kpi_daily (day, metric, currency, num, den, taken_at)
			 SELECT to_char(current_date - d, 'YYYY-MM-DD'), m, CASE WHEN m IN ('revenue','bookings','dso','open_backorder_value') THEN 'USD' ELSE '' END,
			   1000 + d * 7, CASE WHEN m IN ('revenue','bookings','dso','open_backorder_value') THEN 0 ELSE 1200 + d END, now()
			 FROM generate_series(0, 364) d, unnest(ARRAY['on_time_delivery','line_fill_rate','order_fill_rate','backorder_rate','lead_time',
			   'perfect_order_rate','on_time_payment','bookings','revenue','dso','open_backorder_value']) m`,
			`VACUUM ANALYZE`,
		} {
			if _, err := conn.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	start := time.Now()
	if err := st.RebuildSalesRollup(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("rollup of %d order lines and %d invoice lines rebuilt in %v", benchLines, benchLines, time.Since(start).Round(time.Millisecond))
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE sales_daily`); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkReports1MLines fills one database (salesBench) for the report
// benchmarks below.
func BenchmarkReports1MLines(b *testing.B) {
	st := salesBench(b)
	b.Run("sales", func(b *testing.B) { benchSalesReport(b, st) })
	b.Run("kpi trends", func(b *testing.B) { benchKPITrends(b, st) })
	b.Run("sales lines CSV", func(b *testing.B) { benchSalesLinesCSV(b, st) })
}

// p99 runs fn b.N times and reports the 99th percentile in milliseconds
// beside the mean ns/op.
func p99(b *testing.B, fn func() error) {
	b.Helper()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[(len(took)*99)/100].Microseconds())/1000, "p99-ms")
}

// benchSalesReport: a year by month × region (target: p99 ≤ 100
// ms), a quarter by week × product, top 10 (no target; the widest common
// report), and a rep's own year by month × customer.
func benchSalesReport(b *testing.B, st *store.Store) {
	ctx := context.Background()
	today := calendar.Date(time.Now().UTC())
	for _, c := range []struct {
		name string
		q    store.SalesQuery
		rows int
	}{
		{"year by month x region", store.SalesQuery{GroupBy: store.DimRegion, Granularity: calendar.Month, From: today.AddDate(-1, 0, 1), To: today}, 10},
		{"quarter by week x product top 10", store.SalesQuery{GroupBy: store.DimProduct, Granularity: calendar.Week, From: today.AddDate(0, -3, 1), To: today, Top: 10}, 11},
		{"a rep's year by month x customer", store.SalesQuery{GroupBy: store.DimCustomer, Granularity: calendar.Month, From: today.AddDate(-1, 0, 1), To: today, RepID: "rep-7"}, 40},
	} {
		b.Run(c.name, func(b *testing.B) {
			p99(b, func() error {
				r, err := st.Sales(ctx, c.q)
				if err == nil && len(r.Rows) != c.rows {
					err = fmt.Errorf("%d rows, want %d", len(r.Rows), c.rows)
				}
				return err
			})
		})
	}
}

// benchKPITrends: the performance page's data, 12 weeks
// by week against the 12 before, from 365 days of snapshots (target for the
// page: ≤ 20 ms).
func benchKPITrends(b *testing.B, st *store.Store) {
	ctx := context.Background()
	today := calendar.Date(time.Now().UTC())
	p99(b, func() error {
		r, err := st.KPITrends(ctx, today.AddDate(0, 0, -83), today, calendar.Week)
		if err == nil && len(r.Series) != len(store.KPIDefs) {
			err = fmt.Errorf("%d series", len(r.Series))
		}
		return err
	})
}

// benchSalesLinesCSV streams every order line of the year as CSV, as
// the export does, and reports the peak heap in use while it runs: the
// export reads one cursor row at a time, so the peak must not grow with the
// number of lines.
func benchSalesLinesCSV(b *testing.B, st *store.Store) {
	ctx := context.Background()
	today := calendar.Date(time.Now().UTC())
	var peak uint64
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := csv.NewWriter(io.Discard)
		n := 0
		err := st.EachSalesLine(ctx, today.AddDate(-1, 0, 0), today, "", func(l store.SalesLine) error {
			n++
			if n%50_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return w.Write([]string{l.OrderID, strconv.Itoa(l.LineNo), l.SKU, strconv.FormatInt(l.Net, 10)})
		})
		w.Flush()
		if err != nil || n != benchLines {
			b.Fatalf("%d lines, %v", n, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "heap-growth-MB")
}
