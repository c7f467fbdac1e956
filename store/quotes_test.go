package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestOpenQuote: a quote the API opens is stored with the start of its
// workflow and its audit entry in one transaction; the same quote opened
// again (a retried request, here several at once) keeps the first, starts
// once and is audited once; a started quote no longer waits.
func TestOpenQuote(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cust := &models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		rec := func(total int64) models.QuoteRecord {
			return models.QuoteRecord{ID: "Q-OPEN1", CustomerID: cust.ID, Status: "approved", Version: 1, Rev: 1, Currency: "USD",
				Total: total, CreatedBy: "user:rep", State: `{"quote_id":"Q-OPEN1"}`}
		}
		const tries = 4
		var wg sync.WaitGroup
		opened := make(chan bool, tries)
		for i := range tries {
			wg.Go(func() {
				ref := "Quote:Q-OPEN1/key-1"
				audit := models.AuditEvent{Actor: "user:rep", Action: "quote.create", Entity: "quote", EntityID: "Q-OPEN1", Ref: &ref}
				stored, first, err := s.OpenQuote(ctx, rec(int64(100+i)), 30, audit)
				if err != nil {
					t.Error(err)
					return
				}
				if stored.ID != "Q-OPEN1" {
					t.Errorf("stored %+v", stored)
				}
				opened <- first
			})
		}
		wg.Wait()
		close(opened)
		firsts := 0
		for f := range opened {
			if f {
				firsts++
			}
		}
		if firsts != 1 {
			t.Fatalf("opened %d times, want once", firsts)
		}
		trail, err := s.ListAudit(ctx, "quote", "Q-OPEN1", store.Page{Limit: 10})
		if err != nil || len(trail.Items) != 1 || trail.Items[0].Action != "quote.create" {
			t.Fatalf("audit trail %+v, %v; want one quote.create", trail.Items, err)
		}
		waiting, err := s.WaitingQuoteStarts(ctx, time.Now().Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(waiting) != 1 || waiting[0].QuoteID != "Q-OPEN1" || waiting[0].ValidDays != 30 {
			t.Fatalf("waiting %+v", waiting)
		}
		if early, err := s.WaitingQuoteStarts(ctx, waiting[0].CreatedAt, 10); err != nil || len(early) != 0 {
			t.Fatalf("waiting before it was opened: %+v, %v", early, err)
		}
		if err := s.QuoteStarted(ctx, "Q-OPEN1"); err != nil {
			t.Fatal(err)
		}
		waiting, err = s.WaitingQuoteStarts(ctx, time.Now().Add(time.Minute), 10)
		if err != nil || len(waiting) != 0 {
			t.Fatalf("still waiting once started: %+v, %v", waiting, err)
		}
		qs, err := s.QuoteStartOf(ctx, "Q-OPEN1")
		if err != nil || qs.StartedAt == nil {
			t.Fatalf("start %+v, %v", qs, err)
		}
		// Retention: a start made goes with the purge; one waiting stays.
		waitingRec := rec(100)
		waitingRec.ID = "Q-OPEN2"
		if _, _, err := s.OpenQuote(ctx, waitingRec, 30, models.AuditEvent{Actor: "user:rep", Action: "quote.create", Entity: "quote", EntityID: "Q-OPEN2"}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PurgeExpired(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want the one start made", n, err)
		}
		if _, err := s.QuoteStartOf(ctx, "Q-OPEN1"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a purged start: %v", err)
		}
		if qs, err := s.QuoteStartOf(ctx, "Q-OPEN2"); err != nil || qs.StartedAt != nil {
			t.Fatalf("the waiting start after the purge: %+v, %v", qs, err)
		}
	})
}
