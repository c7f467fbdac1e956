package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestQuotesListNewestFirst: quote IDs are random, so the list is by
// creation time, newest first, the ID breaking ties; paging two at a time
// visits every quote once, in the same order, also when three share an
// instant, and under a customer or status filter.
func TestQuotesListNewestFirst(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mine := models.Customer{Name: "Mine", Email: "m@example.com", Currency: "USD", Tier: 2}
		other := models.Customer{Name: "Other", Email: "o@example.com", Currency: "USD", Tier: 2}
		for _, c := range []*models.Customer{&mine, &other} {
			if err := s.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		noon := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
		for _, q := range []struct {
			id       string
			customer models.Customer
			status   string
			at       time.Time
		}{
			{"Q-M", mine, "accepted", noon.Add(-time.Hour)},
			{"Q-A", mine, "draft", noon},
			{"Q-Z", other, "draft", noon},
			{"Q-K", mine, "accepted", noon},
			{"Q-B", other, "draft", noon.Add(time.Microsecond)},
			{"Q-Y", mine, "draft", noon.Add(-48 * time.Hour)},
		} {
			s.SetClock(func() time.Time { return q.at })
			if err := s.SaveQuote(ctx, models.QuoteRecord{ID: q.id, CustomerID: q.customer.ID, Status: q.status, Version: 1, Rev: 1,
				Currency: "USD", CreatedBy: "x", State: "{}"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name, customer, status string
			want                   []string
		}{
			{"all", "", "", []string{"Q-B", "Q-Z", "Q-K", "Q-A", "Q-M", "Q-Y"}},
			{"one customer", mine.ID, "", []string{"Q-K", "Q-A", "Q-M", "Q-Y"}},
			{"one status", "", "draft", []string{"Q-B", "Q-Z", "Q-A", "Q-Y"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var got []string
				page := store.Page{Limit: 2}
				for range 10 {
					l, err := s.ListQuotes(ctx, tc.customer, tc.status, page)
					if err != nil {
						t.Fatal(err)
					}
					for _, q := range l.Items {
						got = append(got, q.ID)
					}
					if l.NextCursor == "" {
						break
					}
					page.Cursor = l.NextCursor
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
	})
}
