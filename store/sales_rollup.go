package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// sale is one line's contribution to the daily rollup.
type sale struct {
	customer  string
	account   account
	sku       string
	warehouse string
	currency  models.Currency
	qty       int64
	net       int64
	cost      int64
}

type rollupKey struct {
	dim, value, rep string
	currency        models.Currency
}

type rollupSum struct{ lines, qty, net, cost int64 }

// addSales adds lines to the daily rollup of kind on the report day of at,
// one row per dimension. Rows are written in key order, so two
// transactions adding to the same rows queue rather than deadlock.
func (s *Store) addSales(ctx context.Context, kind string, at time.Time, sales []sale) error {
	if len(sales) == 0 {
		return nil
	}
	sums := map[rollupKey]rollupSum{}
	day := at.In(s.loc).Format(time.DateOnly)
	for _, sl := range sales {
		addTo(sums, kind, sl)
		if sl.cost == 0 && sl.qty > 0 {
			if err := s.conn(ctx).Exec(`INSERT INTO uncosted_sales (day, sku) VALUES (?, ?) ON CONFLICT DO NOTHING`, day, sl.sku).Error; err != nil {
				return err
			}
		}
	}
	return s.upsertRollup(ctx, kind, day, sums)
}

// addTo adds a line of kind to one day's sums, once per dimension for all
// accounts and once more for its rep's. Only revenue has a warehouse: a
// booking has none until it ships.
func addTo(sums map[rollupKey]rollupSum, kind string, sl sale) {
	values := map[string]string{
		DimProduct: sl.sku, DimCategory: sl.account.Category, DimRegion: sl.account.Region, DimSegment: sl.account.Segment,
		DimCustomer: sl.customer, DimRep: sl.account.RepID, DimWarehouse: sl.warehouse,
	}
	for _, dim := range SalesDims {
		if dim == DimWarehouse && kind != SalesInvoiced {
			continue
		}
		for _, rep := range []string{allReps, sl.account.RepID} {
			k := rollupKey{dim: dim, value: values[dim], rep: rep, currency: sl.currency}
			v := sums[k]
			sums[k] = rollupSum{v.lines + 1, v.qty + sl.qty, v.net + sl.net, v.cost + sl.cost}
			if sl.account.RepID == allReps {
				break // an account without a rep counts once
			}
		}
	}
}

// allReps is the rep_id of the rollup rows that count every account.
const allReps = ""

func (s *Store) upsertRollup(ctx context.Context, kind, day string, sums map[rollupKey]rollupSum) error {
	keys := make([]rollupKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return strings.Compare(a.dim+"\x00"+a.value+"\x00"+a.rep+"\x00"+string(a.currency), b.dim+"\x00"+b.value+"\x00"+b.rep+"\x00"+string(b.currency))
	})
	const perRow = 10
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		var sb strings.Builder
		args := make([]any, 0, len(batch)*perRow)
		sb.WriteString(`INSERT INTO sales_daily (dim, kind, day, value, rep_id, currency, lines, qty, net, cost) VALUES `)
		for i, k := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			v := sums[k]
			args = append(args, k.dim, kind, day, k.value, k.rep, k.currency, v.lines, v.qty, v.net, v.cost)
		}
		sb.WriteString(` ON CONFLICT (dim, rep_id, day, kind, value, currency) DO UPDATE SET lines = sales_daily.lines + excluded.lines,
			qty = sales_daily.qty + excluded.qty, net = sales_daily.net + excluded.net, cost = sales_daily.cost + excluded.cost`)
		if err := s.conn(ctx).Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("sales rollup: %w", err)
		}
	}
	return nil
}

const settingReportZone = "report_time_zone"

// EnsureReportZone makes the rollup's days those of the report time zone:
// when the zone differs from the one the rollup was cut in, the rollup is
// rebuilt from the facts and the KPI snapshots are dropped (take them again
// with a backfill). Run it at start, after Migrate.
func (s *Store) EnsureReportZone(ctx context.Context) (rebuilt bool, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		if tx.dialect == Postgres {
			if err := tx.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(7290015)`).Error; err != nil {
				return err
			}
		}
		var zone []string
		if err := tx.conn(ctx).Raw(`SELECT value FROM report_settings WHERE name = ?`, settingReportZone).Scan(&zone).Error; err != nil {
			return err
		}
		if len(zone) == 1 && zone[0] == tx.loc.String() {
			return nil
		}
		if err := tx.RebuildSalesRollup(ctx); err != nil {
			return err
		}
		if len(zone) == 1 {
			if err := tx.conn(ctx).Exec(`DELETE FROM kpi_daily`).Error; err != nil {
				return err
			}
		}
		rebuilt = true
		return tx.conn(ctx).Exec(`INSERT INTO report_settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, settingReportZone, tx.loc.String()).Error
	})
	return rebuilt, err
}

// RebuildSalesRollup recomputes the daily rollup from the order and invoice
// lines. Only a zone change or a repair needs it: facts keep it current.
func (s *Store) RebuildSalesRollup(ctx context.Context) error {
	for _, t := range []string{"sales_daily", "uncosted_sales"} {
		if err := s.conn(ctx).Exec(`DELETE FROM ` + t).Error; err != nil {
			return err
		}
	}
	uncosted := map[[2]string]bool{}
	for _, src := range []struct{ kind, sql string }{
		{SalesBooked, `SELECT customer_id, region, segment, rep_id, sku, category, '' AS warehouse_code, currency, qty, net,
			unit_cost * qty AS cost, ordered_at AS at FROM order_lines`},
		{SalesInvoiced, `SELECT customer_id, region, segment, rep_id, sku, category, warehouse_code, currency, qty, net,
			unit_cost * qty AS cost, issued_at AS at FROM invoice_lines`},
	} {
		rows, err := s.conn(ctx).Raw(src.sql).Rows()
		if err != nil {
			return err
		}
		byDay := map[string]map[rollupKey]rollupSum{}
		for rows.Next() {
			var (
				sl sale
				at time.Time
			)
			if err := rows.Scan(&sl.customer, &sl.account.Region, &sl.account.Segment, &sl.account.RepID, &sl.sku, &sl.account.Category,
				&sl.warehouse, &sl.currency, &sl.qty, &sl.net, &sl.cost, &at); err != nil {
				_ = rows.Close()
				return err
			}
			day := at.In(s.loc).Format(time.DateOnly)
			if byDay[day] == nil {
				byDay[day] = map[rollupKey]rollupSum{}
			}
			addTo(byDay[day], src.kind, sl)
			if sl.cost == 0 && sl.qty > 0 {
				uncosted[[2]string{day, sl.sku}] = true
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		days := make([]string, 0, len(byDay))
		for d := range byDay {
			days = append(days, d)
		}
		slices.Sort(days)
		for _, d := range days {
			if err := s.upsertRollup(ctx, src.kind, d, byDay[d]); err != nil {
				return err
			}
		}
	}
	for k := range uncosted {
		if err := s.conn(ctx).Exec(`INSERT INTO uncosted_sales (day, sku) VALUES (?, ?) ON CONFLICT DO NOTHING`, k[0], k[1]).Error; err != nil {
			return err
		}
	}
	return nil
}
