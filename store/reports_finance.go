package store

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// AgingRow is what one customer owes in one currency, by how long it is
// past due: amounts are minor units of Currency. The total row of a
// currency has no customer.
type AgingRow struct {
	CustomerID   string          `json:"customer_id,omitempty"`
	CustomerName string          `json:"customer_name,omitempty"`
	Currency     models.Currency `json:"currency"`
	Invoices     int64           `json:"invoices"`
	Current      int64           `json:"current"` // not yet due
	Days1to30    int64           `json:"days_1_30"`
	Days31to60   int64           `json:"days_31_60"`
	Days61to90   int64           `json:"days_61_90"`
	Over90       int64           `json:"over_90"`
	Total        int64           `json:"total"`
}

// ARAging is accounts receivable on a day: every invoice issued by the end
// of that day, less what was paid on it by then, by days past due.
type ARAging struct {
	AsOf      string     `json:"as_of"` // the day, in TimeZone
	TimeZone  string     `json:"time_zone"`
	Customers []AgingRow `json:"customers"` // by customer name, then currency
	Totals    []AgingRow `json:"totals"`    // one per currency: never summed across
}

// ARAging reads receivables as of the end of day (a date in loc). Days past
// due count calendar days in loc: an invoice due on the 10th is 1 day past
// due on the 11th. A bucket boundary is a local midnight, so the query
// compares timestamps only and reads the same on both engines.
func (s *Store) ARAging(ctx context.Context, day time.Time, loc *time.Location) (ARAging, error) {
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc) // midnight starting the day
	end := start.AddDate(0, 0, 1)
	cut := func(days int) time.Time { return start.AddDate(0, 0, -days).UTC() }
	out := ARAging{AsOf: start.Format(time.DateOnly), TimeZone: loc.String(), Customers: []AgingRow{}, Totals: []AgingRow{}}
	// Due on the day itself or later: current. Due 1..30 days before: 1-30.
	var rows []AgingRow
	err := s.conn(ctx).Raw(`
		WITH open AS (
			SELECT i.customer_id, i.currency, i.due_at,
			       i.total - COALESCE((SELECT SUM(p.applied) FROM payments p WHERE p.invoice_id = i.id AND p.received_at < ?), 0) AS balance
			FROM invoices i
			WHERE i.status <> ? AND i.issued_at < ?
		)
		SELECT o.customer_id, c.name AS customer_name, o.currency, COUNT(*) AS invoices,
		       SUM(CASE WHEN o.due_at >= ? THEN o.balance ELSE 0 END) AS current,
		       SUM(CASE WHEN o.due_at < ? AND o.due_at >= ? THEN o.balance ELSE 0 END) AS days1to30,
		       SUM(CASE WHEN o.due_at < ? AND o.due_at >= ? THEN o.balance ELSE 0 END) AS days31to60,
		       SUM(CASE WHEN o.due_at < ? AND o.due_at >= ? THEN o.balance ELSE 0 END) AS days61to90,
		       SUM(CASE WHEN o.due_at < ? THEN o.balance ELSE 0 END) AS over90,
		       SUM(o.balance) AS total
		FROM open o JOIN customers c ON c.id = o.customer_id
		WHERE o.balance > 0
		GROUP BY o.customer_id, c.name, o.currency
		ORDER BY c.name, o.customer_id, o.currency`,
		end.UTC(), models.InvoiceVoid, end.UTC(),
		start.UTC(), start.UTC(), cut(30), cut(30), cut(60), cut(60), cut(90), cut(90),
	).Scan(&rows).Error
	if err != nil {
		return out, err
	}
	index := map[models.Currency]int{} // currency → its row in Totals
	for _, r := range rows {
		out.Customers = append(out.Customers, r)
		i, ok := index[r.Currency]
		if !ok {
			i = len(out.Totals)
			index[r.Currency] = i
			out.Totals = append(out.Totals, AgingRow{Currency: r.Currency})
		}
		t := &out.Totals[i]
		t.Invoices += r.Invoices
		t.Current += r.Current
		t.Days1to30 += r.Days1to30
		t.Days31to60 += r.Days31to60
		t.Days61to90 += r.Days61to90
		t.Over90 += r.Over90
		t.Total += r.Total
	}
	return out, nil
}
