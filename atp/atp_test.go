package atp_test

import (
	"testing"
	"time"

	"github.com/q2c-dev/q2c/atp"
)

func TestPromise(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	base := atp.Position{Now: now, Available: 5, LeadTimeDays: 30,
		Supply: []atp.Supply{{Qty: 10, ETA: day(14)}, {Qty: 4, ETA: day(7)}}}
	tests := []struct {
		name    string
		pos     atp.Position
		qty     int64
		date    time.Time
		source  atp.Source
		nSlices int
	}{
		{"from stock today", base, 5, now, atp.FromStock, 1},
		{"stock then earliest supply", base, 9, day(7), atp.FromSupply, 2},
		{"needs the later supply too", base, 15, day(14), atp.FromSupply, 3},
		{"beyond all supply: lead time", base, 25, day(30), atp.FromLeadTime, 4},
		{"waiting backorders take the earliest supply first",
			atp.Position{Now: now, Available: 0, LeadTimeDays: 30, Waiting: 4, Supply: base.Supply}, 3, day(14), atp.FromSupply, 1},
		{"overdue supply is promised from today, not in the past",
			atp.Position{Now: now, Supply: []atp.Supply{{Qty: 3, ETA: day(-2)}}, LeadTimeDays: 10}, 2, now, atp.FromSupply, 1},
		{"no stock, no supply", atp.Position{Now: now, LeadTimeDays: 45}, 1, day(45), atp.FromLeadTime, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pos.Promise(tc.qty)
			var sum int64
			for _, s := range p.Slices {
				sum += s.Qty
			}
			if !p.Date.Equal(tc.date) || p.Source != tc.source || len(p.Slices) != tc.nSlices || sum != tc.qty {
				t.Fatalf("promise %s from %s in %d slices (%d units); want %s from %s in %d",
					p.Date.Format(time.DateOnly), p.Source, len(p.Slices), sum, tc.date.Format(time.DateOnly), tc.source, tc.nSlices)
			}
		})
	}
}
