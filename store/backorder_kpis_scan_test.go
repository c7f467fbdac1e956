package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The backorder KPIs as they were computed before the totals: one grouped
// scan of every backorder. Tests compare the totals' figures with these
// (TestBackorderTotalsMatchAScan), so a write that forgets to note its
// change to the totals fails there.

// BackorderKPIsByScan computes the backorder figures at now from the
// backorders themselves.
func (s *Store) BackorderKPIsByScan(ctx context.Context, now time.Time) (BackorderKPIs, error) {
	now = now.UTC()
	var lines int64
	if err := s.conn(ctx).Raw(`SELECT count(*) FROM allocations`).Scan(&lines).Error; err != nil {
		return BackorderKPIs{}, err
	}
	groups, err := s.kpiGroupsByScan(ctx, now)
	if err != nil {
		return BackorderKPIs{}, err
	}
	p := newKPIParts()
	p.lines = lines
	for _, g := range groups {
		p.fill = p.fill.plus(totals{N: g.N, QtyFilled: g.QtyFilled, QtyDue: g.QtyDue, Filled: g.Filled, OnTime: g.OnTime, Late: g.Late}, 1)
		p.daysToFill, p.daysLate = p.daysToFill+g.DaysToFill, p.daysLate+g.DaysLate
		if !g.Waiting {
			continue
		}
		r := totalsRow{totalsKey{Currency: g.Currency}, totals{N: g.N, Qty: g.Qty, Value: g.Value}}
		p.open.add("open", r)
		if g.Overdue {
			p.overdue.add("overdue", r)
		}
		p.aging.add(agingNames()[g.Age], r)
		p.weeks.add(time.Unix(firstMonday+g.Week*secondsPerWeek, 0).UTC().Format(time.DateOnly), r)
		p.skus.add(g.SKU, r)
		p.sups.add(g.Supplier, r)
	}
	return s.kpisFrom(ctx, now, p)
}

const (
	firstMonday    = 4 * 86400 // 1970-01-05 in Unix seconds
	secondsPerWeek = 7 * 86400
)

type kpiGroup struct {
	Waiting, Overdue     bool
	Currency             string
	SKU, Supplier        string
	Age                  int
	Week                 int64
	N, Qty, Value        int64
	QtyFilled            int64
	QtyDue               int64
	Filled, OnTime, Late int64
	DaysToFill, DaysLate float64
}

func (s *Store) kpiGroupsByScan(ctx context.Context, now time.Time) ([]kpiGroup, error) {
	waiting := "status IN ('open', 'partially_filled')"
	age := "CASE"
	args := []any{now}
	for i, hi := range agingEdges {
		age += fmt.Sprintf(" WHEN created_at >= ? THEN %d", i)
		args = append(args, now.AddDate(0, 0, -hi))
	}
	age += fmt.Sprintf(" ELSE %d END", len(agingEdges))
	key := func(expr string) string { return fmt.Sprintf("CASE WHEN %s THEN %s END", waiting, expr) }
	week := fmt.Sprintf("CAST(floor(((julianday(eta) - 2440587.5) * 86400 - %d) / %d) AS INTEGER)", firstMonday, secondsPerWeek)
	falseSQL := "0"
	if s.dialect == Postgres {
		week, falseSQL = "((CAST(eta AT TIME ZONE 'UTC' AS date) - DATE '1970-01-05') / 7)", "false"
	}
	filled := "filled_at IS NOT NULL"
	sql := fmt.Sprintf(`SELECT %[1]s AS waiting, CASE WHEN %[1]s THEN eta < ? ELSE %[2]s END AS overdue,
		currency, coalesce(%[3]s, '') AS sku, coalesce(%[4]s, '') AS supplier, coalesce(%[5]s, 0) AS age, coalesce(%[6]s, 0) AS week,
		count(*) AS n, sum(CASE WHEN %[1]s THEN qty_short - qty_filled - qty_cancelled ELSE 0 END) AS qty,
		sum(CASE WHEN %[1]s THEN value_open ELSE 0 END) AS value,
		sum(qty_filled) AS qty_filled, sum(qty_short - qty_cancelled) AS qty_due,
		sum(CASE WHEN %[7]s THEN 1 ELSE 0 END) AS filled,
		sum(CASE WHEN filled_at <= promised_at THEN 1 ELSE 0 END) AS on_time,
		sum(CASE WHEN filled_at > promised_at THEN 1 ELSE 0 END) AS late,
		coalesce(sum(CASE WHEN %[7]s THEN %[8]s END), 0) AS days_to_fill,
		coalesce(sum(CASE WHEN filled_at > promised_at THEN %[9]s END), 0) AS days_late
		FROM backorders GROUP BY 1, 2, 3, 4, 5, 6, 7`,
		waiting, falseSQL, key("sku"), key("supplier"), key(age), key(week), filled,
		s.days("created_at", "filled_at"), s.days("promised_at", "filled_at"))
	var rows []kpiGroup
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Raw(sql, args...).Scan(&rows).Error
	})
	return rows, err
}
