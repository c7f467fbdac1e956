package store

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
)

// CashWeek is the cash expected in one ISO week, in one currency.
type CashWeek struct {
	Start      string `json:"start"` // the Monday
	Label      string `json:"label"` // 2026-W49
	Invoices   int64  `json:"invoices"`
	Backorders int64  `json:"backorders"`
	Total      int64  `json:"total"`
}

// CashForecast is one currency's expected receipts.
type CashForecast struct {
	Currency models.Currency `json:"currency"`
	// Overdue is owed on invoices due before this week: expected, but late.
	Overdue int64      `json:"overdue"`
	Weeks   []CashWeek `json:"weeks"`
	// Later is expected after the last week shown.
	Later int64 `json:"later"`
	Total int64 `json:"total"`
}

// CashForecastReport forecasts receipts week by week from today.
type CashForecastReport struct {
	From       string         `json:"from"` // the Monday of this week
	TimeZone   string         `json:"time_zone"`
	Currencies []CashForecast `json:"currencies"`
}

// CashForecast expects each open invoice's balance in the week of its due
// date, and each waiting backorder's open value (net of tax: tax is known
// only when it is invoiced) its customer's payment terms after its ETA,
// when it will have shipped and been invoiced. weeks is the horizon from
// this week.
func (s *Store) CashForecast(ctx context.Context, today time.Time, weeks int) (CashForecastReport, error) {
	first := calendar.Week.Start(today)
	out := CashForecastReport{From: first.Format(time.DateOnly), TimeZone: s.loc.String(), Currencies: []CashForecast{}}
	by := map[models.Currency]*CashForecast{}
	get := func(c models.Currency) *CashForecast {
		if by[c] == nil {
			f := &CashForecast{Currency: c}
			for w, p := 0, first; w < weeks; w, p = w+1, calendar.Week.Next(p) {
				f.Weeks = append(f.Weeks, CashWeek{Start: p.Format(time.DateOnly), Label: calendar.Week.Label(p)})
			}
			by[c] = f
		}
		return by[c]
	}
	place := func(c models.Currency, at time.Time, amount int64, invoice bool) {
		f := get(c)
		f.Total += amount
		day := calendar.Date(at.In(s.loc))
		if day.Before(first) {
			f.Overdue += amount
			return
		}
		w := int(day.Sub(first).Hours()/24) / 7
		if w >= len(f.Weeks) {
			f.Later += amount
			return
		}
		if invoice {
			f.Weeks[w].Invoices += amount
		} else {
			f.Weeks[w].Backorders += amount
		}
		f.Weeks[w].Total += amount
	}
	var invs []struct {
		Currency models.Currency
		DueAt    time.Time
		Balance  int64
	}
	if err := s.conn(ctx).Raw(`SELECT currency, due_at, total - paid AS balance FROM invoices WHERE status IN (?, ?, ?) AND total > paid`,
		models.InvoiceOpen, models.InvoicePartiallyPaid, models.InvoiceOverdue).Scan(&invs).Error; err != nil {
		return out, err
	}
	for _, i := range invs {
		place(i.Currency, i.DueAt, i.Balance, true)
	}
	var bos []struct {
		Currency  models.Currency
		ETA       time.Time `gorm:"column:eta"`
		ValueOpen int64
		TermsDays int
	}
	if err := s.conn(ctx).Raw(`SELECT b.currency, b.eta, b.value_open, c.terms_days FROM backorders b JOIN customers c ON c.id = b.customer_id
		WHERE b.status IN (?, ?) AND b.value_open > 0`,
		models.BackorderOpen, models.BackorderPartiallyFilled).Scan(&bos).Error; err != nil {
		return out, err
	}
	start := s.dayStart(today)
	for _, b := range bos {
		eta := b.ETA
		if eta.Before(start) {
			eta = start // late supply is expected from today, not in the past
		}
		place(b.Currency, eta.AddDate(0, 0, b.TermsDays), b.ValueOpen, false)
	}
	for _, c := range slices.Sorted(maps.Keys(by)) {
		out.Currencies = append(out.Currencies, *by[c])
	}
	return out, nil
}

// CreditRow is a customer's unused credit in one currency.
type CreditRow struct {
	CustomerID   string          `json:"customer_id"`
	CustomerName string          `json:"customer_name"`
	Currency     models.Currency `json:"currency"`
	Credit       int64           `json:"credit"`
}

// CreditBalances lists every customer with unused credit, by name.
func (s *Store) CreditBalances(ctx context.Context) ([]CreditRow, error) {
	return s.creditRows(ctx, "")
}

// creditRows lists unused credit per customer and currency, of one
// customer when customerID is set.
func (s *Store) creditRows(ctx context.Context, customerID string) ([]CreditRow, error) {
	var rows []CreditRow
	err := s.conn(ctx).Raw(`SELECT c.customer_id, cu.name AS customer_name, c.currency, SUM(c.amount) AS credit FROM (`+creditLedger+`) c
		JOIN customers cu ON cu.id = c.customer_id WHERE ? = '' OR c.customer_id = ?
		GROUP BY c.customer_id, cu.name, c.currency HAVING SUM(c.amount) > 0`, customerID, customerID).Scan(&rows).Error
	slices.SortFunc(rows, func(a, b CreditRow) int {
		if n := strings.Compare(a.CustomerName, b.CustomerName); n != 0 {
			return n
		}
		return strings.Compare(string(a.Currency), string(b.Currency))
	})
	if rows == nil {
		rows = []CreditRow{}
	}
	return rows, err
}
