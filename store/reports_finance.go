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
	// What was paid by the end of the day: for today or later the invoice's
	// own paid column says it (and invoices paid in full drop out); for a
	// day past, the payments received by then.
	open := `SELECT i.customer_id, i.currency, i.due_at, i.total - i.paid AS balance
		FROM invoices i WHERE i.status IN (?, ?, ?) AND i.issued_at < ?`
	args := []any{models.InvoiceOpen, models.InvoicePartiallyPaid, models.InvoiceOverdue, end.UTC()}
	if end.Before(s.now()) {
		open = `SELECT i.customer_id, i.currency, i.due_at, i.total - COALESCE(p.applied, 0) AS balance
			FROM invoices i LEFT JOIN (SELECT invoice_id, SUM(applied) AS applied FROM payments WHERE received_at < ? GROUP BY invoice_id) p
			ON p.invoice_id = i.id
			WHERE i.status <> ? AND i.issued_at < ?`
		args = []any{end.UTC(), models.InvoiceVoid, end.UTC()}
	}
	// Aggregate by customer and currency first, then name the few rows.
	var rows []AgingRow
	err := s.conn(ctx).Raw(`
		WITH open AS (`+open+`), agg AS (
			SELECT customer_id, currency, COUNT(*) AS invoices,
			       SUM(CASE WHEN due_at >= ? THEN balance ELSE 0 END) AS current,
			       SUM(CASE WHEN due_at < ? AND due_at >= ? THEN balance ELSE 0 END) AS days1to30,
			       SUM(CASE WHEN due_at < ? AND due_at >= ? THEN balance ELSE 0 END) AS days31to60,
			       SUM(CASE WHEN due_at < ? AND due_at >= ? THEN balance ELSE 0 END) AS days61to90,
			       SUM(CASE WHEN due_at < ? THEN balance ELSE 0 END) AS over90,
			       SUM(balance) AS total
			FROM open WHERE balance > 0
			GROUP BY customer_id, currency
		)
		SELECT agg.*, c.name AS customer_name FROM agg JOIN customers c ON c.id = agg.customer_id
		ORDER BY c.name, agg.customer_id, agg.currency`,
		append(args, start.UTC(), start.UTC(), cut(30), cut(30), cut(60), cut(60), cut(90), cut(90))...,
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
