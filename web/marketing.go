package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Marketing: build a segment from filters and see how many customers it
// selects (and how many consented) before saving it; export a segment's
// consenting customers; start, pause, resume and cancel campaigns and read
// their results.

type segmentView struct {
	models.Segment
	models.SegmentCount
	Members []models.SegmentMember `json:"members"`
}

var backorderFilterOptions = []option{{models.BackordersAny, "Any"}, {models.BackordersOpen, "Waiting on a backorder now"},
	{models.BackordersEver, "Had a backorder in the period"}, {models.BackordersNone, "Never had a backorder"}}

// segmentsPage lists saved segments and offers the builder.
func (s *Server) segmentsPage(v *visit) error { return v.showSegments(nil, nil) }

type segmentsData struct {
	Segments table
	Builder  *form
	Preview  *segmentView // after Preview: the count and the first members
	Members  table
}

func (v *visit) showSegments(formErr *apiError, preview *segmentView) error {
	var l struct{ Items []segmentView }
	if err := v.call(http.MethodGet, "/api/v1/segments", nil, &l); err != nil {
		return err
	}
	d := segmentsData{Segments: table{Caption: "Saved segments", Empty: "No segments yet.", Head: []string{"Segment", "Customers now", "Consented to marketing"}}}
	for _, seg := range l.Items {
		d.Segments.Rows = append(d.Segments.Rows, []templ.Component{link("/marketing/segments/"+seg.ID, seg.Name), text(itoa(seg.Customers)), text(itoa(seg.Consented))})
	}
	if v.s.mayUse(v.me, "POST /api/v1/segments") {
		f := v.segmentForm(formErr)
		d.Builder = &f
	}
	if preview != nil {
		d.Preview = preview
		d.Members = memberTable(preview.Members, "First customers by name", v.s.mayUse(v.me, "GET /api/v1/customers/:id"))
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, v.page.Title, segmentsView(d))
}

func memberTable(ms []models.SegmentMember, caption string, linked bool) table {
	t := table{Caption: caption, Empty: "No customer matches.", Head: []string{"Customer", "Region", "Segment", "Tier", "Marketing"}}
	for _, m := range ms {
		consent := "no consent"
		if m.Consented {
			consent = "consented"
		}
		name := text(m.Name)
		if linked {
			name = link("/customers/"+m.ID, m.Name)
		}
		t.Rows = append(t.Rows, []templ.Component{name, text(m.Region), text(m.Segment), text(strconv.Itoa(m.Tier)), text(consent)})
	}
	return t
}

// segmentForm is the builder: the filters, typed as a marketer thinks of
// them (lists comma-separated, spend in major units).
func (v *visit) segmentForm(formErr *apiError) form {
	val := func(k, d string) string {
		if v.r.Method == http.MethodPost {
			return v.r.PostFormValue(k)
		}
		return d
	}
	return form{Action: "/marketing/segments", Submit: "Save segment", CSRF: v.csrf, Key: randomToken(), Err: formErr, Fields: []field{
		{Name: "name", Label: "Name (to save it)", Value: val("name", "")},
		{Name: "regions", Label: "Regions (comma-separated, any when empty)", Value: val("regions", "")},
		{Name: "segments", Label: "Segments (comma-separated)", Value: val("segments", "")},
		{Name: "tiers", Label: "Tiers (comma-separated, 1 is the most important)", Value: val("tiers", "")},
		{Name: "ordered_within_days", Label: "Ordered within the last … days", Type: "number", Min: "0", Value: val("ordered_within_days", "")},
		{Name: "not_ordered_for_days", Label: "No order for the last … days (lapsed)", Type: "number", Min: "0", Value: val("not_ordered_for_days", "")},
		{Name: "min_orders", Label: "At least … orders in the period", Type: "number", Min: "0", Value: val("min_orders", "")},
		{Name: "min_spend", Label: "Spent at least (major units) in the period", Type: "money", Value: val("min_spend", "")},
		{Name: "currency", Label: "Currency of that spend", Value: val("currency", "USD")},
		{Name: "period_days", Label: "Period in days (365 when empty)", Type: "number", Min: "0", Value: val("period_days", "")},
		{Name: "backorders", Label: "Backorders", Type: "select", Options: backorderFilterOptions, Value: val("backorders", "")},
	}}
}

// postedFilter reads the builder; a box that is not a number is a field
// error like the API's.
func (v *visit) postedFilter() (models.SegmentFilter, *apiError) {
	f := v.r.PostFormValue
	var out models.SegmentFilter
	var errs []models.FieldError
	list := func(s string) []string {
		var xs []string
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				xs = append(xs, x)
			}
		}
		return xs
	}
	out.Regions, out.Segments = list(f("regions")), list(f("segments"))
	for _, t := range list(f("tiers")) {
		n, err := strconv.Atoi(t)
		if err != nil {
			errs = append(errs, models.FieldError{Field: "tiers", Message: fmt.Sprintf("%q is not a tier number", t)})
		}
		out.Tiers = append(out.Tiers, n)
	}
	num := func(name string, dst *int) {
		if s := strings.TrimSpace(f(name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, models.FieldError{Field: name, Message: "must be a whole number"})
			}
			*dst = n
		}
	}
	num("ordered_within_days", &out.OrderedWithinDays)
	num("not_ordered_for_days", &out.NotOrderedForDays)
	num("min_orders", &out.MinOrders)
	num("period_days", &out.PeriodDays)
	if s := strings.TrimSpace(f("min_spend")); s != "" {
		out.Currency = models.Currency(strings.ToUpper(strings.TrimSpace(f("currency"))))
		amount, err := models.ParseMoney(s, out.Currency)
		if err != nil {
			errs = append(errs, models.FieldError{Field: "min_spend", Message: err.Error()})
		}
		out.MinSpend = amount
	}
	out.Backorders = f("backorders")
	if len(errs) > 0 {
		return out, &apiError{Status: http.StatusUnprocessableEntity, Title: "Check the filters", Errors: errs}
	}
	return out, nil
}

// listFields names list errors by their box: "tiers[1]" is the tiers box.
func listFields(ae *apiError) *apiError {
	if ae == nil {
		return nil
	}
	for i, e := range ae.Errors {
		if base, _, ok := strings.Cut(e.Field, "["); ok {
			ae.Errors[i].Field = base
		}
		if name, ok := strings.CutPrefix(e.Field, "filters."); ok {
			ae.Errors[i].Field = name
		}
	}
	return ae
}

func (s *Server) previewSegment(v *visit) error {
	f, ae := v.postedFilter()
	if ae != nil {
		return v.showSegments(ae, nil)
	}
	var p segmentView
	err := v.call(http.MethodPost, "/api/v1/segments/preview", f, &p)
	switch ae := refusal(err); {
	case ae != nil:
		return v.showSegments(listFields(ae), nil)
	case err != nil:
		return err
	}
	return v.showSegments(nil, &p)
}

func (s *Server) createSegment(v *visit) error {
	if v.r.PostFormValue("action") == "preview" {
		return s.previewSegment(v)
	}
	f, ae := v.postedFilter()
	if ae != nil {
		return v.showSegments(ae, nil)
	}
	var seg segmentView
	err := v.call(http.MethodPost, "/api/v1/segments", map[string]any{"name": v.r.PostFormValue("name"), "filters": f}, &seg)
	switch ae := refusal(err); {
	case ae != nil:
		return v.showSegments(listFields(ae), nil)
	case err != nil:
		return err
	}
	return v.redirectDone("/marketing/segments/"+seg.ID, doneSaved)
}

// segmentPage shows a segment counted now, its export and the campaign form.
func (s *Server) segmentPage(v *visit) error { return v.showSegment(nil) }

// describeFilter says a segment's filters in words.
func describeFilter(f models.SegmentFilter) []string {
	var out []string
	if len(f.Regions) > 0 {
		out = append(out, "region "+strings.Join(f.Regions, " or "))
	}
	if len(f.Segments) > 0 {
		out = append(out, "segment "+strings.Join(f.Segments, " or "))
	}
	if len(f.Tiers) > 0 {
		tiers := make([]string, len(f.Tiers))
		for i, t := range f.Tiers {
			tiers[i] = strconv.Itoa(t)
		}
		out = append(out, "tier "+strings.Join(tiers, " or "))
	}
	if f.OrderedWithinDays > 0 {
		out = append(out, fmt.Sprintf("ordered within the last %d days", f.OrderedWithinDays))
	}
	if f.NotOrderedForDays > 0 {
		out = append(out, fmt.Sprintf("no order for the last %d days", f.NotOrderedForDays))
	}
	if f.MinOrders > 0 {
		out = append(out, fmt.Sprintf("at least %d orders in %d days", f.MinOrders, f.Period()))
	}
	if f.MinSpend > 0 {
		out = append(out, fmt.Sprintf("spent at least %s in %d days", money(f.MinSpend, f.Currency), f.Period()))
	}
	if f.Backorders != "" {
		out = append(out, strings.ToLower(optionLabel(backorderFilterOptions, f.Backorders)))
	}
	if len(out) == 0 {
		return []string{"every customer"}
	}
	return out
}

type segmentData struct {
	Segment   segmentView
	Members   table
	CanExport bool
	Campaign  *form
}

func (v *visit) showSegment(formErr *apiError) error {
	id := v.r.PathValue("id")
	var seg segmentView
	if err := v.call(http.MethodGet, "/api/v1/segments/"+url.PathEscape(id), nil, &seg); err != nil {
		return err
	}
	d := segmentData{Segment: seg, Members: memberTable(seg.Members, "Customers by name (the first 50)", v.s.mayUse(v.me, "GET /api/v1/customers/:id")),
		CanExport: v.s.mayUse(v.me, "GET /api/v1/segments/:id/export")}
	if v.s.mayUse(v.me, "POST /api/v1/campaigns") {
		val := func(k, d string) string {
			if formErr != nil {
				return v.r.PostFormValue(k)
			}
			return d
		}
		d.Campaign = &form{Action: "/marketing/campaigns", Submit: "Start the campaign", CSRF: v.csrf, Key: randomToken(), Err: formErr, Fields: []field{
			{Name: "segment_id", Type: "hidden", Value: seg.ID},
			{Name: "name", Label: "Campaign name", Required: true, Value: val("name", "")},
			{Name: "headline", Label: "Headline (the email's subject)", Required: true, Value: val("headline", "")},
			{Name: "body", Label: "Message", Type: "textarea", Required: true, Value: val("body", "")},
			{Name: "per_minute", Label: "At most … messages a minute", Type: "number", Min: "1", Value: val("per_minute", "60"), Required: true},
		}}
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, "Segment: "+seg.Name, segmentDetailView(d))
}

func (s *Server) exportSegment(v *visit) error {
	return v.download("/api/v1/segments/" + url.PathEscape(v.r.PathValue("id")) + "/export")
}

func (s *Server) createCampaign(v *visit) error {
	f := v.r.PostFormValue
	per, _ := strconv.Atoi(strings.TrimSpace(f("per_minute"))) // not a number: 0, refused with the other fields
	var c models.Campaign
	err := v.call(http.MethodPost, "/api/v1/campaigns", map[string]any{"name": f("name"), "segment_id": f("segment_id"), "headline": f("headline"),
		"body": f("body"), "per_minute": per}, &c)
	switch ae := refusal(err); {
	case ae != nil:
		v.r.SetPathValue("id", f("segment_id"))
		return v.showSegment(ae)
	case err != nil:
		return err
	}
	return v.redirectDone("/marketing/campaigns/"+c.ID, doneSaved)
}

func (s *Server) campaignsPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.Campaign]
	if err := v.call(http.MethodGet, withQuery("/api/v1/campaigns", url.Values{"cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/marketing/campaigns", q, l.NextCursor)
	t := table{Caption: "Campaigns, newest first", Empty: "No campaigns yet: start one from a segment.", Head: []string{"Campaign", "Status", "Audience", "Sent", "Started"}}
	for _, c := range l.Items {
		t.Rows = append(t.Rows, []templ.Component{link("/marketing/campaigns/"+c.ID, c.Name), badge(c.Status), text(itoa(c.Audience)), text(itoa(c.Sent)), when(at(c.CreatedAt))})
	}
	return v.show(pagedTable(t, first, next))
}

type campaignData struct {
	Campaign campaignView
	CSRF     string
	Err      *apiError
	CanAct   bool
}

type campaignView struct {
	models.Campaign
	Results models.CampaignResults `json:"results"`
}

func (s *Server) campaignPage(v *visit) error { return v.showCampaign(nil) }

func (v *visit) showCampaign(formErr *apiError) error {
	var c campaignView
	if err := v.call(http.MethodGet, "/api/v1/campaigns/"+url.PathEscape(v.r.PathValue("id")), nil, &c); err != nil {
		return err
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, "Campaign: "+c.Name, campaignDetailView(campaignData{Campaign: c, CSRF: v.csrf, Err: formErr,
		CanAct: v.s.mayUse(v.me, "POST /api/v1/campaigns/:id/pause")}))
}

// campaignAction pauses, resumes or cancels a campaign.
func (s *Server) campaignAction(action string) func(v *visit) error {
	return func(v *visit) error {
		id := v.r.PathValue("id")
		err := v.call(http.MethodPost, "/api/v1/campaigns/"+url.PathEscape(id)+"/"+action, map[string]any{}, nil)
		switch ae := refusal(err); {
		case ae != nil:
			return v.showCampaign(ae)
		case err != nil:
			return err
		}
		return v.redirectDone("/marketing/campaigns/"+id, doneSaved)
	}
}
