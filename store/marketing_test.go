package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestSegmentsAndCampaignAudience, counted by hand. Today is 1 June 2026.
// Acme (west, retail, tier 1, consented) ordered 100.00 and 50.00 USD in
// May and waits on a backorder; Bolt (east, tier 2, no consent) ordered
// 400.00 USD 400 days ago; Crane (west, wholesale, tier 3, consented) never
// ordered; stockUp's Test Co (tier 2, no region, no consent) never ordered
// either. Each filter's count and consenting count are hand-computed; a
// campaign's audience is the consenting members when it starts, and a
// withdrawal afterwards is counted as an unsubscribe.
func TestSegmentsAndCampaignAudience(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		clock := today
		s.SetClock(func() time.Time { return clock })
		mk := func(name, region, segment string, tier int, consent bool) models.Customer {
			c := models.Customer{Name: name, Email: name + "@example.com", Region: region, Segment: segment, Tier: tier, Currency: "USD"}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			if consent {
				if err := s.SetMarketingConsent(ctx, c.ID, true); err != nil {
					t.Fatal(err)
				}
			}
			return c
		}
		acme, bolt, _ := mk("Acme", "west", "retail", 1, true), mk("Bolt", "east", "retail", 2, false), mk("Crane", "west", "wholesale", 3, true)
		order := func(id string, c models.Customer, total int64, at time.Time) {
			clock = at
			if err := s.SaveOrder(ctx, models.OrderRecord{ID: id, QuoteID: "Q-" + id, CustomerID: c.ID, Status: "allocated", Rev: 1, Currency: "USD", Total: total, State: "{}"}, store.OrderFacts{OrderedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		order("SO-A1", acme, 10000, today.AddDate(0, 0, -20))
		order("SO-A2", acme, 5000, today.AddDate(0, 0, -10))
		order("SO-B1", bolt, 40000, today.AddDate(0, 0, -400))
		clock = today
		stockUp(t, s, "WID", map[string]int64{})
		if _, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "SO-A2", LineNo: 1, SKU: "WID", Qty: 2, CustomerID: acme.ID, AllowPartial: true}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name                 string
			f                    models.SegmentFilter
			customers, consented int64
		}{
			{"everyone", models.SegmentFilter{}, 4, 2},
			{"west", models.SegmentFilter{Regions: []string{"west"}}, 2, 2},
			{"west typed in capitals", models.SegmentFilter{Regions: []string{"WEST"}}, 2, 2},
			{"tiers 1 and 2", models.SegmentFilter{Tiers: []int{1, 2}}, 3, 1},
			{"ordered in the last 30 days", models.SegmentFilter{OrderedWithinDays: 30}, 1, 1},
			{"lapsed: nothing for 90 days", models.SegmentFilter{NotOrderedForDays: 90}, 3, 1},
			{"2 orders in a year", models.SegmentFilter{MinOrders: 2}, 1, 1},
			{"150.00 USD in a year", models.SegmentFilter{MinSpend: 15000, Currency: "USD"}, 1, 1},
			{"150.01 USD in a year", models.SegmentFilter{MinSpend: 15001, Currency: "USD"}, 0, 0},
			{"400.00 USD in two years", models.SegmentFilter{MinSpend: 40000, Currency: "USD", PeriodDays: 730}, 1, 0},
			{"waiting on a backorder", models.SegmentFilter{Backorders: models.BackordersOpen}, 1, 1},
			{"never backordered, retail", models.SegmentFilter{Backorders: models.BackordersNone, Segments: []string{"retail"}}, 1, 0},
		}
		for _, tc := range tests {
			got, err := s.CountSegment(ctx, tc.f, today)
			if err != nil || got.Customers != tc.customers || got.Consented != tc.consented {
				t.Errorf("%s: %+v %v, want %d customers, %d consented", tc.name, got, err, tc.customers, tc.consented)
			}
		}
		if _, err := s.CountSegment(ctx, models.SegmentFilter{MinSpend: 100}, today); !isField(err, "currency") {
			t.Fatalf("a spend without currency: %v", err)
		}
		west := models.Segment{Name: "West", Filter: models.SegmentFilter{Regions: []string{"west"}}, CreatedBy: "user:m"}
		if err := s.CreateSegment(ctx, &west); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSegment(ctx, &models.Segment{Name: "West"}); !isField(err, "name") {
			t.Fatalf("a second segment called West: %v", err)
		}
		members, err := s.SegmentMembers(ctx, west.Filter, today, true, 100)
		if err != nil || len(members) != 2 || members[0].Name != "Acme" || members[0].Email != "Acme@example.com" || members[0].ConsentAt == nil || !members[0].ConsentAt.Equal(today) {
			t.Fatalf("export: %+v %v; want Acme and Crane with their consent date", members, err)
		}
		c := models.Campaign{ID: "CMP-1", Name: "Spring", SegmentID: west.ID, Headline: "10% off", Body: "This week only.", PerMinute: 60, CreatedBy: "user:m"}
		if err := s.CreateCampaign(ctx, &c); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second is an activity retry
			if n, err := s.FreezeAudience(ctx, c.ID, today); err != nil || n != 2 {
				t.Fatalf("audience %d %v, want 2", n, err)
			}
		}
		batch, err := s.CampaignBatch(ctx, c.ID, "", 1)
		if err != nil || len(batch) != 1 || !strings.HasSuffix(batch[0].Email, "@example.com") {
			t.Fatalf("batch %+v %v (the address opened)", batch, err)
		}
		rest, _ := s.CampaignBatch(ctx, c.ID, batch[0].ID, 10)
		if len(rest) != 1 || rest[0].ID == batch[0].ID {
			t.Fatalf("the rest %+v", rest)
		}
		clock = today.Add(time.Hour)
		if err := s.SetMarketingConsent(ctx, acme.ID, false); err != nil {
			t.Fatal(err)
		}
		res, err := s.CampaignResults(ctx, c)
		if err != nil || res.Unsubscribed != 1 {
			t.Fatalf("results %+v %v, want 1 unsubscribed", res, err)
		}
	})
}

// TestCampaignRecordedTwiceIsAConflict: a retried start finds its campaign
// (the API then starts its workflow, which may not have started).
func TestCampaignRecordedTwiceIsAConflict(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seg := models.Segment{Name: "All", CreatedBy: "user:m"}
		if err := s.CreateSegment(ctx, &seg); err != nil {
			t.Fatal(err)
		}
		c := models.Campaign{ID: "CMP-X", Name: "x", SegmentID: seg.ID, Headline: "h", Body: "b", PerMinute: 1, CreatedBy: "user:m"}
		if err := s.CreateCampaign(ctx, &c); err != nil {
			t.Fatal(err)
		}
		again := c
		if err := s.CreateCampaign(ctx, &again); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("recorded twice: %v, want a conflict", err)
		}
	})
}
