package web

import (
	"net/http"
	"net/url"

	"github.com/q2c-dev/q2c/store"
)

// salesParams are the sales report's filters, passed on to the API as
// they are: the API validates them and names a bad one.
func salesParams(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"group_by", "granularity", "from", "to", "top", "rank"} {
		out.Set(k, q.Get(k))
	}
	return out
}

// salesPage shows bookings and revenue by a dimension and period, against
// the previous period, with a chart and the CSV downloads.
func (s *Server) salesPage(v *visit) error {
	p := salesParams(v.r.URL.Query())
	var r store.SalesReport
	if err := v.call(http.MethodGet, withQuery("/api/v1/reports/sales", p), nil, &r); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showStatus(ae.Status, v.page.Title, salesView(r, p, ae), "uplot.min.css", "uplot.min.js")
	}
	return v.show(salesView(r, p, nil), "uplot.min.css", "uplot.min.js")
}

func (s *Server) salesCSV(v *visit) error {
	p := salesParams(v.r.URL.Query())
	p.Set("format", "csv")
	return v.download(withQuery("/api/v1/reports/sales", p))
}

func (s *Server) salesLinesCSV(v *visit) error {
	q := v.r.URL.Query()
	return v.download(withQuery("/api/v1/reports/sales/lines", url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}}))
}

var (
	groupOptions = []option{{"region", "Region"}, {"segment", "Segment"}, {"customer", "Customer"}, {"product", "Product"},
		{"category", "Category"}, {"rep", "Sales rep"}, {"warehouse", "Warehouse (revenue)"}}
	granularityOptions = []option{{"month", "Month"}, {"week", "Week (Monday)"}, {"day", "Day"}, {"quarter", "Quarter"}}
	rankOptions        = []option{{"invoiced", "Revenue"}, {"booked", "Bookings"}}
)

// salesChart plots revenue per period of the largest groups of the first
// currency, in whole major units (the table has exact amounts).
func salesChart(r store.SalesReport) chart {
	c := chart{Kind: "bar", Unit: "revenue", Labels: []string{}, Series: []chartSeries{}}
	for _, p := range r.Periods {
		c.Labels = append(c.Labels, p.Label)
	}
	if len(r.Totals) == 0 {
		return c
	}
	cur := r.Totals[0].Currency
	c.Unit = "revenue, " + string(cur)
	for _, row := range r.Rows {
		if row.Currency != cur || len(c.Series) == 6 {
			continue
		}
		s := chartSeries{Label: row.Label}
		for _, p := range row.Periods {
			s.Values = append(s.Values, p.Invoiced.Net/pow10(cur.Exponent()))
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// change shows a change in basis points as a signed percentage with an
// arrow, or "new" when there was nothing before.
func change(bp *int64, delta int64) string {
	switch {
	case bp == nil && delta == 0:
		return "no change"
	case bp == nil:
		return "new this period"
	case *bp > 0:
		return "▲ " + basisPoints(*bp) + "% vs previous"
	case *bp < 0:
		return "▼ " + basisPoints(-*bp) + "% vs previous"
	}
	return "no change"
}

// marginPct shows a margin ratio, or a dash when there was no net.
func marginPct(bp *int64) string {
	if bp == nil {
		return "–"
	}
	if *bp < 0 {
		return "−" + basisPoints(-*bp) + "%"
	}
	return basisPoints(*bp) + "%"
}

// funnelPage follows the quotes created in a period to where they are now.
func (s *Server) funnelPage(v *visit) error {
	q := v.r.URL.Query()
	p := url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}}
	var r store.QuoteFunnel
	if err := v.call(http.MethodGet, withQuery("/api/v1/reports/quote-funnel", p), nil, &r); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		r.From, r.To = q.Get("from"), q.Get("to")
		return v.showStatus(ae.Status, v.page.Title, funnelView(r, ae), "uplot.min.css", "uplot.min.js")
	}
	return v.show(funnelView(r, nil), "uplot.min.css", "uplot.min.js")
}

func (s *Server) funnelCSV(v *visit) error {
	q := v.r.URL.Query()
	return v.download(withQuery("/api/v1/reports/quote-funnel", url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}, "format": {"csv"}}))
}

// funnelStages are the funnel's bars, in order.
func funnelChart(r store.QuoteFunnel) chart {
	return chart{Kind: "bar", Unit: "quotes", Integer: true,
		Labels: []string{"Created", "Needed approval", "Approved", "Accepted", "Rejected", "Expired", "Withdrawn", "Open"},
		Series: []chartSeries{{Label: "Quotes", Values: []int64{r.Created, r.NeedingApproval, r.Approved, r.Accepted, r.Rejected, r.Expired, r.Withdrawn, r.Open}}}}
}

// minutes shows a duration in minutes as "2 h 5 min" or "3 d 4 h".
func minutes(m *int64) string {
	if m == nil {
		return "–"
	}
	v := *m
	switch {
	case v < 60:
		return itoa(v) + " min"
	case v < 24*60:
		return itoa(v/60) + " h " + itoa(v%60) + " min"
	}
	return itoa(v/(24*60)) + " d " + itoa(v%(24*60)/60) + " h"
}
