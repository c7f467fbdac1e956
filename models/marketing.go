package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// How a segment filters on backorders.
const (
	BackordersAny  = ""     // no filter
	BackordersOpen = "open" // waits on a backorder now
	BackordersEver = "ever" // had a backorder in the period
	BackordersNone = "none" // never had one
)

// DefaultSegmentPeriodDays is the window frequency, spend and "ever
// backordered" look back over when a filter does not say.
const DefaultSegmentPeriodDays = 365

// SegmentFilter selects customers. Every condition set must hold; an
// empty filter selects every customer.
type SegmentFilter struct {
	Regions  []string `json:"regions,omitempty"`
	Segments []string `json:"segments,omitempty"`
	Tiers    []int    `json:"tiers,omitempty"`
	// Recency: ordered within the last OrderedWithinDays, or not for the
	// last NotOrderedForDays (lapsed customers).
	OrderedWithinDays int `json:"ordered_within_days,omitempty"`
	NotOrderedForDays int `json:"not_ordered_for_days,omitempty"`
	// Frequency and spend over the last PeriodDays (default 365): at
	// least MinOrders orders not cancelled, at least MinSpend minor units
	// of Currency ordered (never summed across currencies).
	PeriodDays int      `json:"period_days,omitempty"`
	MinOrders  int      `json:"min_orders,omitempty"`
	MinSpend   int64    `json:"min_spend,omitempty"`
	Currency   Currency `json:"currency,omitempty"`
	// Backorders: "" any, open, ever (in the period) or none.
	Backorders string `json:"backorders,omitempty"`
}

// Validate names the field of every problem.
func (f SegmentFilter) Validate() error {
	var v Validator
	for i, t := range f.Tiers {
		v.Check(t >= 1 && t <= 9, fmt.Sprintf("tiers[%d]", i), "must be between 1 and 9")
	}
	for i, r := range f.Regions {
		v.Text(fmt.Sprintf("regions[%d]", i), r, true, MaxCodeLen)
	}
	for i, s := range f.Segments {
		v.Text(fmt.Sprintf("segments[%d]", i), s, true, MaxCodeLen)
	}
	const maxDays = 3650
	v.Check(f.OrderedWithinDays >= 0 && f.OrderedWithinDays <= maxDays, "ordered_within_days", fmt.Sprintf("must be between 0 and %d days", maxDays))
	v.Check(f.NotOrderedForDays >= 0 && f.NotOrderedForDays <= maxDays, "not_ordered_for_days", fmt.Sprintf("must be between 0 and %d days", maxDays))
	v.Check(f.OrderedWithinDays == 0 || f.NotOrderedForDays == 0 || f.NotOrderedForDays < f.OrderedWithinDays, "not_ordered_for_days",
		"must be fewer days than ordered_within_days, or no customer can match")
	v.Check(f.PeriodDays >= 0 && f.PeriodDays <= maxDays, "period_days", fmt.Sprintf("must be between 0 and %d days", maxDays))
	v.Check(f.MinOrders >= 0 && f.MinOrders <= 100000, "min_orders", "must be between 0 and 100000")
	v.Check(f.MinSpend >= 0 && f.MinSpend <= MaxAmount, "min_spend", fmt.Sprintf("must be between 0 and %d minor units", MaxAmount))
	v.Check(f.MinSpend == 0 || len(f.Currency) == 3 && strings.ToUpper(string(f.Currency)) == string(f.Currency), "currency",
		"a minimum spend needs its ISO currency, such as USD")
	v.Check(slices.Contains([]string{BackordersAny, BackordersOpen, BackordersEver, BackordersNone}, f.Backorders), "backorders",
		"must be open, ever or none")
	return v.Err()
}

// Period is the window frequency and spend look back over.
func (f SegmentFilter) Period() int {
	if f.PeriodDays == 0 {
		return DefaultSegmentPeriodDays
	}
	return f.PeriodDays
}

// Segment is a saved filter, evaluated again each time it is used.
type Segment struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Filter    SegmentFilter `json:"filters" gorm:"column:filters;serializer:json"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
}

func (Segment) TableName() string { return "segments" }

// SegmentCount is how many customers a filter selects now, and how many
// of them consented to marketing.
type SegmentCount struct {
	Customers int64 `json:"customers"`
	Consented int64 `json:"consented"`
}

// SegmentMember is a customer a segment selects, as an export lists it.
type SegmentMember struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Region    string     `json:"region"`
	Segment   string     `json:"segment"`
	Tier      int        `json:"tier"`
	ConsentAt *time.Time `json:"consent_at,omitempty" gorm:"column:marketing_consent_at"`
	Consented bool       `json:"consented" gorm:"column:marketing_consent"`
}

// Campaign statuses.
const (
	CampaignRunning   = "running"
	CampaignPaused    = "paused"
	CampaignCancelled = "cancelled"
	CampaignCompleted = "completed"
)

// Campaign sends the promotion message to a segment's consenting customers.
type Campaign struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	SegmentID string    `json:"segment_id"`
	Headline  string    `json:"headline"`
	Body      string    `json:"body"`
	PerMinute int       `json:"per_minute"`
	Status    string    `json:"status"`
	Audience  int64     `json:"audience"`
	Sent      int64     `json:"sent"`
	Rev       int       `json:"rev"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (Campaign) TableName() string { return "campaigns" }

// CampaignKeyPrefix prefixes the idempotency keys of a campaign's messages;
// CampaignMessageKey is one recipient's: each gets the message once.
func CampaignKeyPrefix(campaignID string) string { return "Campaign:" + campaignID + "/" }

// CampaignMessageKey is the idempotency key of a campaign's message to one customer.
func CampaignMessageKey(campaignID, customerID string) string {
	return CampaignKeyPrefix(campaignID) + customerID
}

// CampaignResults are what the provider's webhooks said of a campaign's
// messages: Sent counts every message handed over (delivered and bounced
// ones too); Refused those held back because consent was withdrawn before
// their turn; Unsubscribed the recipients who withdrew consent after the
// campaign started.
type CampaignResults struct {
	Sent         int64 `json:"sent"`
	Delivered    int64 `json:"delivered"`
	Bounced      int64 `json:"bounced"`
	Refused      int64 `json:"refused"`
	Unsubscribed int64 `json:"unsubscribed"`
}
