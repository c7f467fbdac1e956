package backorder_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/backorder"
)

var day = func(n int) time.Time { return time.Date(2026, 12, n, 0, 0, 0, 0, time.UTC) }

func line(order string, tier, promised, ordered int, short int64, partial bool) backorder.Line {
	return backorder.Line{ID: order + "-L1", OrderID: order, LineNo: 1, Tier: tier, PromisedDate: day(promised), OrderedAt: day(ordered),
		Short: short, AllowPartial: partial, LeadTimeETA: day(28)}
}

func whole(order string, tier int, short int64, skips int) backorder.Line {
	l := line(order, tier, 5, 1, short, false)
	l.Skips = skips
	return l
}

// got renders decisions as "ORDER:qty", skipped lines as "ORDER:skip",
// passed-over ones as "ORDER:passed" and held ones as "ORDER:held".
func got(ds []backorder.Decision) string {
	var out []string
	for _, d := range ds {
		switch {
		case d.Held:
			out = append(out, d.OrderID+":held")
		case d.PassedOver:
			out = append(out, d.OrderID+":passed")
		case d.Skipped:
			out = append(out, d.OrderID+":skip")
		default:
			out = append(out, fmt.Sprintf("%s:%d", d.OrderID, d.Qty))
		}
	}
	return strings.Join(out, " ")
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		policy  backorder.Policy
		waiting []backorder.Line
		qty     int64
		want    string
		left    int64
	}{
		{"higher tier first", nil, []backorder.Line{line("B", 2, 1, 1, 5, true), line("A", 1, 9, 9, 5, true)}, 5, "A:5", 0},
		{"then the earlier promise", nil, []backorder.Line{line("B", 1, 9, 1, 5, true), line("A", 1, 5, 9, 5, true)}, 5, "A:5", 0},
		{"then the older order", nil, []backorder.Line{line("B", 1, 5, 3, 5, true), line("A", 1, 5, 2, 5, true)}, 5, "A:5", 0},
		{"full tie: order id decides", nil, []backorder.Line{line("B", 1, 5, 2, 5, true), line("A", 1, 5, 2, 5, true)}, 5, "A:5", 0},
		{"policy ordered first: the oldest order beats the better tier", backorder.Policy{backorder.KeyOrdered, backorder.KeyTier},
			[]backorder.Line{line("A", 1, 5, 9, 5, true), line("B", 3, 5, 1, 5, true)}, 5, "B:5", 0},
		{"policy value first: the larger value wins", backorder.Policy{backorder.KeyValue},
			[]backorder.Line{{ID: "A", OrderID: "A", Short: 5, AllowPartial: true, Value: 100}, {ID: "B", OrderID: "B", Short: 5, AllowPartial: true, Value: 900}}, 5, "B:5", 0},
		{"receipt smaller than demand: partial fill", nil, []backorder.Line{line("A", 1, 5, 1, 5, true), line("B", 2, 5, 1, 5, true)}, 3, "A:3", 0},
		{"receipt larger than demand: leftover", nil, []backorder.Line{line("A", 1, 5, 1, 2, true), line("B", 2, 5, 1, 3, true)}, 10, "A:2 B:3", 5},
		{"ship-whole line too big is passed over; smaller lines served", nil, []backorder.Line{whole("A", 1, 8, 0), line("B", 2, 5, 1, 3, true)}, 5, "A:passed B:3", 2},
		{"ship-whole line not served and nobody behind: skipped, not passed over", nil, []backorder.Line{whole("A", 1, 8, 0)}, 5, "A:skip", 5},
		{"ship-whole line filled whole when it fits", nil, []backorder.Line{whole("A", 1, 5, 0), line("B", 2, 5, 1, 3, true)}, 5, "A:5", 0},
		{"ship-whole line passed over too often holds the stock", nil, []backorder.Line{whole("A", 1, 8, backorder.MaxSkips), line("B", 2, 5, 1, 3, true)}, 5, "A:held", 5},
		{"a held line filled once enough has accumulated", nil, []backorder.Line{whole("A", 1, 8, backorder.MaxSkips), line("B", 2, 5, 1, 3, true)}, 9, "A:8 B:1", 0},
		{"a cancelled (no longer short) line gets nothing", nil, []backorder.Line{line("A", 1, 5, 1, 0, true), line("B", 2, 5, 1, 3, true)}, 5, "B:3", 2},
		{"nothing arrives", nil, []backorder.Line{line("A", 1, 5, 1, 3, true)}, 0, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy
			if p == nil {
				p = backorder.DefaultPolicy
			}
			ds, left := p.Allocate(tc.waiting, tc.qty)
			if got(ds) != tc.want || left != tc.left {
				t.Fatalf("got %q left %d; want %q left %d", got(ds), left, tc.want, tc.left)
			}
			var sum int64
			for _, d := range ds {
				sum += d.Qty
				if !strings.Contains(d.Reason, "by policy "+p.String()) || d.Rank == 0 {
					t.Fatalf("decision without its reason: %+v", d)
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
	first, _ := backorder.DefaultPolicy.Allocate(waiting, 6)
	for range 20 {
		for i := range waiting { // any input order gives the same answer
			waiting[0], waiting[i] = waiting[i], waiting[0]
		}
		again, _ := backorder.DefaultPolicy.Allocate(waiting, 6)
		if got(again) != got(first) {
			t.Fatalf("%q then %q", got(first), got(again))
		}
	}
	if got(first) != "A:4 B:2" {
		t.Fatalf("got %q", got(first))
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"tier,promised,ordered", "tier,promised,ordered", ""},
		{" ordered , value ", "ordered,value", ""},
		{"tier,size", "", `unknown priority key "size"`},
		{"tier,tier", "", "appears twice"},
		{"", "", "unknown priority key"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := backorder.ParsePolicy(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || p.String() != tc.want {
				t.Fatalf("%q, %v", p, err)
			}
		})
	}
}

func TestPlanETAs(t *testing.T) {
	now := day(1)
	lots := []backorder.Lot{{Ref: "PO-1", Supplier: "Steel", Qty: 10, ETA: day(10)}, {Ref: "PO-2", Supplier: "Steel", Qty: 5, ETA: day(20)}}
	tests := []struct {
		name    string
		waiting []backorder.Line
		free    int64
		lots    []backorder.Lot
		want    string
	}{
		{"first line covered by the first lot", []backorder.Line{line("A", 1, 5, 1, 4, true)}, 0, lots, "A:10 supply PO-1"},
		{"the line that spans two lots gets the later date", []backorder.Line{line("A", 1, 5, 1, 8, true), line("B", 2, 5, 1, 4, true)}, 0, lots,
			"A:10 supply PO-1 B:20 supply PO-2"},
		{"free stock first, then supply", []backorder.Line{whole("A", 1, 8, 3), line("B", 2, 5, 1, 4, true)}, 5, lots,
			"A:10 supply PO-1 B:10 supply PO-1"},
		{"all covered by free stock: today", []backorder.Line{whole("A", 1, 3, 0)}, 5, nil, "A:1 stock"},
		{"beyond open supply: lead time", []backorder.Line{line("A", 1, 5, 1, 15, true), line("B", 2, 5, 1, 1, true)}, 0, lots,
			"A:20 supply PO-2 B:28 lead time"},
		{"a supply date in the past is kept, not moved", []backorder.Line{line("A", 1, 5, 1, 1, true)}, 0, []backorder.Lot{{Ref: "PO-9", Qty: 1, ETA: day(1).AddDate(0, 0, -3)}},
			"A:-3 supply PO-9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out []string
			for _, e := range backorder.DefaultPolicy.PlanETAs(tc.waiting, tc.free, tc.lots, now) {
				s := fmt.Sprintf("%s:%d %s", strings.TrimSuffix(e.ID, "-L1"), int(e.ETA.Sub(day(0)).Hours()/24), e.Source)
				if e.ETA.Before(now) {
					s = fmt.Sprintf("%s:%d %s", strings.TrimSuffix(e.ID, "-L1"), int(e.ETA.Sub(now).Hours()/24), e.Source)
				}
				if e.Ref != "" {
					s += " " + e.Ref
				}
				out = append(out, s)
			}
			if strings.Join(out, " ") != tc.want {
				t.Fatalf("got %q, want %q", strings.Join(out, " "), tc.want)
			}
		})
	}
}

func BenchmarkAllocate10000Waiting(b *testing.B) {
	waiting := make([]backorder.Line, 10_000)
	for i := range waiting {
		waiting[i] = backorder.Line{ID: fmt.Sprint(i), OrderID: fmt.Sprintf("SO-%05d", i), LineNo: 1, Tier: 1 + i%3, PromisedDate: day(1 + i%28),
			OrderedAt: day(1 + i%20), Short: int64(1 + i%7), AllowPartial: i%4 != 0}
	}
	b.ReportAllocs()
	for b.Loop() {
		backorder.DefaultPolicy.Allocate(waiting, 5_000)
	}
}
