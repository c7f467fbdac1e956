package store

import (
	"context"
	"slices"
	"strings"
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
			WHERE i.issued_at < ?`
		// A cancelled invoice was owed until its credit note, which is
		// among the payments from its day.
		args = []any{end.UTC(), end.UTC()}
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

// Collections is how well one currency's invoices are collected over a
// period [From, To], both days in TimeZone.
type Collections struct {
	Currency models.Currency `json:"currency"`
	// Invoiced is the total of invoices issued in the period (cancelled
	// ones too: their credit notes take them back); Credited the total
	// of credit notes issued in it.
	Invoiced int64 `json:"invoiced"`
	Credited int64 `json:"credited"`
	// Receivable is what was owed at the end of To (as AR aging reads it).
	Receivable int64 `json:"receivable"`
	// DSOTenths is days sales outstanding in tenths of a day:
	// Receivable ÷ (Invoiced − Credited) × days in the period, rounded
	// half away from zero; absent when nothing was invoiced net.
	DSOTenths *int64 `json:"dso_tenths,omitempty"`
	// PaidInFull counts invoices whose last payment fell in the period;
	// PaidOnTime those of them paid in full by the end of their due day.
	PaidInFull int64 `json:"paid_in_full"`
	PaidOnTime int64 `json:"paid_on_time"`
	// OnTimeBP is PaidOnTime ÷ PaidInFull in basis points (10000 = all);
	// absent when nothing was paid in full.
	OnTimeBP *int64 `json:"on_time_bp,omitempty"`
	// DaysToPayTenths is the average, over PaidInFull, of calendar days
	// from issue to the last payment, in tenths of a day.
	DaysToPayTenths *int64 `json:"days_to_pay_tenths,omitempty"`
	// Credit is customers' unused over-payments now.
	Credit int64 `json:"credit"`
}

// CollectionsReport is Collections per currency over a period.
type CollectionsReport struct {
	From       string        `json:"from"`
	To         string        `json:"to"`
	Days       int           `json:"days"`
	TimeZone   string        `json:"time_zone"`
	Currencies []Collections `json:"currencies"` // by currency code
}

// Collections reports invoicing, DSO and payment behaviour from the start
// of day from to the end of day to (dates in loc).
func (s *Store) Collections(ctx context.Context, from, to time.Time, loc *time.Location) (CollectionsReport, error) {
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	last := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc)
	end := last.AddDate(0, 0, 1)
	days := 0
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		days++
	}
	out := CollectionsReport{From: start.Format(time.DateOnly), To: last.Format(time.DateOnly), Days: days, TimeZone: loc.String(), Currencies: []Collections{}}
	by := map[models.Currency]*Collections{}
	get := func(c models.Currency) *Collections {
		if by[c] == nil {
			by[c] = &Collections{Currency: c}
		}
		return by[c]
	}
	var invoiced []struct {
		Currency models.Currency
		Total    int64
	}
	if err := s.conn(ctx).Raw(`SELECT currency, SUM(total) AS total FROM invoices WHERE issued_at >= ? AND issued_at < ? GROUP BY currency`,
		start.UTC(), end.UTC()).Scan(&invoiced).Error; err != nil {
		return out, err
	}
	for _, r := range invoiced {
		get(r.Currency).Invoiced = r.Total
	}
	invoiced = nil
	if err := s.conn(ctx).Raw(`SELECT currency, SUM(total) AS total FROM credit_notes WHERE issued_at >= ? AND issued_at < ? GROUP BY currency`,
		start.UTC(), end.UTC()).Scan(&invoiced).Error; err != nil {
		return out, err
	}
	for _, r := range invoiced {
		get(r.Currency).Credited = r.Total
	}
	aging, err := s.ARAging(ctx, last, loc)
	if err != nil {
		return out, err
	}
	for _, t := range aging.Totals {
		get(t.Currency).Receivable = t.Total
	}
	// Invoices paid in full whose last payment fell in the period: the
	// payments are read row by row (an aggregate of a timestamp comes back
	// as text from SQLite) and the last of each invoice taken here.
	var pays []struct {
		InvoiceID  string
		Currency   models.Currency
		IssuedAt   time.Time
		DueAt      time.Time
		ReceivedAt time.Time
	}
	if err := s.conn(ctx).Raw(`SELECT i.id AS invoice_id, i.currency, i.issued_at, i.due_at, p.received_at
		FROM invoices i JOIN payments p ON p.invoice_id = i.id
		WHERE i.status = ? AND i.id IN (SELECT invoice_id FROM payments WHERE received_at >= ? AND received_at < ?)
		ORDER BY i.id`,
		models.InvoicePaid, start.UTC(), end.UTC()).Scan(&pays).Error; err != nil {
		return out, err
	}
	daysTo := map[models.Currency]int64{}
	for i := 0; i < len(pays); {
		p, last := pays[i], pays[i].ReceivedAt
		for i++; i < len(pays) && pays[i].InvoiceID == p.InvoiceID; i++ {
			if pays[i].ReceivedAt.After(last) {
				last = pays[i].ReceivedAt
			}
		}
		if last.Before(start) || !last.Before(end) {
			continue // paid in full before or after the period
		}
		c := get(p.Currency)
		c.PaidInFull++
		if localDay(last, loc) <= localDay(p.DueAt, loc) {
			c.PaidOnTime++
		}
		daysTo[p.Currency] += int64(localDay(last, loc) - localDay(p.IssuedAt, loc))
	}
	var credits []struct {
		Currency models.Currency
		Amount   int64
	}
	if err := s.conn(ctx).Raw(`SELECT currency, SUM(amount) AS amount FROM (` + creditLedger + `) c GROUP BY currency`).Scan(&credits).Error; err != nil {
		return out, err
	}
	for _, r := range credits {
		get(r.Currency).Credit = r.Amount
	}
	for _, c := range by {
		// A ratio over nothing is absent, not 0: no invoice in the period
		// gives no DSO, no invoice paid no on-time rate.
		if net := c.Invoiced - c.Credited; net > 0 {
			dso := models.DivRoundHalfAwayFromZero(c.Receivable*int64(days)*10, net)
			c.DSOTenths = &dso
		}
		if c.PaidInFull > 0 {
			c.OnTimeBP = ratioBP(c.PaidOnTime, c.PaidInFull)
			toPay := models.DivRoundHalfAwayFromZero(daysTo[c.Currency]*10, c.PaidInFull)
			c.DaysToPayTenths = &toPay
		}
		out.Currencies = append(out.Currencies, *c)
	}
	slices.SortFunc(out.Currencies, func(a, b Collections) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
	return out, nil
}

// localDay numbers the calendar day of t in loc (days since 1970-01-01),
// so that differences are whole calendar days whatever the clock time.
func localDay(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
