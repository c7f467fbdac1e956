package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// ClaimNotification writes n as pending unless its idempotency key exists,
// and returns the stored row either way: the caller sends only if that row
// is not yet sent.
func (s *Store) ClaimNotification(ctx context.Context, n models.Notification) (models.Notification, error) {
	row, _, err := s.claimNotification(ctx, n, models.NotificationPending, 0)
	return row, err
}

// StartNotification is ClaimNotification for a sender about to call the
// provider: a new row is written already sending, its first attempt
// counted, in the one statement (started is then true). A row that existed
// is returned as stored, and the caller marks its attempt with MarkSending
// if it is to be sent again.
func (s *Store) StartNotification(ctx context.Context, n models.Notification) (row models.Notification, started bool, err error) {
	return s.claimNotification(ctx, n, models.NotificationSending, 1)
}

func (s *Store) claimNotification(ctx context.Context, n models.Notification, status string, attempts int) (models.Notification, bool, error) {
	n.ID, n.Status, n.Attempts, n.CreatedAt, n.UpdatedAt = NewID(), status, attempts, s.now(), s.now()
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "idempotency_key"}}, DoNothing: true}).Create(&n)
	if res.Error != nil {
		return models.Notification{}, false, res.Error
	}
	if res.RowsAffected == 1 {
		return n, true, nil // the row is this one: no need to read it back
	}
	var stored models.Notification
	err := s.conn(ctx).Where("idempotency_key = ?", n.IdempotencyKey).Take(&stored).Error
	return stored, false, err
}

// MarkSending records an attempt about to call the provider.
func (s *Store) MarkSending(ctx context.Context, id string) error {
	return s.conn(ctx).Exec(`UPDATE notifications SET status = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`,
		models.NotificationSending, s.now(), id).Error
}

// MarkSent records the provider's acceptance and its message id.
func (s *Store) MarkSent(ctx context.Context, id, provider, providerID string) error {
	now := s.now()
	return s.conn(ctx).Model(&models.Notification{}).Where("id = ?", id).Updates(map[string]any{
		"status": models.NotificationSent, "provider": provider, "provider_message_id": providerID, "last_error": "", "sent_at": now, "updated_at": now,
	}).Error
}

// MarkAttemptFailed records a failed attempt: permanent failures end in
// "failed", transient ones go back to "pending" for the retry.
func (s *Store) MarkAttemptFailed(ctx context.Context, id string, permanent bool, reason string) error {
	status := models.NotificationPending
	if permanent {
		status = models.NotificationFailed
	}
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return s.conn(ctx).Model(&models.Notification{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "last_error": reason, "updated_at": s.now()}).Error
}

// ApplyDeliveryStatus moves a sent message forward from a provider's
// webhook, found by its idempotency key or provider message id. It never
// moves a message back, and reports whether a row matched.
func (s *Store) ApplyDeliveryStatus(ctx context.Context, key, providerID, status, reason string) (bool, error) {
	var n models.Notification
	q := s.conn(ctx)
	switch {
	case key != "":
		q = q.Where("idempotency_key = ?", key)
	case providerID != "":
		q = q.Where("provider_message_id = ?", providerID)
	default:
		return false, nil
	}
	if err := q.Take(&n).Error; err != nil {
		if isNotFound(mapErr(err, "notification", key)) {
			return false, nil
		}
		return false, err
	}
	if models.NotificationRank(status) <= models.NotificationRank(n.Status) {
		return true, nil
	}
	updates := map[string]any{"status": status, "updated_at": s.now()}
	if reason != "" {
		updates["last_error"] = reason
	}
	return true, s.conn(ctx).Model(&models.Notification{}).Where("id = ?", n.ID).Updates(updates).Error
}

// NotificationByID reads one message.
func (s *Store) NotificationByID(ctx context.Context, id string) (models.Notification, error) {
	var n models.Notification
	err := s.conn(ctx).Where("id = ?", id).Take(&n).Error
	return n, mapErr(err, "notification", id)
}

// NotificationFilter narrows a notification list.
type NotificationFilter struct {
	OrderID, OwnerKind, OwnerID, Status string
}

// ListNotifications pages through messages, newest last.
func (s *Store) ListNotifications(ctx context.Context, f NotificationFilter, p Page) (List[models.Notification], error) {
	q := whereEq(s.conn(ctx).Model(&models.Notification{}),
		"order_id", f.OrderID, "owner_kind", f.OwnerKind, "owner_id", f.OwnerID, "status", f.Status)
	return listAfter(q, "id", p, func(n models.Notification) string { return n.ID })
}

// Preferences lists an owner's channel choices.
func (s *Store) Preferences(ctx context.Context, ownerKind, ownerID string) ([]models.Preference, error) {
	var out []models.Preference
	err := s.conn(ctx).Where("owner_kind = ? AND owner_id = ?", ownerKind, ownerID).Order("event, channel").Find(&out).Error
	return out, err
}

// SetPreference turns a channel on or off for an event kind.
func (s *Store) SetPreference(ctx context.Context, p models.Preference) error {
	p.UpdatedAt = s.now()
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "owner_kind"}, {Name: "owner_id"}, {Name: "event"}, {Name: "channel"}},
		DoUpdates: clause.AssignmentColumns([]string{"enabled", "updated_by", "updated_at"}),
	}).Create(&p).Error
}

// NotificationByKey reads one message by its idempotency key.
func (s *Store) NotificationByKey(ctx context.Context, key string) (models.Notification, error) {
	var n models.Notification
	err := s.conn(ctx).Where("idempotency_key = ?", key).Take(&n).Error
	return n, mapErr(err, "notification", key)
}

// MarketingConsent reports whether a customer agreed to marketing messages.
func (s *Store) MarketingConsent(ctx context.Context, customerID string) (bool, error) {
	var v *bool
	if err := s.conn(ctx).Raw(`SELECT marketing_consent FROM customers WHERE id = ?`, customerID).Scan(&v).Error; err != nil {
		return false, err
	}
	if v == nil {
		return false, models.NotFound("customer", customerID)
	}
	return *v, nil
}

// SetMarketingConsent records a customer's choice: when consent was given
// (kept while it stands), and each withdrawal, which campaigns count as an
// unsubscribe.
func (s *Store) SetMarketingConsent(ctx context.Context, customerID string, consent bool) error {
	return s.Tx(ctx, func(tx *Store) error {
		var had []bool
		if err := tx.locking(tx.conn(ctx)).Model(&models.Customer{}).Where("id = ?", customerID).Pluck("marketing_consent", &had).Error; err != nil {
			return err
		}
		if len(had) == 0 {
			return models.NotFound("customer", customerID)
		}
		if had[0] == consent {
			return nil
		}
		now := s.now()
		var at any
		if consent {
			at = now
		}
		if err := tx.conn(ctx).Exec(`UPDATE customers SET marketing_consent = ?, marketing_consent_at = ? WHERE id = ?`, consent, at, customerID).Error; err != nil {
			return err
		}
		if consent {
			return nil
		}
		return tx.conn(ctx).Exec(`INSERT INTO marketing_unsubscribes (id, customer_id, created_at) VALUES (?, ?, ?)`, NewID(), customerID, now).Error
	})
}

// PurgeNotificationBodies empties the subject and text of messages written
// before cutoff that are no longer being sent, and deletes the dev outbox's
// copies from before it: a message's words (names, addresses, what was
// bought) are kept for Q2C_NOTIFICATION_RETENTION, while the row itself (to
// whom, when, which event, its delivery status) stays for support. It says
// how many messages lost their text.
func (s *Store) PurgeNotificationBodies(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Exec(`UPDATE notifications SET subject = '', body_text = '', body_html = '', updated_at = ?
			WHERE created_at < ? AND status NOT IN (?, ?) AND body_text <> ''`, s.now(), cutoff, models.NotificationPending, models.NotificationSending)
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return tx.conn(ctx).Where("created_at < ?", cutoff).Delete(&models.OutboxMessage{}).Error
	})
	return n, err
}

// Purged reports whether a message's text was removed after the retention
// period (PurgeNotificationBodies): it can no longer be sent again.
func Purged(n models.Notification) bool { return n.BodyText == "" }
