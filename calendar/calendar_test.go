package calendar

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestStartAndLabel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		g     Granularity
		day   string
		start string
		label string
	}{
		{"a day is itself", Day, "2026-11-18", "2026-11-18", "2026-11-18"},
		{"a Wednesday's week starts on Monday", Week, "2026-11-18", "2026-11-16", "2026-W47"},
		{"a Sunday belongs to the week before", Week, "2026-11-22", "2026-11-16", "2026-W47"},
		{"a Monday starts its week", Week, "2026-11-23", "2026-11-23", "2026-W48"},
		{"ISO week 1 of 2027 starts in 2026", Week, "2027-01-01", "2026-12-28", "2026-W53"},
		{"month", Month, "2026-11-30", "2026-11-01", "2026-11"},
		{"quarter 4", Quarter, "2026-11-30", "2026-10-01", "2026-Q4"},
		{"quarter 1", Quarter, "2026-03-31", "2026-01-01", "2026-Q1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.g.Start(day(tc.day))
			if got := s.Format(time.DateOnly); got != tc.start {
				t.Errorf("start = %s, want %s", got, tc.start)
			}
			if got := tc.g.Label(s); got != tc.label {
				t.Errorf("label = %s, want %s", got, tc.label)
			}
		})
	}
}

func TestPeriods(t *testing.T) {
	got := Week.Periods(day("2026-11-01"), day("2026-11-30"))
	// 1 Nov 2026 is a Sunday: its week starts on 26 Oct; 30 Nov is a Monday.
	want := []string{"2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"}
	if len(got) != len(want) {
		t.Fatalf("got %d periods, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Format(time.DateOnly) != want[i] {
			t.Errorf("period %d = %s, want %s", i, got[i].Format(time.DateOnly), want[i])
		}
	}
}

func TestPrevious(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, pfrom, pto string
	}{
		{"a whole month is compared with the month before", "2026-11-01", "2026-11-30", "2026-10-01", "2026-10-31"},
		{"March with February, not with 31 days", "2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"},
		{"a quarter with the quarter before", "2026-10-01", "2026-12-31", "2026-07-01", "2026-09-30"},
		{"month to date: the same days of the month before", "2026-11-01", "2026-11-18", "2026-10-01", "2026-10-18"},
		{"March to date past February's end: all of February", "2026-03-01", "2026-03-30", "2026-02-01", "2026-02-28"},
		{"any other range: as many days just before", "2026-11-10", "2026-11-18", "2026-11-01", "2026-11-09"},
		{"one day with the day before", "2026-11-18", "2026-11-18", "2026-11-17", "2026-11-17"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, to := Previous(day(tc.from), day(tc.to))
			if f.Format(time.DateOnly) != tc.pfrom || to.Format(time.DateOnly) != tc.pto {
				t.Errorf("previous = %s..%s, want %s..%s", f.Format(time.DateOnly), to.Format(time.DateOnly), tc.pfrom, tc.pto)
			}
		})
	}
}
