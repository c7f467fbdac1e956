package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

var (
	financeReaders = []models.Role{models.RoleFinance, models.RoleExecutive, models.RoleSalesManager}
	cashReaders    = []models.Role{models.RoleFinance, models.RoleExecutive}
	supplyReaders  = []models.Role{models.RoleSupplyChain, models.RoleProductionManager, models.RoleExecutive, models.RoleSalesManager}
)

func (s *Server) reportRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/reports/ar-aging", Answer: store.ARAging{}, Summary: "Accounts receivable aging per customer and per currency: current, 1-30, 31-60, 61-90 and over 90 days past due (?as_of=YYYY-MM-DD, a day in the report time zone, default today; ?format=csv)",
			Roles: financeReaders, Handler: s.arAging},
		{Method: "GET", Path: "/api/v1/reports/collections", Answer: store.CollectionsReport{}, Summary: "Per currency over a period: invoiced, owed at its end, DSO, invoices paid in full and on time, average days to pay, unused credit (?from=, ?to= days in the report time zone, default this month to date; ?format=csv)",
			Roles: financeReaders, Handler: s.collections},
		{Method: "GET", Path: "/api/v1/reports/cash-forecast", Answer: store.CashForecastReport{}, Summary: "Cash expected per currency and ISO week from this week: open invoices by due date, waiting backorders' net value by ETA plus the payment terms; overdue and later amounts apart (?weeks= 1-52, default 13; ?format=csv)",
			Roles: cashReaders, Handler: s.cashForecast},
		{Method: "GET", Path: "/api/v1/reports/credits", Summary: "Customers' unused credit (over-payments not yet applied to an invoice) per currency (?format=csv)",
			Roles: financeReaders, Handler: s.creditBalances},
		{Method: "GET", Path: "/api/v1/reports/supplier-slippage", Answer: store.SlippageReport{}, Summary: "Supply orders received per supplier and month: how many came after the first promised day and the average slip in days (?from=, ?to= days in the report time zone, default this month to date; ?format=csv)",
			Roles: supplyReaders, Handler: s.supplierSlippage},
	}
}

// reportDay reads ?as_of= as a calendar day in the report time zone.
func (s *Server) reportDay(c *gin.Context) (time.Time, error) {
	loc := s.ReportLocation
	q := c.Query("as_of")
	if q == "" {
		now := time.Now().In(loc)
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, q, loc)
	if err != nil {
		return time.Time{}, models.Invalid("as_of", "must be a date like 2026-06-30")
	}
	if d.After(time.Now()) {
		return time.Time{}, models.Invalid("as_of", "must not be after today")
	}
	return d, nil
}

func (s *Server) arAging(c *gin.Context) {
	day, err := s.reportDay(c)
	if err == nil {
		err = checkFormat(c)
	}
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.Store.ARAging(reqCtx(c), day, s.ReportLocation)
	if err != nil {
		fail(c, err)
		return
	}
	if answeredJSON(c, r) {
		return
	}
	s.writeCSV(c, "ar-aging-"+r.AsOf, []string{"customer_id", "customer", "currency", "invoices", "current", "days_1_30", "days_31_60", "days_61_90", "over_90", "total"},
		func(row func([]string) error) error {
			for _, rows := range [][]store.AgingRow{r.Customers, r.Totals} {
				for _, a := range rows {
					m := func(v int64) string { return models.NewMoney(v, a.Currency).Decimal() }
					name := a.CustomerName
					if a.CustomerID == "" {
						name = "Total"
					}
					if err := row([]string{a.CustomerID, name, string(a.Currency), fmt.Sprint(a.Invoices), m(a.Current), m(a.Days1to30),
						m(a.Days31to60), m(a.Days61to90), m(a.Over90), m(a.Total)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

// answeredJSON answers r as JSON unless the caller asked for CSV
// (?format=csv), and says whether it did.
func answeredJSON(c *gin.Context, r any) bool {
	if c.Query("format") == "csv" {
		return false
	}
	c.JSON(http.StatusOK, r)
	return true
}

// checkFormat accepts ?format= empty, json or csv.
func checkFormat(c *gin.Context) error {
	switch c.Query("format") {
	case "", "json", "csv":
		return nil
	}
	return models.Invalid("format", "must be json or csv")
}

// writeCSV streams a CSV download row by row: amounts are decimal strings
// in major units with a currency column, never floats.
//
// Every export is audited (report.export, with the file's name) before a
// byte of it is sent.
func (s *Server) writeCSV(c *gin.Context, name string, header []string, rows func(row func([]string) error) error) {
	if err := s.Store.AppendAudit(reqCtx(c), s.audit(c, "report.export", "report", name, c.Request.URL.RequestURI())); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	write := func(r []string) error {
		for i, cell := range r {
			r[i] = csvCell(cell)
		}
		if err := w.Write(r); err != nil {
			return err
		}
		return w.Error()
	}
	if err := write(header); err == nil {
		_ = rows(write) // a failed write is a client gone away: nothing to tell it
	}
	w.Flush()
}

// csvCell keeps a spreadsheet from running a cell as a formula: a cell
// that begins with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice), unless it is a plain number such as -12.50,
// which a spreadsheet reads as the number it is. Customer names, notes and
// references are typed by people outside the company.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}

// plainNumber is a decimal number and nothing else.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// reportPeriod reads ?from= and ?to= (days in the report time zone): by
// default this month to today; with only ?to=, from the first of its month.
// A range reaching past today ends today (days to come have no figures and
// would dilute a rate); at most 366 days.
func (s *Server) reportPeriod(c *gin.Context) (from, to time.Time, err error) {
	loc := s.ReportLocation
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	to = today
	var v models.Validator
	day := func(name string) (time.Time, bool) {
		q := c.Query(name)
		if q == "" {
			return time.Time{}, false
		}
		d, perr := time.ParseInLocation(time.DateOnly, q, loc)
		v.Check(perr == nil, name, "must be a date like 2026-06-30")
		return d, perr == nil
	}
	if d, ok := day("to"); ok {
		to = d
	}
	from = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, loc)
	if d, ok := day("from"); ok {
		from = d
	}
	if to.After(today) {
		to = today
	}
	v.Check(!from.After(today), "from", "must not be after today")
	v.Check(!to.Before(from), "to", "must not be before from")
	v.Check(to.Sub(from) <= 366*24*time.Hour, "to", "at most 366 days after from")
	return from, to, v.Err()
}

// periodReport answers a report over ?from= to ?to=: JSON, or with
// ?format=csv a download named name(r) with header and the rows of r.
func periodReport[R any](s *Server, c *gin.Context, read func(ctx context.Context, from, to time.Time, loc *time.Location) (R, error),
	name func(R) string, header []string, rows func(r R, row func([]string) error) error) {
	from, to, err := s.reportPeriod(c)
	if err == nil {
		err = checkFormat(c)
	}
	if err != nil {
		fail(c, err)
		return
	}
	r, err := read(reqCtx(c), from, to, s.ReportLocation)
	if err != nil {
		fail(c, err)
		return
	}
	if answeredJSON(c, r) {
		return
	}
	s.writeCSV(c, name(r), header, func(row func([]string) error) error { return rows(r, row) })
}

// optionalTenths is tenths, or "" when there is no figure.
func optionalTenths(v *int64) string {
	if v == nil {
		return ""
	}
	return tenths(*v)
}

// tenths shows 2756 as "275.6" and -15 as "-1.5": integer arithmetic only.
func tenths(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%d", sign, v/10, v%10)
}

func (s *Server) collections(c *gin.Context) {
	periodReport(s, c, s.Store.Collections, func(r store.CollectionsReport) string { return "collections-" + r.From + "-" + r.To },
		[]string{"from", "to", "currency", "invoiced", "receivable", "dso_days", "paid_in_full", "paid_on_time", "on_time_percent", "days_to_pay", "credit"},
		func(r store.CollectionsReport, row func([]string) error) error {
			for _, x := range r.Currencies {
				m := func(v int64) string { return models.NewMoney(v, x.Currency).Decimal() }
				if err := row([]string{r.From, r.To, string(x.Currency), m(x.Invoiced), m(x.Receivable), optionalTenths(x.DSOTenths), fmt.Sprint(x.PaidInFull),
					fmt.Sprint(x.PaidOnTime), percent(x.OnTimeBP), optionalTenths(x.DaysToPayTenths), m(x.Credit)}); err != nil {
					return err
				}
			}
			return nil
		})
}

func (s *Server) supplierSlippage(c *gin.Context) {
	periodReport(s, c, s.Store.SupplierSlippage, func(r store.SlippageReport) string { return "supplier-slippage-" + r.From + "-" + r.To },
		[]string{"supplier", "month", "received", "late", "avg_slip_days"},
		func(r store.SlippageReport, row func([]string) error) error {
			for _, x := range r.Rows {
				if err := row([]string{x.Supplier, x.Month, fmt.Sprint(x.Received), fmt.Sprint(x.Late), tenths(x.AvgSlipTenths)}); err != nil {
					return err
				}
			}
			return nil
		})
}

func (s *Server) cashForecast(c *gin.Context) {
	weeks := 13
	if w := c.Query("weeks"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 52 {
			fail(c, models.Invalid("weeks", "must be a whole number from 1 to 52"))
			return
		}
		weeks = n
	}
	if err := checkFormat(c); err != nil {
		fail(c, err)
		return
	}
	today, _ := s.reportDay(c)
	r, err := s.Store.CashForecast(reqCtx(c), today, weeks)
	if err != nil {
		fail(c, err)
		return
	}
	if answeredJSON(c, r) {
		return
	}
	s.writeCSV(c, "cash-forecast-"+r.From, []string{"currency", "week", "starts", "invoices", "backorders", "total"}, func(row func([]string) error) error {
		for _, f := range r.Currencies {
			m := func(v int64) string { return models.NewMoney(v, f.Currency).Decimal() }
			if err := row([]string{string(f.Currency), "overdue", "", m(f.Overdue), "", m(f.Overdue)}); err != nil {
				return err
			}
			for _, w := range f.Weeks {
				if err := row([]string{string(f.Currency), w.Label, w.Start, m(w.Invoices), m(w.Backorders), m(w.Total)}); err != nil {
					return err
				}
			}
			if err := row([]string{string(f.Currency), "later", "", "", "", m(f.Later)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Server) creditBalances(c *gin.Context) {
	if err := checkFormat(c); err != nil {
		fail(c, err)
		return
	}
	rows, err := s.Store.CreditBalances(reqCtx(c))
	if err != nil {
		fail(c, err)
		return
	}
	if answeredJSON(c, gin.H{"credits": rows}) {
		return
	}
	s.writeCSV(c, "credits", []string{"customer_id", "customer", "currency", "credit"}, func(row func([]string) error) error {
		for _, r := range rows {
			if err := row([]string{r.CustomerID, r.CustomerName, string(r.Currency), models.NewMoney(r.Credit, r.Currency).Decimal()}); err != nil {
				return err
			}
		}
		return nil
	})
}
