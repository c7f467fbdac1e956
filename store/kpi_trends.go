package store

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
)

// KPISeries is one KPI (in one currency, for money) over a range.
type KPISeries struct {
	KPIDef
	Currency models.Currency `json:"currency,omitempty"`
	// Periods holds the value of each report period, absent where there
	// is nothing to measure (no order shipped, say).
	Periods  []*int64 `json:"periods"`
	Value    *int64   `json:"value"`    // the whole range
	Previous *int64   `json:"previous"` // the range before (same length)
	Change   *int64   `json:"change"`   // Value − Previous, in the KPI's unit
}

// KPITrends is every KPI over a range, by period, against the range before.
type KPITrends struct {
	ReportRange
	Series []KPISeries `json:"series"`
	// Days counts the days of the range that have a snapshot; a missing
	// day (before the schedule ran, or not back-filled) counts as nothing.
	Days         int    `json:"days"`
	DaysInRange  int    `json:"days_in_range"`
	LastSnapshot string `json:"last_snapshot,omitempty"`
}

type kpiAcc struct {
	num, den int64
	last     string // the last day with a value (points)
	has      bool
}

func (a kpiAcc) with(day string, num, den int64, kind string) kpiAcc {
	if kind == KPIPoint {
		if day >= a.last {
			a.num, a.last = num, day
		}
	} else {
		a.num, a.den = a.num+num, a.den+den
	}
	a.has = true
	return a
}

func (a kpiAcc) value(d KPIDef) *int64 {
	if !a.has {
		return nil
	}
	var v int64
	switch d.Kind {
	case KPIRatio:
		if a.den == 0 {
			return nil
		}
		v = models.DivRoundHalfAwayFromZero(a.num*10000, a.den)
	case KPIAverage: // minutes per line → tenths of a day
		if a.den == 0 {
			return nil
		}
		v = models.DivRoundHalfAwayFromZero(a.num*10, a.den*24*60)
	default:
		v = a.num
	}
	return &v
}

// KPITrends reads the daily snapshots of [from, to] and the range before.
func (s *Store) KPITrends(ctx context.Context, from, to time.Time, g calendar.Granularity) (KPITrends, error) {
	out := KPITrends{ReportRange: s.reportRange(from, to, g), Series: []KPISeries{}, DaysInRange: calendar.Days(from, to)}
	var rows []struct {
		Day, Metric string
		Currency    models.Currency
		Num, Den    int64
	}
	if err := s.conn(ctx).Raw(`SELECT day, metric, currency, num, den FROM kpi_daily WHERE day >= ? AND day <= ? ORDER BY day`,
		out.PreviousFrom, out.To).Scan(&rows).Error; err != nil {
		return out, err
	}
	defs := map[string]KPIDef{}
	for _, d := range KPIDefs {
		defs[d.Metric] = d
	}
	type key struct {
		metric   string
		currency models.Currency
	}
	type acc struct {
		periods     []kpiAcc
		total, prev kpiAcc
	}
	series := map[key]*acc{}
	days := map[string]bool{}
	for _, r := range rows {
		d, ok := defs[r.Metric]
		if !ok {
			continue
		}
		k := key{r.Metric, r.Currency}
		a := series[k]
		if a == nil {
			a = &acc{periods: make([]kpiAcc, len(out.Periods))}
			series[k] = a
		}
		day, err := time.Parse(time.DateOnly, r.Day)
		if err != nil {
			return out, err
		}
		i := out.period(day)
		if i < 0 {
			a.prev = a.prev.with(r.Day, r.Num, r.Den, d.Kind)
			continue
		}
		days[r.Day] = true
		a.periods[i] = a.periods[i].with(r.Day, r.Num, r.Den, d.Kind)
		a.total = a.total.with(r.Day, r.Num, r.Den, d.Kind)
		if r.Day > out.LastSnapshot {
			out.LastSnapshot = r.Day
		}
	}
	out.Days = len(days)
	keys := slices.SortedFunc(maps.Keys(series), func(a, b key) int {
		ia := slices.IndexFunc(KPIDefs, func(d KPIDef) bool { return d.Metric == a.metric })
		ib := slices.IndexFunc(KPIDefs, func(d KPIDef) bool { return d.Metric == b.metric })
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(string(a.currency), string(b.currency))
	})
	for _, k := range keys {
		a, d := series[k], defs[k.metric]
		sr := KPISeries{KPIDef: d, Currency: k.currency, Value: a.total.value(d), Previous: a.prev.value(d)}
		for _, p := range a.periods {
			sr.Periods = append(sr.Periods, p.value(d))
		}
		if sr.Value != nil && sr.Previous != nil {
			c := *sr.Value - *sr.Previous
			sr.Change = &c
		}
		out.Series = append(out.Series, sr)
	}
	return out, nil
}
