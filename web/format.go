package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// money formats minor units in their currency ("USD 1,234.50"): integer
// arithmetic only, the currency's own number of decimals.
func money(amount int64, cur models.Currency) string { return models.NewMoney(amount, cur).Display() }

// moneyInput is minor units as a form shows them for editing ("1234.50").
func moneyInput(amount int64, cur models.Currency) string {
	s := models.NewMoney(amount, cur).String()
	_, num, _ := strings.Cut(s, " ")
	return num
}

// timeValue is an instant to show, with how: "datetime" or "date".
type timeValue struct {
	T     time.Time
	Style string
}

func at(t time.Time) timeValue { return timeValue{T: t, Style: "datetime"} }

func day(t time.Time) timeValue { return timeValue{T: t, Style: "date"} }

func atPtr(t *time.Time) timeValue {
	if t == nil {
		return timeValue{}
	}
	return day(*t)
}

func (t timeValue) IsZero() bool    { return t.T.IsZero() }
func (t timeValue) RFC3339() string { return t.T.UTC().Format(time.RFC3339) }

// UTC is the text shown before the browser localises it.
func (t timeValue) UTC() string {
	if t.Style == "date" {
		return t.T.UTC().Format("2 Jan 2006")
	}
	return t.T.UTC().Format("2 Jan 2006 15:04 UTC")
}

// statusLabel turns a status code into words ("pending_approval" → "Pending approval").
func statusLabel(s string) string { return sentenceCase(strings.ReplaceAll(s, "_", " ")) }

// sentenceCase starts s with a capital, as a label begins a sentence.
func sentenceCase(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// lineField splits an API field about one of a request's lines
// ("lines[1].qty") into the line's place in the request (1) and the field
// of that line ("qty").
func lineField(name string) (k int, field string, ok bool) {
	rest, ok := strings.CutPrefix(name, "lines[")
	if !ok {
		return 0, "", false
	}
	n, tail, _ := strings.Cut(rest, "]")
	k, err := strconv.Atoi(n)
	return k, strings.TrimPrefix(tail, "."), err == nil && k >= 0
}

// fieldLabel names an API field for people ("lines[0].qty" → "line 1 quantity").
func fieldLabel(name string) string {
	if n, ok := strings.CutPrefix(name, "ship_"); ok { // a shipment's box (web/orders.go onShipBoxes)
		return "line " + n + " quantity"
	}
	if k, field, ok := lineField(name); ok {
		return "line " + strconv.Itoa(k+1) + " " + fieldLabel(field)
	}
	if l, ok := fieldWords[name]; ok {
		return l
	}
	return strings.ReplaceAll(name, "_", " ")
}

// labelOr is a field's label on its form, or its API name in words.
func labelOr(labels map[string]string, field string) string {
	if l, ok := labels[field]; ok && l != "" {
		return l
	}
	return fieldLabel(field)
}

// fieldWords name the API fields whose names are abbreviations.
var fieldWords = map[string]string{"qty": "quantity", "sku": "product", "line_no": "line number", "unit_price": "unit price"}

func fieldMsg(err *apiError, name string) string {
	if err == nil {
		return ""
	}
	return err.Field(name)
}

func invalid(err *apiError, name string) string {
	if fieldMsg(err, name) != "" {
		return "true"
	}
	return "false"
}

func describedBy(fl field, err *apiError) string {
	var ids []string
	if fl.Hint != "" {
		ids = append(ids, fl.Prefix+"h-"+fl.Name)
	}
	if fieldMsg(err, fl.errKey()) != "" {
		ids = append(ids, fl.Prefix+"e-"+fl.Name)
	}
	return strings.Join(ids, " ")
}

func inputType(t string) string {
	switch t {
	case "", "money":
		return "text"
	}
	return t
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// withQuery returns path with q's non-empty values, for filter links.
func withQuery(path string, q url.Values) string {
	clean := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				clean.Add(k, v)
			}
		}
	}
	if len(clean) == 0 {
		return path
	}
	return path + "?" + clean.Encode()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// selectOrText is a select when there are options to choose from.
func selectOrText(opts []option) string {
	if len(opts) == 0 {
		return "text"
	}
	return "select"
}

func withPrefix(fl field, prefix string) field {
	if fl.Prefix == "" {
		fl.Prefix = prefix
	}
	return fl
}

func currency(c string) models.Currency { return models.Currency(c) }

// fieldAnchor is the id of the input an API field error is about: a
// quote's "lines[0].qty" is line 1's quantity box.
func fieldAnchor(prefix, name string) string {
	if k, field, ok := lineField(name); ok {
		return "l" + strconv.Itoa(k+1) + "-f-" + field
	}
	return prefix + "f-" + name
}

// detailSuffix is a timeline entry's detail after its stage: ": why", or
// nothing.
func detailSuffix(d string) string {
	if d == "" {
		return ""
	}
	return ": " + d
}

// count is n with its noun: "1 invoice", "3 invoices".
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return models.Grouped(n) + " " + many
}

func fieldCount(n int) string {
	if n == 1 {
		return "this field"
	}
	return "these " + strconv.Itoa(n) + " fields"
}

// names turns customer ids into names for staff lists; nil for a customer,
// whose lists have no customer column.
type names map[string]string

func (n names) of(id string) string {
	if name, ok := n[id]; ok {
		return name
	}
	return id
}

// optionNames maps a choice list's values to their labels.
func optionNames(opts []option) names {
	n := names{}
	for _, o := range opts {
		n[o.Value] = o.Label
	}
	return n
}

// eventLabel names a notification event for people.
func eventLabel(e string) string {
	return strings.Replace(statusLabel(e), "Eta", "ETA", 1)
}

// firstOf is the first non-empty value.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// joinComma lists values as "a, b and c".
func joinComma(vs []string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
}
