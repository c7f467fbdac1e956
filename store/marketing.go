package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/models"
)

// segmentQuery selects the customers a filter matches at now.
func (s *Store) segmentQuery(ctx context.Context, f models.SegmentFilter, now time.Time) *gorm.DB {
	q := s.conn(ctx).Model(&models.Customer{})
	lower := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strings.ToLower(x)
		}
		return out
	}
	// Regions and segments are typed by people: "us-ca" is US-CA.
	if len(f.Regions) > 0 {
		q = q.Where("LOWER(region) IN ?", lower(f.Regions))
	}
	if len(f.Segments) > 0 {
		q = q.Where("LOWER(segment) IN ?", lower(f.Segments))
	}
	if len(f.Tiers) > 0 {
		q = q.Where("tier IN ?", f.Tiers)
	}
	daysAgo := func(d int) time.Time { return now.AddDate(0, 0, -d).UTC() }
	const ordered = "SELECT 1 FROM orders o WHERE o.customer_id = customers.id AND o.created_at >= ?"
	if f.OrderedWithinDays > 0 {
		q = q.Where("EXISTS ("+ordered+")", daysAgo(f.OrderedWithinDays))
	}
	if f.NotOrderedForDays > 0 {
		q = q.Where("NOT EXISTS ("+ordered+")", daysAgo(f.NotOrderedForDays))
	}
	since := daysAgo(f.Period())
	if f.MinOrders > 0 {
		q = q.Where("(SELECT COUNT(*) FROM orders o WHERE o.customer_id = customers.id AND o.created_at >= ? AND o.status <> ?) >= ?",
			since, "cancelled", f.MinOrders)
	}
	if f.MinSpend > 0 {
		q = q.Where(`(SELECT COALESCE(SUM(o.total), 0) FROM orders o WHERE o.customer_id = customers.id AND o.currency = ?
			AND o.created_at >= ? AND o.status <> ?) >= ?`, f.Currency, since, "cancelled", f.MinSpend)
	}
	const backordered = "SELECT 1 FROM backorders b WHERE b.customer_id = customers.id"
	switch f.Backorders {
	case models.BackordersOpen:
		q = q.Where("EXISTS ("+backordered+" AND b.status IN ?)", []string{models.BackorderOpen, models.BackorderPartiallyFilled})
	case models.BackordersEver:
		q = q.Where("EXISTS ("+backordered+" AND b.created_at >= ?)", since)
	case models.BackordersNone:
		q = q.Where("NOT EXISTS (" + backordered + ")")
	}
	return q
}

// CountSegment counts the customers a filter selects now and those of
// them who consented to marketing.
func (s *Store) CountSegment(ctx context.Context, f models.SegmentFilter, now time.Time) (models.SegmentCount, error) {
	var out models.SegmentCount
	if err := f.Validate(); err != nil {
		return out, err
	}
	err := s.segmentQuery(ctx, f, now).Select("COUNT(*) AS customers, COALESCE(SUM(CASE WHEN marketing_consent THEN 1 ELSE 0 END), 0) AS consented").
		Scan(&out).Error
	return out, err
}

// SegmentMembers lists the customers a filter selects now, by name;
// consentedOnly keeps those who consented to marketing (an export).
func (s *Store) SegmentMembers(ctx context.Context, f models.SegmentFilter, now time.Time, consentedOnly bool, limit int) ([]models.SegmentMember, error) {
	q := s.segmentQuery(ctx, f, now).Select("id, name, email, region, segment, tier, marketing_consent, marketing_consent_at")
	if consentedOnly {
		q = q.Where("marketing_consent")
	}
	out := []models.SegmentMember{}
	err := q.Order("name").Order("id").Limit(limit).Scan(&out).Error
	for i := range out {
		if err == nil {
			out[i].Email, err = s.open("customers", "email", out[i].Email)
		}
	}
	return out, err
}

// CreateSegment saves a named filter.
func (s *Store) CreateSegment(ctx context.Context, seg *models.Segment) error {
	var v models.Validator
	seg.Name = strings.TrimSpace(seg.Name)
	v.Text("name", seg.Name, true, models.MaxNameLen)
	if err := v.Err(); err != nil {
		return err
	}
	if err := seg.Filter.Validate(); err != nil {
		return err
	}
	seg.ID, seg.CreatedAt = NewID(), s.now()
	if err := s.conn(ctx).Create(seg).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return models.Invalid("name", "a segment is already called %q", seg.Name)
		}
		return err
	}
	return nil
}

// SegmentByID reads a saved segment.
func (s *Store) SegmentByID(ctx context.Context, id string) (models.Segment, error) {
	var seg models.Segment
	err := s.conn(ctx).Where("id = ?", id).Take(&seg).Error
	return seg, mapErr(err, "segment", id)
}

// ListSegments lists saved segments by name.
func (s *Store) ListSegments(ctx context.Context) ([]models.Segment, error) {
	out := []models.Segment{}
	err := s.conn(ctx).Order("name").Limit(500).Find(&out).Error
	return out, err
}

// CreateCampaign records a campaign before its workflow starts; the same
// id again answers with the campaign already recorded.
func (s *Store) CreateCampaign(ctx context.Context, c *models.Campaign) error {
	var v models.Validator
	c.Name, c.Headline, c.Body = strings.TrimSpace(c.Name), strings.TrimSpace(c.Headline), strings.TrimSpace(c.Body)
	v.Text("name", c.Name, true, models.MaxNameLen)
	v.Text("headline", c.Headline, true, models.MaxNameLen)
	v.Check(!strings.ContainsAny(c.Headline, "\r\n"), "headline", "must be one line (it becomes the email's subject)")
	v.Text("body", c.Body, true, models.MaxNoteLen)
	v.Check(c.PerMinute >= 1 && c.PerMinute <= MaxCampaignPerMinute, "per_minute", fmt.Sprintf("must be between 1 and %d messages a minute", MaxCampaignPerMinute))
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := s.SegmentByID(ctx, c.SegmentID); err != nil {
		return notFoundField(err, "segment_id")
	}
	now := s.now()
	c.Status, c.CreatedAt, c.UpdatedAt = models.CampaignRunning, now, now
	return mapErr(s.conn(ctx).Create(c).Error, "campaign", c.ID) // a conflict: recorded already
}

// MaxCampaignPerMinute bounds a campaign's pace (and a batch of its workflow).
const MaxCampaignPerMinute = 600

// FreezeAudience fixes a campaign's audience: the segment's customers who
// consent now. A repeat (an activity retry) keeps the first audience.
func (s *Store) FreezeAudience(ctx context.Context, campaignID string, now time.Time) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Store) error {
		var c models.Campaign
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", campaignID).Take(&c).Error; err != nil {
			return mapErr(err, "campaign", campaignID)
		}
		if err := tx.conn(ctx).Table("campaign_recipients").Where("campaign_id = ?", campaignID).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		seg, err := tx.SegmentByID(ctx, c.SegmentID)
		if err != nil {
			return err
		}
		var ids []string
		if err := tx.segmentQuery(ctx, seg.Filter, now).Where("marketing_consent").Order("id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		rows := make([]campaignRecipient, len(ids))
		for i, id := range ids {
			rows[i] = campaignRecipient{CampaignID: campaignID, CustomerID: id}
		}
		if len(rows) > 0 {
			if err := tx.conn(ctx).CreateInBatches(rows, 500).Error; err != nil {
				return err
			}
		}
		n = int64(len(rows))
		return tx.conn(ctx).Model(&models.Campaign{}).Where("id = ?", campaignID).Update("audience", n).Error
	})
	return n, err
}

type campaignRecipient struct {
	CampaignID string
	CustomerID string
}

func (campaignRecipient) TableName() string { return "campaign_recipients" }

// CampaignBatch is the next recipients of a campaign after a customer ID,
// in ID order, with what their message needs.
func (s *Store) CampaignBatch(ctx context.Context, campaignID, after string, limit int) ([]models.Contact, error) {
	out := []models.Contact{}
	err := s.conn(ctx).Raw(`SELECT c.id, c.name, c.email, c.phone FROM campaign_recipients r JOIN customers c ON c.id = r.customer_id
		WHERE r.campaign_id = ? AND r.customer_id > ? ORDER BY r.customer_id LIMIT ?`, campaignID, after, limit).Scan(&out).Error
	for i := range out {
		if err == nil {
			err = s.openContact("customers", &out[i])
		}
	}
	return out, err
}

// SaveCampaign writes a campaign's progress; a newer revision wins.
func (s *Store) SaveCampaign(ctx context.Context, c models.Campaign) error {
	return s.conn(ctx).Model(&models.Campaign{}).Where("id = ? AND rev < ?", c.ID, c.Rev).
		Updates(map[string]any{"status": c.Status, "sent": c.Sent, "rev": c.Rev, "updated_at": s.now()}).Error
}

// CampaignByID reads a campaign.
func (s *Store) CampaignByID(ctx context.Context, id string) (models.Campaign, error) {
	var c models.Campaign
	err := s.conn(ctx).Where("id = ?", id).Take(&c).Error
	return c, mapErr(err, "campaign", id)
}

// ListCampaigns pages through campaigns, newest first.
func (s *Store) ListCampaigns(ctx context.Context, p Page) (List[models.Campaign], error) {
	return listNewestFirst(s.conn(ctx).Model(&models.Campaign{}), "id", p, func(c models.Campaign) string { return c.ID })
}

// CampaignResults counts what happened to a campaign's messages, from the
// notification records the provider webhooks update, and the recipients
// who unsubscribed after it started.
func (s *Store) CampaignResults(ctx context.Context, c models.Campaign) (models.CampaignResults, error) {
	var out models.CampaignResults
	var rows []struct {
		Status string
		N      int64
	}
	// Emails only: a recipient who takes offers by SMS too is one recipient.
	if err := s.conn(ctx).Raw(`SELECT status, COUNT(*) AS n FROM notifications WHERE idempotency_key LIKE ? AND channel = ? GROUP BY status`,
		models.CampaignKeyPrefix(c.ID)+"%", models.ChannelEmail).Scan(&rows).Error; err != nil {
		return out, err
	}
	for _, r := range rows {
		switch r.Status {
		case models.NotificationSent:
			out.Sent += r.N
		case models.NotificationDelivered:
			out.Sent, out.Delivered = out.Sent+r.N, out.Delivered+r.N
		case models.NotificationBounced:
			out.Sent, out.Bounced = out.Sent+r.N, out.Bounced+r.N
		case models.NotificationFailed:
			out.Refused += r.N
		}
	}
	err := s.conn(ctx).Raw(`SELECT COUNT(DISTINCT u.customer_id) FROM marketing_unsubscribes u
		JOIN campaign_recipients r ON r.customer_id = u.customer_id WHERE r.campaign_id = ? AND u.created_at >= ?`, c.ID, c.CreatedAt).
		Scan(&out.Unsubscribed).Error
	return out, err
}
