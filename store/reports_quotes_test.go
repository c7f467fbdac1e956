package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func TestQuoteFunnelMatchesHandComputedFigures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.SetReportLocation(time.UTC)
		mine := models.Customer{Name: "Mine", Email: "m@example.com", OwnerID: "rep-1", Currency: "USD", Tier: 2}
		other := models.Customer{Name: "Other", Email: "o@example.com", OwnerID: "rep-2", Currency: "USD", Tier: 2}
		for _, c := range []*models.Customer{&mine, &other} {
			if err := s.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		at := func(dayOfNov, hour, minute int) *time.Time {
			v := time.Date(2026, 11, dayOfNov, hour, minute, 0, 0, time.UTC)
			return &v
		}
		for _, q := range []struct {
			id, status string
			customer   models.Customer
			created    *time.Time
			needs      bool
			approved   *time.Time
			accepted   *time.Time
			total      int64
		}{
			{"Q-1", "accepted", mine, at(2, 10, 0), true, at(2, 12, 0), at(3, 10, 0), 10000}, // 120 min to approve, 1440 to order
			{"Q-2", "accepted", mine, at(5, 9, 0), false, nil, at(5, 9, 30), 5000},           // 30 min to order
			{"Q-3", "rejected", mine, at(6, 9, 0), true, nil, nil, 700},
			{"Q-4", "expired", other, at(7, 9, 0), false, nil, nil, 800},
			{"Q-5", "pending_approval", other, at(8, 9, 0), true, nil, nil, 900},
			{"Q-6", "withdrawn", mine, at(9, 9, 0), true, at(9, 10, 0), nil, 1000},  // 60 min to approve
			{"Q-7", "accepted", mine, at(30, 23, 0), false, nil, at(30, 23, 30), 1}, // Nov 30 late: in range
		} {
			created := *q.created
			s.SetClock(func() time.Time { return created })
			if err := s.SaveQuote(ctx, models.QuoteRecord{ID: q.id, CustomerID: q.customer.ID, Status: q.status, Version: 1, Rev: 1, Currency: "USD",
				Total: q.total, CreatedBy: "x", NeedsApproval: q.needs, ApprovedAt: q.approved, AcceptedAt: q.accepted, State: "{}"}); err != nil {
				t.Fatal(err)
			}
		}
		f, err := s.QuoteFunnel(ctx, day("2026-11-01"), day("2026-11-30"), "")
		if err != nil {
			t.Fatal(err)
		}
		// 7 created; approval needed by, given to; accepted:
		// decided: accepted 3 + rejected 1 + expired 1 + withdrawn 1 = 6 (Q-5 is still open), so
		// conversion 3 ÷ 6 = 5000 bp. Minutes to approve [120, 60]: the lower middle, 60.
		// Minutes to order [1440, 30, 30] sorted [30, 30, 1440]: 30. Accepted value 10000 + 5000 + 1.
		want := `{"from":"2026-11-01","to":"2026-11-30","time_zone":"UTC","created":7,"needing_approval":4,"approved":2,"rejected":1,` +
			`"accepted":3,"expired":1,"withdrawn":1,"invalid":0,"open":1,"decided":6,"conversion_bp":5000,"median_approve_minutes":60,` +
			`"median_to_order_minutes":30,"accepted_value":[{"amount":15001,"currency":"USD"}],"own_accounts":false}`
		if got := compact(t, f); got != want {
			t.Fatalf("funnel\n got %s\nwant %s", got, want)
		}
		// rep-2's accounts: Q-4 expired, Q-5 open: 0 of 1 decided.
		f, err = s.QuoteFunnel(ctx, day("2026-11-01"), day("2026-11-30"), "rep-2")
		if err != nil || f.Created != 2 || f.Expired != 1 || f.Open != 1 || f.Accepted != 0 || f.Decided != 1 || f.ConversionBP == nil || *f.ConversionBP != 0 || !f.OwnAccounts {
			t.Fatalf("rep-2's funnel %s, %v", dump(f), err)
		}
	})
}

func compact(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
