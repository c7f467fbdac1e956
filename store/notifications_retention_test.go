package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestNotificationTextsExpire: three messages written 100 days ago (one
// sent, one failed, one still pending) and one written today; the purge at
// 90 days empties the texts of the old sent and failed ones, keeps their
// rows, and leaves the pending one (it is still to be sent) and today's
// whole. The dev outbox's old copy goes.
func TestNotificationTextsExpire(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		old := now.AddDate(0, 0, -100)
		claim := func(key string, at time.Time) models.Notification {
			s.SetClock(func() time.Time { return at })
			n, err := s.ClaimNotification(ctx, models.Notification{IdempotencyKey: key, Event: "invoice_issued", Channel: models.ChannelEmail,
				Recipient: "ann@example.com", Subject: "Invoice for Ann Smith", BodyText: "Ship to 1 Main St, Springfield"})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		sent, failed, pending := claim("a", old), claim("b", old), claim("c", old)
		if err := s.MarkSent(ctx, sent.ID, "outbox", "m-1"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkAttemptFailed(ctx, failed.ID, true, "bounced"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordOutboxMessage(ctx, models.OutboxMessage{IdempotencyKey: "a", Channel: models.ChannelEmail, Recipient: "ann@example.com", BodyText: "Ship to 1 Main St"}); err != nil {
			t.Fatal(err)
		}
		fresh := claim("d", now)

		n, err := s.PurgeNotificationBodies(ctx, now.AddDate(0, 0, -90))
		if err != nil || n != 2 {
			t.Fatalf("purged %d, %v; want 2", n, err)
		}
		for _, c := range []struct {
			name   string
			id     string
			purged bool
		}{{"sent 100 days ago", sent.ID, true}, {"failed 100 days ago", failed.ID, true}, {"still pending", pending.ID, false}, {"written today", fresh.ID, false}} {
			got, err := s.NotificationByID(ctx, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if store.Purged(got) != c.purged || (c.purged && (got.Subject != "" || got.Recipient != "ann@example.com")) {
				t.Errorf("%s: %+v", c.name, got)
			}
		}
		if l, err := s.ListOutboxMessages(ctx, "", store.Page{}); err != nil || len(l.Items) != 0 {
			t.Fatalf("outbox after the purge: %d, %v", len(l.Items), err)
		}
	})
}
