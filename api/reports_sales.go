package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

var (
	// salesReaders see sales figures; a sales rep sees their own accounts'
	// only (repScope).
	salesReaders = []models.Role{models.RoleSalesRep, models.RoleSalesManager, models.RolePricingAnalyst, models.RoleFinance, models.RoleExecutive}
	// salesWide are the roles that see every account's figures.
	salesWide = []models.Role{models.RoleSalesManager, models.RolePricingAnalyst, models.RoleFinance, models.RoleExecutive}
)

func (s *Server) salesReportRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/reports/sales", Answer: store.SalesReport{}, Summary: "Bookings (orders placed) and revenue (invoices issued): lines, units, net, standard cost and margin per currency, grouped by product, category, region, segment, customer, rep or warehouse, per day/week/month/quarter, with the previous period and the change (?group_by=, ?granularity=, ?from=, ?to=, ?top=, ?rank=booked|invoiced, ?format=csv). A sales rep sees their own accounts only",
			Roles: salesReaders, Handler: s.salesReport},
		{Method: "GET", Path: "/api/v1/reports/sales/lines", Summary: "Every order line ordered in a period as CSV, streamed (?from=, ?to=). A sales rep gets their own accounts' lines only",
			Roles: salesReaders, Handler: s.salesLines},
		{Method: "GET", Path: "/api/v1/reports/quote-funnel", Answer: store.QuoteFunnel{}, Summary: "Quotes created in a period and where they are now: needing approval, approved, rejected, accepted, expired, withdrawn, open; conversion (accepted ÷ decided: accepted, rejected, expired or withdrawn); median minutes to approve and to order (?from=, ?to=, ?format=csv). A sales rep sees their own accounts only",
			Roles: salesReaders, Handler: s.quoteFunnel},
	}
}

// repScope is the rep whose accounts alone the caller may see, or "" for
// every account. A caller who is a sales rep and holds no wider role sees
// their own; an API key acting as a rep sees none (no account is a key's).
func repScope(p auth.Principal) string {
	for _, r := range salesWide {
		if p.Roles.Has(r) {
			return ""
		}
	}
	return p.ID
}

func (s *Server) salesQuery(c *gin.Context) (store.SalesQuery, error) {
	from, to, err := s.reportPeriod(c)
	q := store.SalesQuery{From: from, To: to, GroupBy: c.DefaultQuery("group_by", store.DimRegion),
		Granularity: calendar.Granularity(c.DefaultQuery("granularity", string(calendar.Month))), Rank: c.DefaultQuery("rank", store.SalesInvoiced)}
	var v models.Validator
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve): // name every bad parameter at once
		for _, f := range ve.Fields {
			v.Add(f.Field, "%s", f.Message)
		}
	case err != nil:
		return q, err
	}
	v.Check(slices.Contains(store.SalesDims, q.GroupBy), "group_by", "must be one of product, category, region, segment, customer, rep, warehouse")
	v.Check(q.Granularity.Valid(), "granularity", "must be day, week, month or quarter")
	v.Check(q.Rank == store.SalesBooked || q.Rank == store.SalesInvoiced, "rank", "must be booked or invoiced")
	if t := c.Query("top"); t != "" {
		n, err := strconv.Atoi(t)
		v.Check(err == nil && n >= 1 && n <= 100, "top", "must be a whole number from 1 to 100")
		q.Top = n
	}
	v.Check(q.Granularity != calendar.Day || calendar.Days(from, to) <= 92, "granularity", "by day covers at most 92 days; choose week or month")
	p, _ := principalOf(c)
	q.RepID = repScope(p)
	return q, v.Err()
}

func (s *Server) salesReport(c *gin.Context) {
	q, err := s.salesQuery(c)
	if err == nil {
		err = checkFormat(c)
	}
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.Store.Sales(reqCtx(c), q)
	if err != nil {
		fail(c, err)
		return
	}
	if answeredJSON(c, r) {
		return
	}
	header := []string{"group_by", "key", "label", "currency", "period"}
	for _, k := range []string{"booked", "invoiced"} {
		header = append(header, k+"_lines", k+"_qty", k+"_net", k+"_cost", k+"_margin")
	}
	s.writeCSV(c, fmt.Sprintf("sales-by-%s-%s-%s", r.GroupBy, r.From, r.To), header, func(row func([]string) error) error {
		for _, rows := range [][]store.SalesRow{r.Rows, r.Totals} {
			for _, x := range rows {
				cells := func(period string, cell store.SalesCell) []string {
					out := []string{r.GroupBy, x.Key, x.Label, string(x.Currency), period}
					for _, f := range []store.SalesFigures{cell.Booked, cell.Invoiced} {
						m := func(v int64) string { return models.NewMoney(v, x.Currency).Decimal() }
						out = append(out, fmt.Sprint(f.Lines), fmt.Sprint(f.Qty), m(f.Net), m(f.Cost), m(f.Net-f.Cost))
					}
					return out
				}
				for i, p := range x.Periods {
					if err := row(cells(r.Periods[i].Label, p)); err != nil {
						return err
					}
				}
				if err := row(cells("previous "+r.PreviousFrom+".."+r.PreviousTo, x.Previous)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *Server) salesLines(c *gin.Context) {
	from, to, err := s.reportPeriod(c)
	if f := c.Query("format"); err == nil && f != "" && f != "csv" {
		err = models.Invalid("format", "the lines come as CSV only: leave format out or say csv")
	}
	if err != nil {
		fail(c, err)
		return
	}
	p, _ := principalOf(c)
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(s.ReportLocation).Format(time.DateOnly)
	}
	name := "sales-lines-" + from.Format(time.DateOnly) + "-" + to.Format(time.DateOnly)
	s.writeCSV(c, name, []string{"order_id", "line_no", "ordered_at", "customer_id", "region", "segment", "rep_id", "sku", "category", "currency",
		"qty", "qty_shipped", "qty_cancelled", "gross", "discount", "net", "tax", "unit_cost", "promised_on", "shipped_on"},
		func(row func([]string) error) error {
			return s.Store.EachSalesLine(reqCtx(c), from, to, repScope(p), func(l store.SalesLine) error {
				m := func(v int64) string { return models.NewMoney(v, l.Currency).Decimal() }
				return row([]string{l.OrderID, strconv.Itoa(l.LineNo), l.OrderedAt.UTC().Format(time.RFC3339), l.CustomerID, l.Region, l.Segment, l.RepID,
					l.SKU, l.Category, string(l.Currency), strconv.FormatInt(l.Qty, 10), strconv.FormatInt(l.QtyShipped, 10), strconv.FormatInt(l.QtyCancelled, 10),
					m(l.Gross), m(l.Discount), m(l.Net), m(l.Tax), m(l.UnitCost), date(l.PromisedAt), date(l.ShippedAt)})
			})
		})
}

func (s *Server) quoteFunnel(c *gin.Context) {
	p, _ := principalOf(c)
	periodReport(s, c, func(ctx context.Context, from, to time.Time, _ *time.Location) (store.QuoteFunnel, error) {
		return s.Store.QuoteFunnel(ctx, from, to, repScope(p))
	}, func(r store.QuoteFunnel) string { return "quote-funnel-" + r.From + "-" + r.To },
		[]string{"from", "to", "created", "needing_approval", "approved", "rejected", "accepted", "expired", "withdrawn", "invalid", "open",
			"decided", "conversion_percent", "median_approve_minutes", "median_to_order_minutes", "currency", "accepted_value"},
		func(r store.QuoteFunnel, row func([]string) error) error {
			counts := []string{r.From, r.To, fmt.Sprint(r.Created), fmt.Sprint(r.NeedingApproval), fmt.Sprint(r.Approved), fmt.Sprint(r.Rejected),
				fmt.Sprint(r.Accepted), fmt.Sprint(r.Expired), fmt.Sprint(r.Withdrawn), fmt.Sprint(r.Invalid), fmt.Sprint(r.Open),
				fmt.Sprint(r.Decided), percent(r.ConversionBP), optional(r.MedianApproveMinutes), optional(r.MedianToOrderMinutes)}
			if len(r.AcceptedValue) == 0 {
				return row(append(counts, "", ""))
			}
			// One row per currency: the counts again, and that currency's
			// accepted value (quote totals, tax included).
			for _, m := range r.AcceptedValue {
				if err := row(append(slices.Clone(counts), string(m.Currency), m.Decimal())); err != nil {
					return err
				}
			}
			return nil
		})
}

// percent shows basis points as a percentage with two decimals; "" when absent.
func percent(bp *int64) string {
	if bp == nil {
		return ""
	}
	v, sign := *bp, ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

func optional(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}
