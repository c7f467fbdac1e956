package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
)

// KPI names. Each is kept per day as a numerator and a denominator.
const (
	KPIOnTimeDelivery     = "on_time_delivery"     // shipped lines shipped by the promised day ÷ shipped lines
	KPILineFill           = "line_fill_rate"       // order lines filled from stock when ordered ÷ order lines
	KPIOrderFill          = "order_fill_rate"      // orders every line of which was filled from stock ÷ orders
	KPIBackorderRate      = "backorder_rate"       // units backordered when ordered ÷ units ordered
	KPILeadTime           = "lead_time"            // minutes from order to the last unit shipped ÷ lines
	KPIPerfectOrder       = "perfect_order_rate"   // orders shipped complete, on time, none cancelled ÷ orders completed
	KPIOnTimePayment      = "on_time_payment"      // invoices paid in full by their due day ÷ invoices paid in full
	KPIBookings           = "bookings"             // net ordered, per currency
	KPIRevenue            = "revenue"              // net invoiced, per currency
	KPIDSO                = "dso"                  // DSO over the 90 days to the day, tenths of a day, per currency
	KPIOpenBackorderValue = "open_backorder_value" // net value waiting at the end of the day, per currency
)

// KPI kinds say how a period is read from its days.
const (
	KPIRatio   = "ratio"   // Σ num ÷ Σ den, in basis points
	KPIAverage = "average" // Σ num ÷ Σ den (lead time: tenths of a day)
	KPIFlow    = "flow"    // Σ num (money)
	KPIPoint   = "point"   // num of the period's last day
)

// KPIDef describes a KPI.
type KPIDef struct {
	Metric string `json:"metric"`
	Label  string `json:"label"`
	Kind   string `json:"kind"`
	// Unit of the values: bp (basis points), tenths_of_day, or money
	// (minor units of the series' currency).
	Unit string `json:"unit"`
	// HigherIsBetter says which way is good, for the page's arrows.
	HigherIsBetter bool `json:"higher_is_better"`
}

// KPIDefs lists the KPIs in the order they are shown.
var KPIDefs = []KPIDef{
	{KPIRevenue, "Revenue (net invoiced)", KPIFlow, "money", true},
	{KPIBookings, "Bookings (net ordered)", KPIFlow, "money", true},
	{KPIOnTimeDelivery, "On-time delivery", KPIRatio, "bp", true},
	{KPIOrderFill, "Order fill rate", KPIRatio, "bp", true},
	{KPILineFill, "Line fill rate", KPIRatio, "bp", true},
	{KPIBackorderRate, "Backorder rate (units)", KPIRatio, "bp", false},
	{KPILeadTime, "Average lead time", KPIAverage, "tenths_of_day", false},
	{KPIPerfectOrder, "Perfect-order rate", KPIRatio, "bp", true},
	{KPIOnTimePayment, "On-time payment", KPIRatio, "bp", true},
	{KPIDSO, "DSO (90 days)", KPIPoint, "tenths_of_day", false},
	{KPIOpenBackorderValue, "Open backorder value", KPIPoint, "money", false},
}

type kpiRow struct {
	Metric   string
	Currency models.Currency
	Num, Den int64
}

// TakeKPISnapshot computes the KPIs of one day (a date in the report time
// zone) and replaces that day's snapshot: taking it again is harmless, and
// a day still running is simply taken again later. Open backorder value is
// exact for today; for a past day it is rebuilt from when each backorder
// was created and filled (a partial fill or cancellation before then is
// not dated, so a back-filled day may count a backorder at its full short
// value).
func (s *Store) TakeKPISnapshot(ctx context.Context, day time.Time) error {
	day = calendar.Date(day)
	start, end := s.dayStart(day), s.dayStart(day.AddDate(0, 0, 1))
	if start.After(s.now()) {
		return models.Invalid("day", "has not begun yet")
	}
	var rows []kpiRow
	add := func(metric string, cur models.Currency, num, den int64) {
		rows = append(rows, kpiRow{metric, cur, num, den})
	}
	if err := s.kpiDelivery(ctx, start, end, add); err != nil {
		return err
	}
	if err := s.kpiFill(ctx, start, end, add); err != nil {
		return err
	}
	for _, m := range []struct{ metric, sql string }{
		{KPIBookings, `SELECT currency, SUM(net) AS num FROM order_lines WHERE ordered_at >= ? AND ordered_at < ? GROUP BY currency`},
		{KPIRevenue, `SELECT currency, SUM(net) AS num FROM invoice_lines WHERE issued_at >= ? AND issued_at < ? GROUP BY currency`},
	} {
		var sums []kpiRow
		if err := s.conn(ctx).Raw(m.sql, start, end).Scan(&sums).Error; err != nil {
			return err
		}
		for _, r := range sums {
			add(m.metric, r.Currency, r.Num, 0)
		}
	}
	dso, err := s.Collections(ctx, day.AddDate(0, 0, -89), day, s.loc)
	if err != nil {
		return err
	}
	for _, c := range dso.Currencies {
		if c.DSOTenths != nil { // nothing invoiced in 90 days: no DSO that day
			add(KPIDSO, c.Currency, *c.DSOTenths, 0)
		}
	}
	paid, err := s.Collections(ctx, day, day, s.loc)
	if err != nil {
		return err
	}
	var inFull, onTime int64
	for _, c := range paid.Currencies {
		inFull, onTime = inFull+c.PaidInFull, onTime+c.PaidOnTime
	}
	add(KPIOnTimePayment, "", onTime, inFull)
	if err := s.kpiOpenBackorders(ctx, end, add); err != nil {
		return err
	}
	key := day.Format(time.DateOnly)
	now := s.now()
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Exec(`DELETE FROM kpi_daily WHERE day = ?`, key).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.conn(ctx).Exec(`INSERT INTO kpi_daily (day, metric, currency, num, den, taken_at) VALUES (?, ?, ?, ?, ?, ?)`,
				key, r.Metric, r.Currency, r.Num, r.Den, now).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// kpiDelivery: on-time delivery of the lines shipped on the day, lead time
// of the lines whose last unit shipped on it, and the perfect orders among
// the orders completed on it.
func (s *Store) kpiDelivery(ctx context.Context, start, end time.Time, add func(string, models.Currency, int64, int64)) error {
	var shipped []struct {
		ShipmentID string
		LineNo     int
		ShippedAt  time.Time
		PromisedAt *time.Time
	}
	if err := s.conn(ctx).Raw(`SELECT sl.shipment_id, sl.line_no, sl.shipped_at, ol.promised_at FROM shipment_lines sl
		JOIN order_lines ol ON ol.order_id = sl.order_id AND ol.line_no = sl.line_no
		WHERE sl.shipped_at >= ? AND sl.shipped_at < ? ORDER BY sl.shipment_id, sl.line_no`, start, end).Scan(&shipped).Error; err != nil {
		return err
	}
	var lines, onTime int64
	for i, l := range shipped {
		if i > 0 && shipped[i-1].ShipmentID == l.ShipmentID && shipped[i-1].LineNo == l.LineNo {
			continue // the same line from a second warehouse
		}
		if l.PromisedAt == nil {
			continue // nothing was promised
		}
		lines++
		if s.onTime(l.ShippedAt, *l.PromisedAt) {
			onTime++
		}
	}
	add(KPIOnTimeDelivery, "", onTime, lines)

	var orderIDs []string
	if err := s.conn(ctx).Raw(`SELECT DISTINCT order_id FROM order_lines WHERE shipped_at >= ? AND shipped_at < ?`, start, end).Scan(&orderIDs).Error; err != nil {
		return err
	}
	var leadMinutes, leadLines, completed, perfect int64
	for part := range slices.Chunk(orderIDs, 500) {
		var ol []struct {
			OrderID                       string
			Qty, QtyShipped, QtyCancelled int64
			OrderedAt                     time.Time
			PromisedAt, ShippedAt         *time.Time
		}
		if err := s.conn(ctx).Raw(`SELECT order_id, qty, qty_shipped, qty_cancelled, ordered_at, promised_at, shipped_at FROM order_lines
			WHERE order_id IN ? ORDER BY order_id, line_no`, part).Scan(&ol).Error; err != nil {
			return err
		}
		for i := 0; i < len(ol); {
			j, closed, good := i, true, true
			var last time.Time
			for ; j < len(ol) && ol[j].OrderID == ol[i].OrderID; j++ {
				l := ol[j]
				if l.QtyShipped+l.QtyCancelled < l.Qty {
					closed = false
				}
				if l.QtyCancelled > 0 || l.ShippedAt == nil || (l.PromisedAt != nil && !s.onTime(*l.ShippedAt, *l.PromisedAt)) {
					good = false
				}
				if l.ShippedAt != nil {
					if !l.ShippedAt.Before(start) && l.ShippedAt.Before(end) {
						leadMinutes += int64(l.ShippedAt.Sub(l.OrderedAt) / time.Minute)
						leadLines++
					}
					if l.ShippedAt.After(last) {
						last = *l.ShippedAt
					}
				}
			}
			if closed && !last.Before(start) && last.Before(end) {
				completed++
				if good {
					perfect++
				}
			}
			i = j
		}
	}
	add(KPILeadTime, "", leadMinutes, leadLines)
	add(KPIPerfectOrder, "", perfect, completed)
	return nil
}

// onTime: shipped on or before the promised calendar day, in the report zone.
func (s *Store) onTime(shipped, promised time.Time) bool {
	return !calendar.Date(shipped.In(s.loc)).After(calendar.Date(promised.In(s.loc)))
}

// kpiFill: fill rates and backorder rate of the lines ordered on the day.
func (s *Store) kpiFill(ctx context.Context, start, end time.Time, add func(string, models.Currency, int64, int64)) error {
	var ol []struct {
		OrderID   string
		Qty       int64
		QtyFilled int64
	}
	if err := s.conn(ctx).Raw(`SELECT order_id, qty, qty_filled FROM order_lines WHERE ordered_at >= ? AND ordered_at < ? AND qty_filled IS NOT NULL
		ORDER BY order_id`, start, end).Scan(&ol).Error; err != nil {
		return err
	}
	var lines, filled, orders, ordersFilled, units, short int64
	for i := 0; i < len(ol); {
		whole := true
		j := i
		for ; j < len(ol) && ol[j].OrderID == ol[i].OrderID; j++ {
			l := ol[j]
			lines++
			units += l.Qty
			short += l.Qty - l.QtyFilled
			if l.QtyFilled >= l.Qty {
				filled++
			} else {
				whole = false
			}
		}
		orders++
		if whole {
			ordersFilled++
		}
		i = j
	}
	add(KPILineFill, "", filled, lines)
	add(KPIOrderFill, "", ordersFilled, orders)
	add(KPIBackorderRate, "", short, units)
	return nil
}

// kpiOpenBackorders: the net value waiting at end, per currency.
func (s *Store) kpiOpenBackorders(ctx context.Context, end time.Time, add func(string, models.Currency, int64, int64)) error {
	var sums []kpiRow
	if !end.Before(s.now()) {
		if err := s.conn(ctx).Raw(`SELECT currency, SUM(value_open) AS num FROM backorders WHERE status IN (?, ?) GROUP BY currency`,
			models.BackorderOpen, models.BackorderPartiallyFilled).Scan(&sums).Error; err != nil {
			return err
		}
	} else {
		var bos []struct {
			Currency                      models.Currency
			LineNet, QtyShort, QtyOrdered int64
		}
		if err := s.conn(ctx).Raw(`SELECT currency, line_net, qty_short, qty_ordered FROM backorders
			WHERE created_at < ? AND (filled_at IS NULL OR filled_at >= ?) AND NOT (status = ? AND updated_at < ?)`,
			end, end, models.BackorderCancelled, end).Scan(&bos).Error; err != nil {
			return err
		}
		by := map[models.Currency]int64{}
		for _, b := range bos {
			by[b.Currency] += models.DivRoundHalfAwayFromZero(b.LineNet*b.QtyShort, b.QtyOrdered)
		}
		for c, v := range by {
			sums = append(sums, kpiRow{Currency: c, Num: v})
		}
	}
	slices.SortFunc(sums, func(a, b kpiRow) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
	for _, r := range sums {
		add(KPIOpenBackorderValue, r.Currency, r.Num, 0)
	}
	return nil
}
