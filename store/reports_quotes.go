package store

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
)

// Quote statuses the funnel counts. The quote workflow names them and the
// store cannot import it; activities' tests hold the two equal.
const (
	QuoteStatusRejected  = "rejected"
	QuoteStatusExpired   = "expired"
	QuoteStatusWithdrawn = "withdrawn"
	QuoteStatusInvalid   = "invalid"
)

// QuoteFunnel follows the quotes created in a range to where they are now.
type QuoteFunnel struct {
	From     string `json:"from"`
	To       string `json:"to"`
	TimeZone string `json:"time_zone"`
	Created  int64  `json:"created"`
	// NeedingApproval needed an approver; Approved of them got one (at any
	// level); Rejected were refused.
	NeedingApproval int64 `json:"needing_approval"`
	Approved        int64 `json:"approved"`
	Rejected        int64 `json:"rejected"`
	Accepted        int64 `json:"accepted"` // became an order
	Expired         int64 `json:"expired"`
	Withdrawn       int64 `json:"withdrawn"`
	Invalid         int64 `json:"invalid"`
	Open            int64 `json:"open"` // still waiting for approval or acceptance
	// Decided reached an outcome: accepted, rejected, expired or withdrawn.
	// Open quotes have not had their chance yet and invalid ones were never
	// a price, so neither counts.
	Decided int64 `json:"decided"`
	// ConversionBP is Accepted ÷ Decided in basis points (the standard
	// quote conversion); absent when nothing was decided.
	ConversionBP *int64 `json:"conversion_bp,omitempty"`
	// Medians in minutes: from creation to the approval, over quotes that
	// needed one and got it; from creation to the order, over accepted ones.
	MedianApproveMinutes *int64 `json:"median_approve_minutes,omitempty"`
	MedianToOrderMinutes *int64 `json:"median_to_order_minutes,omitempty"`
	// AcceptedValue is the total of accepted quotes, per currency.
	AcceptedValue []models.Money `json:"accepted_value"`
	// OwnAccounts: the figures cover only the accounts of the rep asking.
	OwnAccounts bool `json:"own_accounts"`
}

// QuoteFunnel reads the quotes created from the start of day from to the
// end of day to (days in the report time zone); repID limits it to that
// rep's accounts.
func (s *Store) QuoteFunnel(ctx context.Context, from, to time.Time, repID string) (QuoteFunnel, error) {
	from, to = calendar.Date(from), calendar.Date(to)
	out := QuoteFunnel{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), TimeZone: s.loc.String(), AcceptedValue: []models.Money{}, OwnAccounts: repID != ""}
	q := s.conn(ctx).Table("quotes").Select("status, needs_approval, approved_at, accepted_at, created_at, currency, total").
		Where("created_at >= ? AND created_at < ?", s.dayStart(from), s.dayStart(to.AddDate(0, 0, 1)))
	if repID != "" {
		q = q.Where("customer_id IN (SELECT id FROM customers WHERE owner_id = ?)", repID)
	}
	var rows []struct {
		Status        string
		NeedsApproval bool
		ApprovedAt    *time.Time
		AcceptedAt    *time.Time
		CreatedAt     time.Time
		Currency      models.Currency
		Total         int64
	}
	if err := q.Order("created_at").Scan(&rows).Error; err != nil {
		return out, err
	}
	var toApprove, toOrder []int64
	value := map[models.Currency]int64{}
	for _, r := range rows {
		out.Created++
		if r.NeedsApproval {
			out.NeedingApproval++
			if r.ApprovedAt != nil {
				out.Approved++
				toApprove = append(toApprove, int64(r.ApprovedAt.Sub(r.CreatedAt)/time.Minute))
			}
		}
		switch {
		case r.AcceptedAt != nil:
			out.Accepted++
			toOrder = append(toOrder, int64(r.AcceptedAt.Sub(r.CreatedAt)/time.Minute))
			value[r.Currency] += r.Total
		case r.Status == QuoteStatusRejected:
			out.Rejected++
		case r.Status == QuoteStatusExpired:
			out.Expired++
		case r.Status == QuoteStatusWithdrawn:
			out.Withdrawn++
		case r.Status == QuoteStatusInvalid:
			out.Invalid++
		default:
			out.Open++
		}
	}
	out.Decided = out.Accepted + out.Rejected + out.Expired + out.Withdrawn
	out.ConversionBP = ratioBP(out.Accepted, out.Decided)
	out.MedianApproveMinutes, out.MedianToOrderMinutes = median(toApprove), median(toOrder)
	for _, c := range slices.Sorted(maps.Keys(value)) {
		out.AcceptedValue = append(out.AcceptedValue, models.NewMoney(value[c], c))
	}
	return out, nil
}

// median of whole minutes; of an even count, the lower middle (a time is
// reported as one that happened, not an average of two).
func median(v []int64) *int64 {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	m := v[(len(v)-1)/2]
	return &m
}
