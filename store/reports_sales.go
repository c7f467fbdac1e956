package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
)

// SalesFigures are one cell of a sales report: lines, units, net amount
// (after discounts, before tax), standard cost and margin, in one currency.
type SalesFigures struct {
	Lines  int64 `json:"lines"`
	Qty    int64 `json:"qty"`
	Net    int64 `json:"net"`
	Cost   int64 `json:"cost"`
	Margin int64 `json:"margin"` // Net − Cost
	// MarginBP is Margin ÷ Net in basis points, rounded half away from
	// zero; absent when Net is 0.
	MarginBP *int64 `json:"margin_bp,omitempty"`
}

func (f SalesFigures) add(lines, qty, net, cost int64) SalesFigures {
	f.Lines, f.Qty, f.Net, f.Cost = f.Lines+lines, f.Qty+qty, f.Net+net, f.Cost+cost
	return f
}

func (f SalesFigures) plus(g SalesFigures) SalesFigures { return f.add(g.Lines, g.Qty, g.Net, g.Cost) }

func (f SalesFigures) final() SalesFigures {
	f.Margin = f.Net - f.Cost
	f.MarginBP = ratioBP(f.Margin, f.Net)
	return f
}

// ratioBP is num ÷ den in basis points, rounded half away from zero; nil
// when den is 0.
func ratioBP(num, den int64) *int64 {
	if den <= 0 {
		// Over nothing, or over a negative base (a product whose credit
		// notes exceed its sales in the period): no meaningful ratio.
		return nil
	}
	v := models.DivRoundHalfAwayFromZero(num*10000, den)
	return &v
}

// SalesCell is bookings (orders placed) and revenue (invoices issued).
type SalesCell struct {
	Booked   SalesFigures `json:"booked"`
	Invoiced SalesFigures `json:"invoiced"`
}

func (c SalesCell) plus(d SalesCell) SalesCell {
	return SalesCell{Booked: c.Booked.plus(d.Booked), Invoiced: c.Invoiced.plus(d.Invoiced)}
}

func (c SalesCell) final() SalesCell {
	return SalesCell{Booked: c.Booked.final(), Invoiced: c.Invoiced.final()}
}

// SalesChange compares a row's range with the previous one: the change of
// net amount, and in basis points of the previous (absent when it was 0).
type SalesChange struct {
	BookedNet     int64  `json:"booked_net"`
	BookedNetBP   *int64 `json:"booked_net_bp,omitempty"`
	InvoicedNet   int64  `json:"invoiced_net"`
	InvoicedNetBP *int64 `json:"invoiced_net_bp,omitempty"`
}

// SalesRow is one group (a product, a region…) in one currency.
type SalesRow struct {
	Key      string          `json:"key"`
	Label    string          `json:"label"`
	Currency models.Currency `json:"currency"`
	Periods  []SalesCell     `json:"periods"` // one per report period
	Total    SalesCell       `json:"total"`
	Previous SalesCell       `json:"previous"`
	Change   SalesChange     `json:"change"`
}

func (r *SalesRow) final() {
	for i := range r.Periods {
		r.Periods[i] = r.Periods[i].final()
	}
	r.Total, r.Previous = r.Total.final(), r.Previous.final()
	r.Change = SalesChange{
		BookedNet: r.Total.Booked.Net - r.Previous.Booked.Net, BookedNetBP: ratioBP(r.Total.Booked.Net-r.Previous.Booked.Net, r.Previous.Booked.Net),
		InvoicedNet: r.Total.Invoiced.Net - r.Previous.Invoiced.Net, InvoicedNetBP: ratioBP(r.Total.Invoiced.Net-r.Previous.Invoiced.Net, r.Previous.Invoiced.Net),
	}
}

// Period is one column of a report.
type Period struct {
	Start string `json:"start"`
	Label string `json:"label"`
}

// ReportRange is a report's range, the range it is compared with
// (calendar.Previous) and its periods; days are in the report time zone.
type ReportRange struct {
	Granularity  string   `json:"granularity"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	PreviousFrom string   `json:"previous_from"`
	PreviousTo   string   `json:"previous_to"`
	TimeZone     string   `json:"time_zone"`
	Periods      []Period `json:"periods"`

	from  time.Time
	g     calendar.Granularity
	index map[string]int // a period's start → its column
}

func (s *Store) reportRange(from, to time.Time, g calendar.Granularity) ReportRange {
	from, to = calendar.Date(from), calendar.Date(to)
	pfrom, pto := calendar.Previous(from, to)
	r := ReportRange{Granularity: string(g), From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
		PreviousFrom: pfrom.Format(time.DateOnly), PreviousTo: pto.Format(time.DateOnly), TimeZone: s.loc.String(),
		Periods: []Period{}, from: from, g: g, index: map[string]int{}}
	for _, p := range g.Periods(from, to) {
		r.index[p.Format(time.DateOnly)] = len(r.Periods)
		r.Periods = append(r.Periods, Period{Start: p.Format(time.DateOnly), Label: g.Label(p)})
	}
	return r
}

// period is the column of a day of the range, or -1 for a day of the
// previous range.
func (r ReportRange) period(day time.Time) int {
	if day.Before(r.from) {
		return -1
	}
	return r.index[r.g.Start(day).Format(time.DateOnly)]
}

// SalesQuery asks for a sales report.
type SalesQuery struct {
	GroupBy     string               // one of SalesDims
	Granularity calendar.Granularity // period length
	From, To    time.Time            // days in the report time zone, both included
	RepID       string               // when set, only this rep's accounts (allReps: every account)
	Top         int                  // when > 0, the top rows per currency; the rest is one "other" row
	Rank        string               // SalesBooked or SalesInvoiced: what Top ranks by (net)
}

// OtherKey is the key of the row that sums the groups beyond the top N.
const OtherKey = "(other)"

// SalesReport is bookings and revenue by a dimension and period.
type SalesReport struct {
	GroupBy string `json:"group_by"`
	ReportRange
	Rows   []SalesRow `json:"rows"`   // by currency, then by ranked net, largest first
	Totals []SalesRow `json:"totals"` // one per currency: never summed across
	// WithoutCost lists SKUs sold in the range with no standard cost, whose
	// margin is therefore their whole net.
	WithoutCost []string `json:"without_cost"`
	// OwnAccounts: the figures cover only the accounts of the rep asking.
	OwnAccounts bool `json:"own_accounts"`
}

// Sales reads the daily rollup for q. Days are those of the store's report
// time zone (the rollup is cut in it).
func (s *Store) Sales(ctx context.Context, q SalesQuery) (SalesReport, error) {
	out := SalesReport{GroupBy: q.GroupBy, ReportRange: s.reportRange(q.From, q.To, q.Granularity),
		Rows: []SalesRow{}, Totals: []SalesRow{}, WithoutCost: []string{}, OwnAccounts: q.RepID != ""}
	sql := `SELECT day, value, currency, kind, lines, qty, net, cost
		FROM sales_daily WHERE dim = ? AND rep_id = ? AND day >= ? AND day <= ?`
	args := []any{q.GroupBy, q.RepID, out.PreviousFrom, out.To}
	type key struct {
		value    string
		currency models.Currency
	}
	rows := map[key]*SalesRow{}
	cursor, err := s.conn(ctx).Raw(sql, args...).Rows()
	if err != nil {
		return out, err
	}
	defer cursor.Close()
	var (
		dayText, value, kind  string
		currency              models.Currency
		lines, qty, net, cost int64
		lastDay               string
		cellPeriod            int // the period of lastDay; -1: the previous range
	)
	// Rows come by day within a dimension value's key prefix; a day's period
	// is worked out once per distinct day, not once per row.
	for cursor.Next() {
		if err := cursor.Scan(&dayText, &value, &currency, &kind, &lines, &qty, &net, &cost); err != nil {
			return out, err
		}
		if dayText != lastDay {
			day, err := time.Parse(time.DateOnly, dayText)
			if err != nil {
				return out, err
			}
			lastDay, cellPeriod = dayText, out.period(day)
		}
		k := key{value, currency}
		r := rows[k]
		if r == nil {
			r = &SalesRow{Key: value, Currency: currency, Periods: make([]SalesCell, len(out.Periods))}
			rows[k] = r
		}
		cell := &r.Previous
		if cellPeriod >= 0 {
			cell = &r.Periods[cellPeriod]
		}
		if kind == SalesBooked {
			cell.Booked = cell.Booked.add(lines, qty, net, cost)
		} else {
			cell.Invoiced = cell.Invoiced.add(lines, qty, net, cost)
		}
	}
	if err := cursor.Err(); err != nil {
		return out, err
	}
	list := make([]*SalesRow, 0, len(rows))
	for _, r := range rows {
		for _, p := range r.Periods {
			r.Total = r.Total.plus(p)
		}
		list = append(list, r)
	}
	ranked := func(r *SalesRow) int64 {
		if q.Rank == SalesBooked {
			return r.Total.Booked.Net
		}
		return r.Total.Invoiced.Net
	}
	slices.SortFunc(list, func(a, b *SalesRow) int {
		if a.Currency != b.Currency {
			return strings.Compare(string(a.Currency), string(b.Currency))
		}
		if ra, rb := ranked(a), ranked(b); ra != rb {
			if ra > rb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	totals := map[models.Currency]*SalesRow{}
	var kept []*SalesRow
	perCurrency := map[models.Currency]int{}
	for _, r := range list {
		t := totals[r.Currency]
		if t == nil {
			t = &SalesRow{Label: "Total", Currency: r.Currency, Periods: make([]SalesCell, len(out.Periods))}
			totals[r.Currency] = t
			out.Totals = append(out.Totals, SalesRow{})
		}
		for i, p := range r.Periods {
			t.Periods[i] = t.Periods[i].plus(p)
		}
		t.Total, t.Previous = t.Total.plus(r.Total), t.Previous.plus(r.Previous)
		perCurrency[r.Currency]++
		if q.Top > 0 && perCurrency[r.Currency] > q.Top {
			other := kept[len(kept)-1]
			if other.Key != OtherKey || other.Currency != r.Currency {
				other = &SalesRow{Key: OtherKey, Label: "Other", Currency: r.Currency, Periods: make([]SalesCell, len(out.Periods))}
				kept = append(kept, other)
			}
			for i, p := range r.Periods {
				other.Periods[i] = other.Periods[i].plus(p)
			}
			other.Total, other.Previous = other.Total.plus(r.Total), other.Previous.plus(r.Previous)
			continue
		}
		kept = append(kept, r)
	}
	keys := make([]string, 0, len(kept))
	for _, r := range kept {
		keys = append(keys, r.Key)
	}
	labels, err := s.salesLabels(ctx, q.GroupBy, keys)
	if err != nil {
		return out, err
	}
	for _, r := range kept {
		if r.Key != OtherKey {
			r.Label = labelOf(labels, q.GroupBy, r.Key)
		}
		r.final()
		out.Rows = append(out.Rows, *r)
	}
	out.Totals = out.Totals[:0]
	for _, r := range list {
		if t := totals[r.Currency]; t != nil {
			t.final()
			out.Totals = append(out.Totals, *t)
			delete(totals, r.Currency)
		}
	}
	if err := s.conn(ctx).Raw(`SELECT DISTINCT sku FROM uncosted_sales WHERE day >= ? AND day <= ? ORDER BY sku`,
		out.From, out.To).Scan(&out.WithoutCost).Error; err != nil {
		return out, err
	}
	return out, nil
}

// dayStart is the UTC instant a calendar day starts in the report zone.
func (s *Store) dayStart(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.loc).UTC()
}

// salesLabels names the keys of a dimension that has names.
func (s *Store) salesLabels(ctx context.Context, dim string, keys []string) (map[string]string, error) {
	var sql string
	switch dim {
	case DimProduct:
		sql = `SELECT sku AS k, name AS v FROM products WHERE sku IN ?`
	case DimCustomer:
		sql = `SELECT id AS k, name AS v FROM customers WHERE id IN ?`
	case DimRep:
		sql = `SELECT id AS k, name AS v FROM users WHERE id IN ?`
	case DimWarehouse:
		sql = `SELECT code AS k, name AS v FROM warehouses WHERE code IN ?`
	default:
		return nil, nil
	}
	var kv []struct{ K, V string }
	for start := 0; start < len(keys); start += 1000 {
		var part []struct{ K, V string }
		if err := s.conn(ctx).Raw(sql, keys[start:min(start+1000, len(keys))]).Scan(&part).Error; err != nil {
			return nil, err
		}
		kv = append(kv, part...)
	}
	if dim == DimRep { // people's names are sealed
		for i := range kv {
			var err error
			if kv[i].V, err = s.open("users", "name", kv[i].V); err != nil {
				return nil, err
			}
		}
	}
	out := make(map[string]string, len(kv))
	for _, p := range kv {
		out[p.K] = p.V
	}
	return out, nil
}

func labelOf(labels map[string]string, dim, key string) string {
	if key == "" {
		switch dim {
		case DimWarehouse:
			return "Several warehouses"
		case DimRep:
			return "No rep"
		}
		return "None"
	}
	if l, ok := labels[key]; ok && l != "" {
		return l
	}
	return key
}

// SalesLine is one order line as the sales lines export shows it.
type SalesLine struct {
	OrderID      string
	LineNo       int
	OrderedAt    time.Time
	CustomerID   string
	Region       string
	Segment      string
	RepID        string
	SKU          string
	Category     string
	Currency     models.Currency
	Qty          int64
	QtyShipped   int64
	QtyCancelled int64
	Gross        int64
	Discount     int64
	Net          int64
	Tax          int64
	UnitCost     int64
	PromisedAt   *time.Time
	ShippedAt    *time.Time
}

// EachSalesLine calls fn for every order line ordered from the start of day
// from to the end of day to, oldest first, reading row by row from one
// cursor: memory stays flat however many lines there are.
func (s *Store) EachSalesLine(ctx context.Context, from, to time.Time, repID string, fn func(SalesLine) error) error {
	sql := `SELECT order_id, line_no, ordered_at, customer_id, region, segment, rep_id, sku, category, currency, qty, qty_shipped, qty_cancelled,
		gross, discount, net, tax, unit_cost, promised_at, shipped_at FROM order_lines WHERE ordered_at >= ? AND ordered_at < ?`
	args := []any{s.dayStart(from), s.dayStart(calendar.Date(to).AddDate(0, 0, 1))}
	if repID != "" {
		sql += ` AND rep_id = ?`
		args = append(args, repID)
	}
	rows, err := s.conn(ctx).Raw(sql+` ORDER BY ordered_at, order_id, line_no`, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var l SalesLine
	for rows.Next() {
		if err := rows.Scan(&l.OrderID, &l.LineNo, &l.OrderedAt, &l.CustomerID, &l.Region, &l.Segment, &l.RepID, &l.SKU, &l.Category, &l.Currency,
			&l.Qty, &l.QtyShipped, &l.QtyCancelled, &l.Gross, &l.Discount, &l.Net, &l.Tax, &l.UnitCost, &l.PromisedAt, &l.ShippedAt); err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}
