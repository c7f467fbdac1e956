package workflows

import "fmt"

// AuditDetail is what the audit trail keeps of each update a person makes
// (the API records it when the workflow accepts the update): enough to
// read what was asked, no free text beyond a stated reason or comment.

func (in DecisionInput) AuditDetail() string { return in.Comment }

func (in EditInput) AuditDetail() string {
	d := fmt.Sprintf("%d lines", len(in.Lines))
	if in.PromoCode != "" {
		d += ", promotion " + in.PromoCode
	}
	if in.ShipToID != "" {
		d += ", ship to " + in.ShipToID
	}
	return d
}

func (in AcceptInput) AuditDetail() string { return fmt.Sprintf("allow_partial=%v", in.AllowPartial) }

func (in CancelInput) AuditDetail() string { return in.Reason }

func (in ShipInput) AuditDetail() string {
	var units int64
	for _, l := range in.Lines {
		units += l.Qty
	}
	return fmt.Sprintf("%s on %s by %s %s", plural(units, "unit"), plural(int64(len(in.Lines)), "line"), in.Carrier, in.Tracking)
}

func (in PayInput) AuditDetail() string {
	return fmt.Sprintf("%d minor units on %s, reference %s", in.Amount, in.InvoiceID, in.Reference)
}

func (in CreditInput) AuditDetail() string {
	return fmt.Sprintf("%s on %s: %d minor units (%s)", in.Kind, in.InvoiceID, in.Amount, in.Reason)
}

// plural is n with its noun, an s added unless there is one.
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
