package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/q2c-dev/q2c/store"
)

// arAgingPage shows receivables by days past due on a chosen day, with a
// chart per currency and the CSV download.
func (s *Server) arAgingPage(v *visit) error {
	asOf := v.r.URL.Query().Get("as_of")
	var r store.ARAging
	if err := v.call(http.MethodGet, withQuery("/api/v1/reports/ar-aging", url.Values{"as_of": {asOf}}), nil, &r); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showStatus(ae.Status, v.page.Title, arAgingView(r, asOf, ae), "uplot.min.css", "uplot.min.js")
	}
	return v.show(arAgingView(r, r.AsOf, nil), "uplot.min.css", "uplot.min.js")
}

func (s *Server) arAgingCSV(v *visit) error {
	return v.download(withQuery("/api/v1/reports/ar-aging", url.Values{"as_of": {v.r.URL.Query().Get("as_of")}, "format": {"csv"}}))
}

// agingBuckets are the aging columns, in order.
var agingBuckets = []string{"Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"}

func agingValues(a store.AgingRow) []int64 {
	return []int64{a.Current, a.Days1to30, a.Days31to60, a.Days61to90, a.Over90}
}

// agingChart plots each currency's total per bucket in whole major units
// (a chart's axis; the table has the exact amounts).
func agingChart(r store.ARAging) chart {
	c := chart{Kind: "bar", Unit: "owed", Labels: agingBuckets, Series: []chartSeries{}}
	for _, t := range r.Totals {
		s := chartSeries{Label: string(t.Currency)}
		for _, v := range agingValues(t) {
			s.Values = append(s.Values, v/pow10(t.Currency.Exponent()))
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func (s *Server) collectionsPage(v *visit) error {
	q := v.r.URL.Query()
	var r store.CollectionsReport
	if err := v.call(http.MethodGet, withQuery("/api/v1/reports/collections", url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}}), nil, &r); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		r.From, r.To = q.Get("from"), q.Get("to")
		return v.showStatus(ae.Status, v.page.Title, collectionsView(r, ae))
	}
	return v.show(collectionsView(r, nil))
}

func (s *Server) collectionsCSV(v *visit) error {
	q := v.r.URL.Query()
	return v.download(withQuery("/api/v1/reports/collections", url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}, "format": {"csv"}}))
}

// optionalDays shows tenths of a day as "27.6 days", or a dash when there
// is no figure (nothing invoiced, nothing paid).
func optionalDays(v *int64) string {
	if v == nil {
		return "–"
	}
	return tenths(*v) + " days"
}

// tenths shows 2756 as "275.6".
func tenths(v int64) string { return itoa(v/10) + "." + itoa(v%10) }

// slippagePage shows supplier slippage by month; by default the last twelve
// months.
func (s *Server) slippagePage(v *visit) error {
	q := v.r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" && to == "" {
		now := time.Now()
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0).Format(time.DateOnly)
	}
	var r store.SlippageReport
	if err := v.call(http.MethodGet, withQuery("/api/v1/reports/supplier-slippage", url.Values{"from": {from}, "to": {to}}), nil, &r); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		r.From, r.To = from, to
		return v.showStatus(ae.Status, v.page.Title, slippageView(r, ae), "uplot.min.css", "uplot.min.js")
	}
	return v.show(slippageView(r, nil), "uplot.min.css", "uplot.min.js")
}

func (s *Server) slippageCSV(v *visit) error {
	q := v.r.URL.Query()
	return v.download(withQuery("/api/v1/reports/supplier-slippage", url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}, "format": {"csv"}}))
}

// signedTenths shows −15 as "−1.5".
func signedTenths(v int64) string {
	if v < 0 {
		return "−" + tenths(-v)
	}
	return tenths(v)
}

// slippageChart plots each supplier's late deliveries per month.
func slippageChart(r store.SlippageReport) chart {
	c := chart{Kind: "bar", Unit: "late deliveries", Integer: true, Labels: []string{}, Series: []chartSeries{}}
	months, suppliers := []string{}, []string{}
	for _, x := range r.Rows {
		if !slices.Contains(months, x.Month) {
			months = append(months, x.Month)
		}
		if !slices.Contains(suppliers, x.Supplier) {
			suppliers = append(suppliers, x.Supplier)
		}
	}
	slices.Sort(months)
	c.Labels = months
	for _, sup := range suppliers {
		s := chartSeries{Label: sup, Values: make([]int64, len(months))}
		for _, x := range r.Rows {
			if x.Supplier == sup {
				s.Values[slices.Index(months, x.Month)] = x.Late
			}
		}
		c.Series = append(c.Series, s)
	}
	return c
}
