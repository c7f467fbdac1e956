package backorder_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/backorder"
)

var day = func(n int) time.Time { return time.Date(2026, 12, n, 0, 0, 0, 0, time.UTC) }

func line(order string, tier, promised, ordered int, short int64, partial bool) backorder.Line {
	return backorder.Line{OrderID: order, LineNo: 1, Tier: tier, PromisedDate: day(promised), OrderedAt: day(ordered), Short: short, AllowPartial: partial}
}

// got renders decisions as "ORDER:qty" (skipped lines as "ORDER:skip").
func got(ds []backorder.Decision) string {
	out := ""
	for _, d := range ds {
		if d.Skipped {
			out += fmt.Sprintf("%s:skip ", d.OrderID)
		} else {
			out += fmt.Sprintf("%s:%d ", d.OrderID, d.Qty)
		}
	}
	return out
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		waiting []backorder.Line
		qty     int64
		want    string
		left    int64
	}{
		{"higher tier first", []backorder.Line{line("B", 2, 1, 1, 5, true), line("A", 1, 9, 9, 5, true)}, 5, "A:5 ", 0},
		{"then the earlier promise", []backorder.Line{line("B", 1, 9, 1, 5, true), line("A", 1, 5, 9, 5, true)}, 5, "A:5 ", 0},
		{"then the older order", []backorder.Line{line("B", 1, 5, 3, 5, true), line("A", 1, 5, 2, 5, true)}, 5, "A:5 ", 0},
		{"full tie: order id decides", []backorder.Line{line("B", 1, 5, 2, 5, true), line("A", 1, 5, 2, 5, true)}, 5, "A:5 ", 0},
		{"receipt smaller than demand: partial fill", []backorder.Line{line("A", 1, 5, 1, 5, true), line("B", 2, 5, 1, 5, true)}, 3, "A:3 ", 0},
		{"receipt larger than demand: leftover", []backorder.Line{line("A", 1, 5, 1, 2, true), line("B", 2, 5, 1, 3, true)}, 10, "A:2 B:3 ", 5},
		{"ship-whole line too big is passed over; smaller lines served", []backorder.Line{line("A", 1, 5, 1, 8, false), line("B", 2, 5, 1, 3, true)}, 5, "A:skip B:3 ", 2},
		{"ship-whole line filled whole when it fits", []backorder.Line{line("A", 1, 5, 1, 5, false), line("B", 2, 5, 1, 3, true)}, 5, "A:5 ", 0},
		{"ship-whole line passed over too often holds the stock", []backorder.Line{{OrderID: "A", LineNo: 1, Tier: 1, PromisedDate: day(5), OrderedAt: day(1), Short: 8, Skips: backorder.MaxSkips}, line("B", 2, 5, 1, 3, true)}, 5, "A:skip ", 5},
		{"a cancelled (no longer short) line gets nothing", []backorder.Line{line("A", 1, 5, 1, 0, true), line("B", 2, 5, 1, 3, true)}, 5, "", 5},
		{"nothing arrives", []backorder.Line{line("A", 1, 5, 1, 3, true)}, 0, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, left := backorder.Allocate(tc.waiting, tc.qty)
			if got(ds) != tc.want || left != tc.left {
				t.Fatalf("got %q left %d; want %q left %d", got(ds), left, tc.want, tc.left)
			}
			var sum int64
			for _, d := range ds {
				sum += d.Qty
				if d.Reason == "" || d.Rank == 0 {
					t.Fatalf("decision without a reason: %+v", d)
				}
			}
			if sum+left != tc.qty {
				t.Fatalf("allocated %d + left %d != %d arrived", sum, left, tc.qty)
			}
		})
	}
}

func TestAllocateIsDeterministic(t *testing.T) {
	waiting := []backorder.Line{line("C", 1, 5, 2, 4, true), line("A", 1, 5, 2, 4, true), line("B", 1, 5, 2, 4, true)}
	first, _ := backorder.Allocate(waiting, 6)
	for range 20 {
		for i := range waiting { // any input order gives the same answer
			waiting[0], waiting[i] = waiting[i], waiting[0]
		}
		again, _ := backorder.Allocate(waiting, 6)
		if got(again) != got(first) {
			t.Fatalf("%q then %q", got(first), got(again))
		}
	}
	if got(first) != "A:4 B:2 " {
		t.Fatalf("got %q", got(first))
	}
}

func BenchmarkAllocate10000Waiting(b *testing.B) {
	waiting := make([]backorder.Line, 10_000)
	for i := range waiting {
		waiting[i] = backorder.Line{OrderID: fmt.Sprintf("SO-%05d", i), LineNo: 1, Tier: 1 + i%3, PromisedDate: day(1 + i%28), OrderedAt: day(1 + i%20), Short: int64(1 + i%7), AllowPartial: i%4 != 0}
	}
	b.ReportAllocs()
	for b.Loop() {
		backorder.Allocate(waiting, 5_000)
	}
}
