package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/store"
)

// kpiTrendsPage shows every KPI per period against the previous range,
// from the daily snapshots (a few hundred rows, whatever the volume).
func (s *Server) kpiTrendsPage(v *visit) error { return v.showKPITrends(nil) }

func (v *visit) showKPITrends(formErr *apiError) error {
	q := v.r.URL.Query()
	p := url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}, "granularity": {q.Get("granularity")}}
	if p.Get("from") == "" && p.Get("to") == "" {
		// By default the last 12 weeks, by week.
		now := time.Now()
		p.Set("from", now.AddDate(0, 0, -83).Format(time.DateOnly))
		p.Set("to", now.Format(time.DateOnly))
	}
	var r store.KPITrends
	d := kpiTrendsData{Params: p, CSRF: v.csrf, Backfill: v.s.mayUse(v.me, "POST /api/v1/reports/kpis/backfill"), FormErr: formErr}
	if err := v.call(http.MethodGet, withQuery("/api/v1/reports/kpis", p), nil, &r); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		d.Err = ae
		return v.showStatus(ae.Status, v.page.Title, kpiTrendsView(d), "uplot.min.css", "uplot.min.js")
	}
	d.R = r
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, v.page.Title, kpiTrendsView(d), "uplot.min.css", "uplot.min.js")
}

func (s *Server) kpiTrendsCSV(v *visit) error {
	q := v.r.URL.Query()
	return v.download(withQuery("/api/v1/reports/kpis", url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}, "granularity": {q.Get("granularity")}, "format": {"csv"}}))
}

// kpiBackfill asks for the snapshots of past days.
func (s *Server) kpiBackfill(v *visit) error {
	body := map[string]any{"from": v.r.PostFormValue("from"), "to": v.r.PostFormValue("to")}
	// The API answers 202: the back-fill runs in the background, which is
	// what the page says.
	if err := v.call(http.MethodPost, "/api/v1/reports/kpis/backfill", body, nil); err != nil && !errors.Is(err, errPending) {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showKPITrends(ae)
	}
	return v.redirectDone("/reports/kpis", doneStarted)
}

type kpiTrendsData struct {
	R        store.KPITrends
	Params   url.Values
	Err      *apiError // the report's
	FormErr  *apiError // the back-fill form's
	CSRF     string
	Backfill bool
}

func (d kpiTrendsData) backfillForm() form {
	return form{Action: "/reports/kpis/backfill", Submit: "Take snapshots", CSRF: d.CSRF, Key: randomToken(), Err: d.FormErr, Prefix: "bf-",
		Fields: []field{{Name: "from", Label: "From", Type: "date", Required: true}, {Name: "to", Label: "To", Type: "date", Required: true}}}
}

// kpiValue shows a KPI value in its unit.
func kpiValue(sr store.KPISeries, v *int64) string {
	if v == nil {
		return "–"
	}
	switch sr.Unit {
	case "money":
		return money(*v, sr.Currency)
	case "bp":
		return marginPct(v)
	}
	return signedTenths(*v) + " days"
}

// kpiChange says how a KPI moved and whether that is good.
func kpiChange(sr store.KPISeries) (string, string) {
	if sr.Change == nil {
		return "no earlier figure", "muted"
	}
	c := *sr.Change
	if c == 0 {
		return "no change", "muted"
	}
	good := (c > 0) == sr.HigherIsBetter
	cls := "bad"
	if good {
		cls = "good"
	}
	arrow, abs := "▲ ", c
	if c < 0 {
		arrow, abs = "▼ ", -c
	}
	switch sr.Unit {
	case "money":
		return arrow + money(abs, sr.Currency), cls
	case "bp":
		return arrow + basisPoints(abs) + " points", cls
	}
	return arrow + tenths(abs) + " days", cls
}

// rateChart plots the rates per period in whole percent.
func rateChart(r store.KPITrends) chart {
	c := chart{Kind: "line", Unit: "%", Labels: []string{}, Series: []chartSeries{}}
	for _, p := range r.Periods {
		c.Labels = append(c.Labels, p.Label)
	}
	for _, sr := range r.Series {
		if sr.Unit != "bp" {
			continue
		}
		s := chartSeries{Label: sr.Label}
		for _, v := range sr.Periods {
			var x int64
			if v != nil {
				x = *v / 100
			}
			s.Values, s.Gaps = append(s.Values, x), append(s.Gaps, v == nil)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// moneyChart plots revenue and bookings of one currency per period.
func moneyChart(r store.KPITrends) chart {
	c := chart{Kind: "bar", Labels: []string{}, Series: []chartSeries{}}
	for _, p := range r.Periods {
		c.Labels = append(c.Labels, p.Label)
	}
	for _, sr := range r.Series {
		if sr.Kind != store.KPIFlow || (c.Unit != "" && c.Unit != string(sr.Currency)) {
			continue
		}
		c.Unit = string(sr.Currency)
		s := chartSeries{Label: sr.Label}
		for _, v := range sr.Periods {
			var x int64
			if v != nil {
				x = *v / pow10(sr.Currency.Exponent())
			}
			s.Values, s.Gaps = append(s.Values, x), append(s.Gaps, v == nil)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func kpiTable(r store.KPITrends) table {
	t := table{Caption: "Every KPI by " + r.Granularity, Empty: "No snapshot in this range yet.", Head: []string{"KPI"}, Numeric: map[int]bool{}}
	for i, p := range r.Periods {
		t.Head = append(t.Head, p.Label)
		t.Numeric[i+1] = true
	}
	for _, sr := range r.Series {
		row := []templ.Component{text(seriesLabel(sr))}
		for _, v := range sr.Periods {
			row = append(row, text(kpiValue(sr, v)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func kpiChangeText(sr store.KPISeries) string { t, _ := kpiChange(sr); return t }

func kpiChangeClass(sr store.KPISeries) string { _, c := kpiChange(sr); return c }

// snapshotNote says how many days of the range have a snapshot.
func snapshotNote(r store.KPITrends) string {
	n := "From the daily snapshots: " + itoa(int64(r.Days)) + " of " + itoa(int64(r.DaysInRange)) + " days taken"
	if r.LastSnapshot != "" {
		n += ", the last on " + r.LastSnapshot
	}
	return n + "; compared with " + r.PreviousFrom + " to " + r.PreviousTo + ". Days count in " + r.TimeZone + "."
}

// seriesLabel names a series with its currency, if any.
func seriesLabel(sr store.KPISeries) string {
	if sr.Currency != "" {
		return sr.Label + ", " + string(sr.Currency)
	}
	return sr.Label
}
