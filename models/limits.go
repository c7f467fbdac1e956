package models

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds on what q2c accepts. Each exists so that no accepted request can
// overflow an int64 sum or grow a workflow's history or state past what the
// Temporal server takes (2 MiB per payload, 50 MiB per history): a workflow
// that receives an input it cannot record fails its workflow task on every
// retry, and the sale it carries stops.
const (
	// MaxQty bounds the units on one line, shipment line, receipt or supply order.
	MaxQty = 1_000_000
	// MaxUnitPrice bounds a unit price in minor units (10^9: ten million in
	// a two-decimal currency), so MaxQty × MaxUnitPrice × lines fits an int64.
	MaxUnitPrice = 1_000_000_000
	// MaxAmount bounds any single amount in minor units, payments included.
	MaxAmount = 1_000_000_000_000
	// MaxLeadTimeDays bounds a product's supplier lead time: two years.
	MaxLeadTimeDays = 730

	// Free-text bounds, in characters.
	MaxCodeLen    = 64   // SKUs, warehouse codes, promotion codes, methods
	MaxNameLen    = 200  // names, carriers, tracking numbers, references, suppliers
	MaxCommentLen = 2000 // comments, reasons
	MaxNoteLen    = 4000 // notes
)

// Text checks a free-text field: present when required, at most max
// characters long, valid UTF-8 and free of control characters but tab and
// line breaks (Postgres refuses a NUL in text, and the rest print as
// nothing or garble a page, an email or a CSV).
func (v *Validator) Text(field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters", max)
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text")
	case strings.IndexFunc(s, controlChar) >= 0:
		v.Add(field, "must not contain control characters (only tab and line breaks)")
	}
}

// controlChar is a C0 or C1 control character or DEL, but tab, newline and
// carriage return.
func controlChar(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r < 0xa0)
}

// Qty checks a quantity: between 1 and MaxQty.
func (v *Validator) Qty(field string, q int64) {
	v.Check(q >= 1 && q <= MaxQty, field, fmt.Sprintf("must be between 1 and %d", MaxQty))
}

// Amount checks an amount in minor units: between min and MaxAmount.
func (v *Validator) Amount(field string, a, min int64) {
	v.Check(a >= min && a <= MaxAmount, field, fmt.Sprintf("must be between %d and %d minor units", min, MaxAmount))
}
