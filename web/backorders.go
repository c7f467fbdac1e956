package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// backorderFilters are the dashboard's query parameters, named as the API
// names them, so the page passes them through unchanged.
var backorderFilters = []string{"status", "tier", "sku", "customer_id", "region", "eta_from", "eta_to", "min_age_days", "max_age_days", "overdue", "sort", "limit"}

// waitingBackorders is the dashboard's default: what still waits for stock.
const waitingBackorders = models.BackorderOpen + "," + models.BackorderPartiallyFilled

// anyStatus is the page's word for "no status filter" (an empty value
// would read as "not chosen", which means waiting).
const anyStatus = "any"

// refreshEvery is how often an open dashboard asks for news.
const refreshEvery = "3s"

type backorderRow struct {
	models.Backorder
	Waiting int64 `json:"waiting"`
	Overdue bool  `json:"overdue"`
	AgeDays int   `json:"age_days"`
}

type dashboard struct {
	Rows        []backorderRow
	Query       url.Values
	Self        string // this view's address, for the refresh
	First, Next string
	Err         *apiError
	AsOf        time.Time
	Customer    bool // a customer sees their own: no customer, tier or region filters
}

// backordersPage is the dashboard. Opened by htmx's refresh it answers
// only the table, so the page follows stock as it arrives without a reload.
func (s *Server) backordersPage(v *visit) error {
	q := v.r.URL.Query()
	if !q.Has("status") {
		q.Set("status", waitingBackorders) // what a dashboard is for, unless asked otherwise
	}
	keep := url.Values{}
	for _, k := range backorderFilters {
		if q.Has(k) {
			keep.Set(k, q.Get(k))
		}
	}
	api := url.Values{}
	for k, vs := range keep {
		api[k] = vs
	}
	if api.Get("status") == anyStatus {
		api.Del("status")
	}
	api.Set("cursor", q.Get("cursor"))
	d := dashboard{Query: keep, AsOf: time.Now(), Customer: v.me.IsCustomer()}
	var l store.List[backorderRow]
	if err := v.call(http.MethodGet, withQuery("/api/v1/backorders", api), nil, &l); err != nil {
		if d.Err = refusal(err); d.Err == nil {
			return err
		}
	}
	d.Rows = l.Items
	self := url.Values{"cursor": {q.Get("cursor")}}
	for k, vs := range keep {
		self[k] = vs
	}
	d.Self = withQuery("/backorders", self)
	d.First, d.Next = pages("/backorders", q, l.NextCursor, backorderFilters...)
	if v.r.Header.Get("HX-Request") == "true" && v.r.Header.Get("HX-Target") == "bo-live" {
		return v.partial(dashboardTable(d))
	}
	status := http.StatusOK
	if d.Err != nil {
		status = d.Err.Status
	}
	return v.showStatus(status, v.page.Title, dashboardView(d))
}

type backorderDetail struct {
	backorderRow
	History []models.BackorderEvent `json:"history"`
}

func (s *Server) backorderPage(v *visit) error { return v.showBackorder(nil) }

func (v *visit) showBackorder(err *apiError) error {
	var b backorderDetail
	if e := v.call(http.MethodGet, "/api/v1/backorders/"+url.PathEscape(v.r.PathValue("id")), nil, &b); e != nil {
		return e
	}
	note := form{Action: "/backorders/" + b.ID + "/notes", Submit: "Add note", CSRF: v.csrf, Key: randomToken(), Err: err,
		Fields: []field{{Name: "text", Label: "Note or update", Type: "textarea", Required: true}}}
	status := http.StatusOK
	if err != nil {
		status = err.Status
		note.Fields[0].Value = v.r.PostFormValue("text")
	}
	canNote := v.s.mayUse(v.me, "POST /api/v1/backorders/:id/notes")
	return v.showStatus(status, "Backorder "+b.SKU+" for "+b.OrderID, backorderView(b, note, canNote))
}

func (s *Server) addNote(v *visit) error {
	id := v.r.PathValue("id")
	if err := v.call(http.MethodPost, "/api/v1/backorders/"+url.PathEscape(id)+"/notes", map[string]any{"text": v.r.PostFormValue("text")}, nil); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showBackorder(ae)
	}
	return v.redirectDone("/backorders/"+id, doneSaved)
}

type kpis struct {
	AsOf            time.Time                  `json:"as_of"`
	LineFillRate    float64                    `json:"line_fill_rate"`
	FulfillmentRate float64                    `json:"backorder_fulfillment_rate"`
	Open            store.Bucket               `json:"open"`
	Overdue         store.Bucket               `json:"overdue"`
	Aging           []store.Bucket             `json:"aging"`
	AvgDaysToFill   float64                    `json:"avg_days_to_fill"`
	Filled          int64                      `json:"filled"`
	ByExpectedWeek  []store.Bucket             `json:"value_by_expected_week"`
	BySKU           []store.Bucket             `json:"bottlenecks_by_sku"`
	BySupplier      []store.SupplierBottleneck `json:"bottlenecks_by_supplier"`
	ETAAccuracy     float64                    `json:"eta_accuracy"`
	AvgDaysLateFill float64                    `json:"avg_days_late_when_late"`
}

func (s *Server) kpisPage(v *visit) error {
	var k kpis
	if err := v.call(http.MethodGet, "/api/v1/backorders/kpis", nil, &k); err != nil {
		return err
	}
	return v.show(kpisView(k), "uplot.min.css", "uplot.min.js")
}

// chart is what app.js hands to uPlot.
type chart struct {
	Kind   string        `json:"kind"`
	Labels []string      `json:"labels"`
	Series []chartSeries `json:"series"`
	Unit   string        `json:"unit"`
	// Integer keeps the value axis on whole numbers (counts).
	Integer bool `json:"integer,omitempty"`
}

type chartSeries struct {
	Label  string  `json:"label"`
	Values []int64 `json:"values"`
	// Gaps marks the points with nothing to measure (no order shipped that
	// week): drawn as a gap, not as zero.
	Gaps []bool `json:"gaps,omitempty"`
	// One is the label for a value of 1, when the label is a plural noun.
	One string `json:"-"`
}

func (s chartSeries) gap(i int) bool { return i < len(s.Gaps) && s.Gaps[i] }

func (c chart) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// valueChart plots buckets' value, one series per currency, in whole major
// units (a chart's axis, not an amount anyone is billed).
func valueChart(bs []store.Bucket) chart {
	c := chart{Kind: "bar", Unit: "value", Labels: []string{}, Series: []chartSeries{}}
	var curs []models.Currency
	for _, b := range bs {
		c.Labels = append(c.Labels, b.Key)
		for _, a := range b.Value {
			if !containsCurrency(curs, a.Currency) {
				curs = append(curs, a.Currency)
			}
		}
	}
	for _, cur := range curs {
		s := chartSeries{Label: string(cur)}
		for _, b := range bs {
			var v int64
			for _, a := range b.Value {
				if a.Currency == cur {
					v = a.Amount / pow10(cur.Exponent())
				}
			}
			s.Values = append(s.Values, v)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func countChart(bs []store.Bucket, unit, one string) chart {
	c := chart{Kind: "bar", Unit: unit, Labels: []string{}, Integer: true}
	s := chartSeries{Label: unit, One: one, Values: []int64{}}
	for _, b := range bs {
		c.Labels = append(c.Labels, b.Key)
		s.Values = append(s.Values, b.Count)
	}
	c.Series = []chartSeries{s}
	return c
}

// ratesChart shows the rates in whole percent (the tiles give one decimal).
func ratesChart(k kpis) chart {
	pct := func(f float64) int64 { return int64(f*100 + 0.5) }
	return chart{Kind: "bar", Unit: "%", Integer: true, Labels: []string{"Line fill rate", "Backorder fulfilment", "ETA accuracy"},
		Series: []chartSeries{{Label: "percent", Values: []int64{pct(k.LineFillRate), pct(k.FulfillmentRate), pct(k.ETAAccuracy)}}}}
}

func containsCurrency(cs []models.Currency, c models.Currency) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
