package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
)

// stockCountsPage records a count or an adjustment and shows the SKU's
// history of them.
func (s *Server) stockCountsPage(v *visit) error { return v.showStockCounts(nil, nil) }

type stockCountsData struct {
	SKU     string
	Form    form
	Result  *models.StockAdjustment
	History []models.StockAdjustment
}

var (
	countModes   = []option{{"counted", "Counted on the shelf"}, {"adjust", "Adjust by (+ found, − damaged or lost)"}}
	countReasons = []option{{models.AdjustCycleCount, "Cycle count"}, {models.AdjustDamaged, "Damaged"}, {models.AdjustLost, "Lost"},
		{models.AdjustFound, "Found"}, {models.AdjustCorrection, "Correction"}}
)

func (v *visit) showStockCounts(formErr *apiError, res *models.StockAdjustment) error {
	products, err := v.productOptions()
	if err != nil {
		return err
	}
	warehouses, err := v.warehouseOptions()
	if err != nil {
		return err
	}
	sku := firstOf(v.r.PostFormValue("sku"), v.r.URL.Query().Get("sku"))
	val := func(k, d string) string {
		if formErr != nil {
			return v.r.PostFormValue(k)
		}
		return d
	}
	d := stockCountsData{SKU: sku, Result: res}
	d.Form = form{Action: "/stock/counts", Submit: "Record", CSRF: v.csrf, Key: randomToken(), Err: formErr, Fields: []field{
		{Name: "sku", Label: "Product", Type: "select", Options: products, Value: sku, Required: true},
		{Name: "warehouse", Label: "Warehouse", Type: "select", Options: warehouses, Value: val("warehouse", ""), Required: true},
		{Name: "mode", Label: "What you have", Type: "select", Options: countModes, Value: val("mode", "counted")},
		{Name: "qty", Label: "Units", Type: "number", Step: "1", Value: val("qty", ""), Required: true,
			Hint: "Counted: what is on the shelf. Adjust by: −2 for two damaged."},
		{Name: "reason", Label: "Reason", Type: "select", Options: countReasons, Value: val("reason", models.AdjustCycleCount)},
		{Name: "note", Label: "Note", Type: "textarea", Value: val("note", "")},
		{Name: "key", Label: "Count sheet", Value: val("key", ""), Hint: "Optional: its reference. The same reference entered again is the same count."},
	}}
	if sku != "" {
		var out struct {
			Counts []models.StockAdjustment `json:"counts"`
		}
		if err := v.call(http.MethodGet, "/api/v1/inventory/"+url.PathEscape(sku)+"/counts", nil, &out); err != nil && !notFound(err) {
			return err
		}
		d.History = out.Counts
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, v.page.Title, stockCountsView(d))
}

// unitsField names the page's one units box in the API's errors, which
// call it counted or adjust_by by mode.
func unitsField(ae *apiError) *apiError {
	for i, fe := range ae.Errors {
		if fe.Field == "counted" || fe.Field == "adjust_by" {
			ae.Errors[i].Field = "qty"
		}
	}
	return ae
}

// countStock posts a count or an adjustment.
func (s *Server) countStock(v *visit) error {
	f := v.r.PostFormValue
	sku := strings.TrimSpace(f("sku"))
	qty, perr := strconv.ParseInt(strings.TrimSpace(f("qty")), 10, 64)
	var fields []models.FieldError
	if sku == "" {
		fields = append(fields, models.FieldError{Field: "sku", Message: "is required"})
	}
	if perr != nil {
		fields = append(fields, models.FieldError{Field: "qty", Message: "must be a whole number of units"})
	}
	if len(fields) > 0 {
		return v.showStockCounts(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields", Errors: fields}, nil)
	}
	body := map[string]any{"key": firstOf(strings.TrimSpace(f("key")), "form:"+f(fieldKey)), "warehouse": f("warehouse"), "reason": f("reason"), "note": f("note")}
	if f("mode") == "adjust" {
		body["adjust_by"] = qty
	} else {
		body["counted"] = qty
	}
	var res models.StockAdjustment
	if err := v.call(http.MethodPost, "/api/v1/inventory/"+url.PathEscape(sku)+"/counts", body, &res); err != nil {
		if notFound(err) {
			err = noSuchProduct
		}
		if ae := refusal(err); ae != nil {
			return v.showStockCounts(unitsField(ae), nil)
		}
		return err
	}
	return v.showStockCounts(nil, &res)
}

func countTable(d stockCountsData) table {
	t := table{Caption: "Counts and adjustments of " + d.SKU + ", newest first", Empty: "None yet.",
		Head: []string{"When", "Warehouse", "Before", "After", "Reason", "Note", "By"}, Numeric: map[int]bool{2: true, 3: true}}
	for _, c := range d.History {
		t.Rows = append(t.Rows, []templ.Component{when(at(c.At)), text(c.Warehouse), text(itoa(c.Before)), text(itoa(c.After)),
			text(statusLabel(c.Reason)), text(c.Note), text(c.AdjustedBy)})
	}
	return t
}
