// Package calendar cuts report periods: days in a stated time zone, ISO
// weeks starting on Monday, months and quarters, and the period before a
// range to compare it with. It is pure: no clock, no I/O.
package calendar

import (
	"fmt"
	"time"
)

// Granularity is the length of one report period.
type Granularity string

// The granularities a report can be cut in.
const (
	Day     Granularity = "day"
	Week    Granularity = "week" // ISO: Monday to Sunday
	Month   Granularity = "month"
	Quarter Granularity = "quarter"
)

// Granularities lists them in a fixed order.
var Granularities = []Granularity{Day, Week, Month, Quarter}

// Valid reports whether g is one of Granularities.
func (g Granularity) Valid() bool {
	switch g {
	case Day, Week, Month, Quarter:
		return true
	}
	return false
}

// Date is a calendar day; its clock and zone are ignored.
func Date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Start is the first day of the period of g holding day.
func (g Granularity) Start(day time.Time) time.Time {
	d := Date(day)
	switch g {
	case Week:
		back := (int(d.Weekday()) + 6) % 7 // Monday is 0
		return d.AddDate(0, 0, -back)
	case Month:
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	case Quarter:
		return time.Date(d.Year(), ((d.Month()-1)/3)*3+1, 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// Next is the first day of the period after the one starting at start.
func (g Granularity) Next(start time.Time) time.Time {
	switch g {
	case Week:
		return start.AddDate(0, 0, 7)
	case Month:
		return start.AddDate(0, 1, 0)
	case Quarter:
		return start.AddDate(0, 3, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Label names the period starting at start: 2026-11-30, 2026-W49, 2026-11,
// 2026-Q4.
func (g Granularity) Label(start time.Time) string {
	switch g {
	case Week:
		y, w := start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case Month:
		return start.Format("2006-01")
	case Quarter:
		return fmt.Sprintf("%d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
	}
	return start.Format(time.DateOnly)
}

// Periods lists the starts of the periods of g that overlap [from, to].
func (g Granularity) Periods(from, to time.Time) []time.Time {
	var out []time.Time
	for p := g.Start(from); !p.After(Date(to)); p = g.Next(p) {
		out = append(out, p)
	}
	return out
}

// Days counts the days of [from, to], both included.
func Days(from, to time.Time) int {
	return int(Date(to).Sub(Date(from)).Hours()/24) + 1
}

// Previous is the range to compare [from, to] with: when the range is whole
// calendar months (or quarters), the same number of months just before it,
// so November is compared with October; month to date (the 1st to a day of
// the same month), the same days of the month before (1–18 November with
// 1–18 October; 1–30 March with 1–28 February); otherwise the same number
// of days ending the day before from.
func Previous(from, to time.Time) (time.Time, time.Time) {
	from, to = Date(from), Date(to)
	if from.Day() == 1 && to.AddDate(0, 0, 1).Day() == 1 {
		months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
		return from.AddDate(0, -months, 0), from.AddDate(0, 0, -1)
	}
	if from.Day() == 1 && from.Year() == to.Year() && from.Month() == to.Month() {
		pfrom, end := from.AddDate(0, -1, 0), from.AddDate(0, 0, -1)
		pto := pfrom.AddDate(0, 0, to.Day()-1)
		if pto.After(end) {
			pto = end
		}
		return pfrom, pto
	}
	n := Days(from, to)
	return from.AddDate(0, 0, -n), from.AddDate(0, 0, -1)
}
