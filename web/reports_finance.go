package web

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/store"
)

// cashPage forecasts receipts by week, with the customers' unused credit.
func (s *Server) cashPage(v *visit) error {
	weeks := v.r.URL.Query().Get("weeks")
	var (
		r       store.CashForecastReport
		credits struct {
			Credits []store.CreditRow `json:"credits"`
		}
	)
	err := v.call(http.MethodGet, withQuery("/api/v1/reports/cash-forecast", url.Values{"weeks": {weeks}}), nil, &r)
	if err == nil {
		err = v.call(http.MethodGet, "/api/v1/reports/credits", nil, &credits)
	}
	if err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showStatus(ae.Status, v.page.Title, cashView(r, nil, weeks, ae), "uplot.min.css", "uplot.min.js")
	}
	return v.show(cashView(r, credits.Credits, weeks, nil), "uplot.min.css", "uplot.min.js")
}

func (s *Server) creditsCSV(v *visit) error {
	return v.download("/api/v1/reports/credits?format=csv")
}

func (s *Server) cashCSV(v *visit) error {
	return v.download(withQuery("/api/v1/reports/cash-forecast", url.Values{"weeks": {v.r.URL.Query().Get("weeks")}, "format": {"csv"}}))
}

// cashChart plots each week's invoices and backorders of one currency in
// whole major units.
func cashChart(f store.CashForecast) chart {
	c := chart{Kind: "bar", Unit: "expected, " + string(f.Currency), Labels: []string{}, Series: []chartSeries{{Label: "Open invoices"}, {Label: "Backorders"}}}
	d := pow10(f.Currency.Exponent())
	for _, w := range f.Weeks {
		c.Labels = append(c.Labels, w.Label)
		c.Series[0].Values = append(c.Series[0].Values, w.Invoices/d)
		c.Series[1].Values = append(c.Series[1].Values, w.Backorders/d)
	}
	return c
}

func cashTable(f store.CashForecast) table {
	t := table{Caption: "Expected in " + string(f.Currency) + " by week", Head: []string{"Week", "Starts", "Open invoices", "Backorders", "Total"},
		Numeric: map[int]bool{2: true, 3: true, 4: true}}
	m := func(v int64) templ.Component { return text(money(v, f.Currency)) }
	t.Rows = append(t.Rows, []templ.Component{text("Overdue"), text("before " + f.Weeks[0].Start), m(f.Overdue), text(""), m(f.Overdue)})
	for _, w := range f.Weeks {
		t.Rows = append(t.Rows, []templ.Component{text(w.Label), text(w.Start), m(w.Invoices), m(w.Backorders), m(w.Total)})
	}
	t.Rows = append(t.Rows, []templ.Component{text("Later"), text(""), text(""), text(""), m(f.Later)},
		[]templ.Component{text("Total"), text(""), text(""), text(""), m(f.Total)})
	return t
}

func creditsTable(rows []store.CreditRow) table {
	t := table{Caption: "Unused customer credit", Empty: "No customer has unused credit.", Head: []string{"Customer", "Credit"}, Numeric: map[int]bool{1: true}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []templ.Component{text(r.CustomerName), text(money(r.Credit, r.Currency))})
	}
	return t
}
