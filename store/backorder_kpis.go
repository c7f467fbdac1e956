package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Amount is a sum of money in one currency.
type Amount struct {
	Currency models.Currency `json:"currency"`
	Amount   int64           `json:"amount"`
}

// Bucket is a count, quantity and value of waiting backorders.
type Bucket struct {
	Key   string   `json:"key"`
	Count int64    `json:"count"`
	Qty   int64    `json:"qty"`
	Value []Amount `json:"value"`
}

// SupplierBottleneck is what waits on one supplier and how late its dates run.
type SupplierBottleneck struct {
	Bucket
	SupplyOrders       int64   `json:"supply_orders"`
	AvgSlippageDays    float64 `json:"avg_slippage_days"` // received (or now expected) minus first promised, on average
	LateSupplyOrders   int64   `json:"late_supply_orders"`
	OpenPastDueSupply  int64   `json:"open_past_due_supply"`
	OpenSupplyQuantity int64   `json:"open_supply_qty"`
}

// BackorderKPIs are the backorder figures for managers, finance and
// supply chain. Rates are fractions from 0 to 1.
type BackorderKPIs struct {
	AsOf time.Time `json:"as_of"`
	// LineFillRate: order lines reserved in full when ordered.
	LineFillRate float64 `json:"line_fill_rate"`
	// FulfillmentRate: backordered units later filled, of those not cancelled.
	FulfillmentRate float64  `json:"backorder_fulfillment_rate"`
	Open            Bucket   `json:"open"`
	Overdue         Bucket   `json:"overdue"`
	Aging           []Bucket `json:"aging"` // by days since the backorder was created
	AvgDaysToFill   float64  `json:"avg_days_to_fill"`
	Filled          int64    `json:"filled"` // backorders filled in full so far
	// ByExpectedWeek is the value waiting by the week (Monday) its ETA falls
	// in: what finance can expect to invoice when.
	ByExpectedWeek []Bucket             `json:"value_by_expected_week"`
	BySKU          []Bucket             `json:"bottlenecks_by_sku"`
	BySupplier     []SupplierBottleneck `json:"bottlenecks_by_supplier"`
	// ETAAccuracy: filled backorders that were filled by the date first promised.
	ETAAccuracy     float64 `json:"eta_accuracy"`
	AvgDaysLateFill float64 `json:"avg_days_late_when_late"`
}

// BackorderKPIs computes the backorder figures at now, in the database.
func (s *Store) BackorderKPIs(ctx context.Context, now time.Time) (BackorderKPIs, error) {
	now = now.UTC()
	k := BackorderKPIs{AsOf: now, Aging: []Bucket{}}
	var err error
	var lines struct{ Lines, Short int64 }
	if err := s.conn(ctx).Raw(`SELECT (SELECT count(*) FROM allocations) AS lines, (SELECT count(*) FROM backorders) AS short`).Scan(&lines).Error; err != nil {
		return k, err
	}
	if lines.Lines > 0 {
		k.LineFillRate = 1 - float64(lines.Short)/float64(lines.Lines)
	}
	var units struct{ Filled, Due int64 }
	if err := s.conn(ctx).Raw(`SELECT coalesce(sum(qty_filled), 0) AS filled, coalesce(sum(qty_short - qty_cancelled), 0) AS due FROM backorders`).Scan(&units).Error; err != nil {
		return k, err
	}
	if units.Due > 0 {
		k.FulfillmentRate = float64(units.Filled) / float64(units.Due)
	}
	all, err := s.buckets(ctx, "'open'", "1 = 1", "1")
	if err != nil {
		return k, err
	}
	k.Open = single(all, "open")
	od, err := s.buckets(ctx, "'overdue'", "eta < ?", "1", now)
	if err != nil {
		return k, err
	}
	k.Overdue = single(od, "overdue")
	age := "CASE"
	lo := 0
	for _, hi := range agingEdges {
		age += fmt.Sprintf(" WHEN %s <= %d THEN '%d-%d'", s.days("created_at", s.timeParam()), hi, lo, hi)
		lo = hi + 1
	}
	age += fmt.Sprintf(" ELSE '%d+' END", lo)
	ageArgs := make([]any, len(agingEdges))
	for i := range ageArgs {
		ageArgs[i] = now
	}
	aging, err := s.buckets(ctx, age, "1 = 1", "min(created_at) DESC", ageArgs...)
	if err != nil {
		return k, err
	}
	for _, name := range agingNames() { // every bucket, in order, even when empty
		i := slices.IndexFunc(aging, func(b Bucket) bool { return b.Key == name })
		if i < 0 {
			k.Aging = append(k.Aging, Bucket{Key: name, Value: []Amount{}})
		} else {
			k.Aging = append(k.Aging, aging[i])
		}
	}
	if k.ByExpectedWeek, err = s.buckets(ctx, s.weekOf("eta"), "1 = 1", "1"); err != nil {
		return k, err
	}
	if k.BySKU, err = s.buckets(ctx, "sku", "1 = 1", "sum(qty_short - qty_filled - qty_cancelled) DESC, 1 LIMIT 20"); err != nil {
		return k, err
	}
	bySupplier, err := s.buckets(ctx, "supplier", "1 = 1", "1")
	if err != nil {
		return k, err
	}
	if k.BySupplier, err = s.supplierReliability(ctx, bySupplier, now); err != nil {
		return k, err
	}
	var fill struct {
		Filled, OnTime   int64
		AvgDays, AvgLate *float64
	}
	if err := s.conn(ctx).Raw(fmt.Sprintf(`SELECT count(*) AS filled,
		coalesce(sum(CASE WHEN filled_at <= promised_at THEN 1 ELSE 0 END), 0) AS on_time,
		avg(%s) AS avg_days,
		avg(CASE WHEN filled_at > promised_at THEN %s END) AS avg_late
		FROM backorders WHERE filled_at IS NOT NULL`, s.days("created_at", "filled_at"), s.days("promised_at", "filled_at"))).Scan(&fill).Error; err != nil {
		return k, err
	}
	k.Filled = fill.Filled
	if fill.Filled > 0 {
		k.ETAAccuracy = float64(fill.OnTime) / float64(fill.Filled)
	}
	if fill.AvgDays != nil {
		k.AvgDaysToFill = *fill.AvgDays
	}
	if fill.AvgLate != nil {
		k.AvgDaysLateFill = *fill.AvgLate
	}
	return k, nil
}

// agingEdges are the upper bounds (days) of the aging buckets; the last is open.
var agingEdges = []int{7, 14, 30, 60}

// days is SQL for the days from one timestamp column to another.
func (s *Store) days(from, to string) string {
	if s.dialect == Postgres {
		return fmt.Sprintf("(EXTRACT(EPOCH FROM (%s - %s)) / 86400.0)", to, from)
	}
	return fmt.Sprintf("(julianday(%s) - julianday(%s))", to, from)
}

// timeParam is a timestamp placeholder Postgres can type in arithmetic.
func (s *Store) timeParam() string {
	if s.dialect == Postgres {
		return "CAST(? AS TIMESTAMPTZ)"
	}
	return "?"
}

// weekOf is SQL for the Monday (YYYY-MM-DD) of a timestamp's week.
func (s *Store) weekOf(col string) string {
	if s.dialect == Postgres {
		return fmt.Sprintf("to_char(date_trunc('week', %s AT TIME ZONE 'UTC'), 'YYYY-MM-DD')", col)
	}
	return fmt.Sprintf("date(%s, 'weekday 0', '-6 days')", col)
}

type bucketRow struct {
	Key      string
	Currency string
	N        int64
	Qty      int64
	Value    int64
}

// buckets groups waiting backorders by key (a SQL expression) and currency.
func (s *Store) buckets(ctx context.Context, key, where string, order string, args ...any) ([]Bucket, error) {
	var rows []bucketRow
	sql := fmt.Sprintf(`SELECT %s AS key, currency, count(*) AS n, sum(qty_short - qty_filled - qty_cancelled) AS qty, sum(value_open) AS value
		FROM backorders WHERE status IN ('open', 'partially_filled') AND %s GROUP BY 1, 2 ORDER BY %s`, key, where, order)
	if err := s.conn(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []Bucket
	for _, r := range rows {
		i := slices.IndexFunc(out, func(b Bucket) bool { return b.Key == r.Key })
		if i < 0 {
			out, i = append(out, Bucket{Key: r.Key, Value: []Amount{}}), len(out)
		}
		b := &out[i]
		b.Count, b.Qty = b.Count+r.N, b.Qty+r.Qty
		b.Value = append(b.Value, Amount{Currency: models.Currency(r.Currency), Amount: r.Value})
	}
	return out, nil
}

func single(bs []Bucket, key string) Bucket {
	if len(bs) == 0 {
		return Bucket{Key: key, Value: []Amount{}}
	}
	b := bs[0]
	b.Key = key
	return b
}

func agingNames() []string {
	var out []string
	lo := 0
	for _, hi := range agingEdges {
		out = append(out, fmt.Sprintf("%d-%d", lo, hi))
		lo = hi + 1
	}
	return append(out, fmt.Sprintf("%d+", lo))
}

// supplierReliability adds each supplier's supply record to what waits on it.
func (s *Store) supplierReliability(ctx context.Context, waiting []Bucket, now time.Time) ([]SupplierBottleneck, error) {
	var rows []struct {
		Supplier               string
		N, Late, PastDue, Open int64
		Slip                   *float64
	}
	if err := s.conn(ctx).Raw(fmt.Sprintf(`SELECT supplier, count(*) AS n, avg(%s) AS slip,
		sum(CASE WHEN coalesce(received_at, expected_at) > first_expected_at THEN 1 ELSE 0 END) AS late,
		sum(CASE WHEN status = 'open' AND expected_at < ? THEN 1 ELSE 0 END) AS past_due,
		sum(CASE WHEN status = 'open' THEN qty - received_qty ELSE 0 END) AS open
		FROM supply_orders WHERE status <> 'cancelled' GROUP BY supplier`, s.days("first_expected_at", "coalesce(received_at, expected_at)")), now).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]SupplierBottleneck, 0, len(waiting))
	for _, b := range waiting {
		sb := SupplierBottleneck{Bucket: b}
		for _, r := range rows {
			if r.Supplier == b.Key {
				sb.SupplyOrders, sb.LateSupplyOrders, sb.OpenPastDueSupply, sb.OpenSupplyQuantity = r.N, r.Late, r.PastDue, r.Open
				if r.Slip != nil {
					sb.AvgSlippageDays = *r.Slip
				}
			}
		}
		out = append(out, sb)
	}
	slices.SortStableFunc(out, func(a, b SupplierBottleneck) int { return int(b.Qty - a.Qty) })
	return out, nil
}
