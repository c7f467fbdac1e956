package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Slippage is one supplier's deliveries received in one month: how many
// came later than first promised, and by how much on average.
type Slippage struct {
	Supplier string `json:"supplier"`
	Month    string `json:"month"` // YYYY-MM, in the report time zone
	Received int64  `json:"received"`
	Late     int64  `json:"late"` // received on a later day than first promised
	// AvgSlipTenths is the average of (received day − first promised day),
	// in tenths of a day; early deliveries count negative.
	AvgSlipTenths int64 `json:"avg_slip_tenths"`
}

// SlippageReport is supplier slippage by month over a period.
type SlippageReport struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	TimeZone string     `json:"time_zone"`
	Rows     []Slippage `json:"rows"` // by supplier, then month
}

// SupplierSlippage reads the supply orders received from the start of day
// from to the end of day to (dates in loc), by supplier and month received.
// Slip counts calendar days in loc between the first promised date and the
// day received.
func (s *Store) SupplierSlippage(ctx context.Context, from, to time.Time, loc *time.Location) (SlippageReport, error) {
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	last := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc)
	out := SlippageReport{From: start.Format(time.DateOnly), To: last.Format(time.DateOnly), TimeZone: loc.String(), Rows: []Slippage{}}
	var orders []models.SupplyOrder
	if err := s.conn(ctx).Where("received_at >= ? AND received_at < ? AND status <> ?", start.UTC(), last.AddDate(0, 0, 1).UTC(), "cancelled").
		Find(&orders).Error; err != nil {
		return out, err
	}
	type key struct{ supplier, month string }
	sums := map[key]*struct{ received, late, slip int64 }{}
	for _, o := range orders {
		promised := o.ExpectedAt
		if o.FirstExpectedAt != nil {
			promised = *o.FirstExpectedAt
		}
		k := key{o.Supplier, o.ReceivedAt.In(loc).Format("2006-01")}
		if sums[k] == nil {
			sums[k] = &struct{ received, late, slip int64 }{}
		}
		slip := int64(localDay(*o.ReceivedAt, loc) - localDay(promised, loc))
		sums[k].received++
		sums[k].slip += slip
		if slip > 0 {
			sums[k].late++
		}
	}
	for k, v := range sums {
		out.Rows = append(out.Rows, Slippage{Supplier: k.supplier, Month: k.month, Received: v.received, Late: v.late,
			AvgSlipTenths: models.DivRoundHalfAwayFromZero(v.slip*10, v.received)})
	}
	slices.SortFunc(out.Rows, func(a, b Slippage) int {
		if c := strings.Compare(a.Supplier, b.Supplier); c != 0 {
			return c
		}
		return strings.Compare(a.Month, b.Month)
	})
	return out, nil
}
