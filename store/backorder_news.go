package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Contact is where a message for a person goes.
type Contact struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// BackorderNotice is a backorder with news to tell, and whom to tell.
type BackorderNotice struct {
	models.Backorder
	Customer Contact  `json:"customer"`
	Rep      *Contact `json:"rep,omitempty"` // the sales rep who made the quote, if a person did
}

// BackorderNews is what a SKU's allocator has to tell: backorders changed
// since they were last announced, and pick lists not yet sent.
type BackorderNews struct {
	Backorders []BackorderNotice      `json:"backorders"`
	Runs       []models.AllocationRun `json:"runs"`
	// Product says whether the SKU is made to order (production is told).
	MakeToOrder bool `json:"make_to_order"`
	More        bool `json:"more"` // more news than fitted in this batch
}

// PendingNews reads up to limit changed backorders and the unsent pick
// lists of a SKU, oldest first.
func (s *Store) PendingNews(ctx context.Context, sku string, limit int) (BackorderNews, error) {
	var out BackorderNews
	var rows []models.Backorder
	if err := s.conn(ctx).Where("sku = ? AND rev > announced_rev", sku).Order("id").Limit(limit + 1).Find(&rows).Error; err != nil {
		return out, err
	}
	if len(rows) > limit {
		rows, out.More = rows[:limit], true
	}
	contacts := map[string]Contact{}
	for _, b := range rows {
		c, ok := contacts[b.CustomerID]
		if !ok {
			cust, err := s.CustomerByID(ctx, b.CustomerID)
			if err != nil {
				return out, err
			}
			c = Contact{ID: cust.ID, Name: cust.Name, Email: cust.Email, Phone: cust.Phone}
			contacts[b.CustomerID] = c
		}
		n := BackorderNotice{Backorder: b, Customer: c}
		var rep []Contact
		if err := s.conn(ctx).Raw(`SELECT u.id, u.name, u.email, u.phone FROM orders o JOIN quotes q ON q.id = o.quote_id
			JOIN users u ON q.created_by = 'user:' || u.id WHERE o.id = ? AND u.active AND u.customer_id IS NULL`, b.OrderID).
			Scan(&rep).Error; err != nil {
			return out, err
		}
		if len(rep) == 1 {
			n.Rep = &rep[0]
		}
		out.Backorders = append(out.Backorders, n)
	}
	var runs []struct {
		ID, SKU, Trigger, Picks string
	}
	if err := s.conn(ctx).Raw(`SELECT id, sku, trigger, picks FROM allocation_runs WHERE sku = ? AND announced_at IS NULL ORDER BY id LIMIT ?`,
		sku, limit).Scan(&runs).Error; err != nil {
		return out, err
	}
	for _, r := range runs {
		run := models.AllocationRun{ID: r.ID, SKU: r.SKU, Trigger: r.Trigger}
		if err := json.Unmarshal([]byte(r.Picks), &run.Picks); err != nil {
			return out, fmt.Errorf("allocation run %s: %w", r.ID, err)
		}
		out.Runs = append(out.Runs, run)
	}
	var p models.Product
	if err := s.conn(ctx).Where("sku = ?", sku).Take(&p).Error; err != nil {
		return out, mapErr(err, "product", sku)
	}
	out.MakeToOrder = p.MakeToOrder
	return out, nil
}

// Announced says which news was told: each backorder up to the revision
// told and with the ETA the customer now knows, and each pick list sent.
type Announced struct {
	Backorders []AnnouncedBackorder `json:"backorders"`
	Runs       []string             `json:"runs"`
}

// AnnouncedBackorder is one backorder's news, told.
type AnnouncedBackorder struct {
	ID      string     `json:"id"`
	Rev     int        `json:"rev"`
	ToldETA *time.Time `json:"told_eta,omitempty"` // nil: the customer was not told a date this time
}

// MarkAnnounced records what was told. It never moves a backorder's
// announced revision back, so a late retry changes nothing.
func (s *Store) MarkAnnounced(ctx context.Context, a Announced) error {
	return s.Tx(ctx, func(tx *Store) error {
		for _, b := range a.Backorders {
			upd := map[string]any{"announced_rev": b.Rev}
			if b.ToldETA != nil {
				upd["told_eta"] = b.ToldETA.UTC()
			}
			if err := tx.conn(ctx).Model(&models.Backorder{}).Where("id = ? AND announced_rev < ?", b.ID, b.Rev).Updates(upd).Error; err != nil {
				return err
			}
		}
		if len(a.Runs) == 0 {
			return nil
		}
		return tx.conn(ctx).Exec(`UPDATE allocation_runs SET announced_at = ? WHERE id IN ? AND announced_at IS NULL`, s.now(), a.Runs).Error
	})
}

// overdue selects waiting backorders past their ETA whose current ETA has
// not been escalated yet: the one condition escalation, the overdue
// dashboard filter and the sweep share.
const overdue = "status IN ('open', 'partially_filled') AND eta < ? AND (escalated_eta IS NULL OR escalated_eta <> eta)"

// EscalateOverdue marks every overdue backorder of a SKU escalated for its
// current ETA and returns them; each ETA escalates once.
func (s *Store) EscalateOverdue(ctx context.Context, sku string, now time.Time) ([]models.Backorder, error) {
	var rows []models.Backorder
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.locking(tx.conn(ctx)).Where("sku = ? AND "+overdue, sku, now.UTC()).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		for _, b := range rows {
			if err := tx.conn(ctx).Model(&models.Backorder{}).Where("id = ?", b.ID).
				Updates(map[string]any{"escalated_eta": b.ETA, "updated_at": s.now()}).Error; err != nil {
				return err
			}
			detail := fmt.Sprintf("past its ETA %s with %d still waiting (%s %s)", b.ETA.Format(time.DateOnly), b.Waiting(), b.ETASource, b.ETARef)
			if err := tx.addEvent(ctx, b.ID, models.BackorderEventEscalated, "system", b.Waiting(), detail); err != nil {
				return err
			}
		}
		return nil
	})
	return rows, err
}

// NextEscalation is the earliest ETA of a SKU's waiting backorders that
// would escalate when it passes; ok is false when there is none.
func (s *Store) NextEscalation(ctx context.Context, sku string) (at time.Time, ok bool, err error) {
	var b models.Backorder
	err = s.conn(ctx).Where("sku = ? AND status IN ? AND (escalated_eta IS NULL OR escalated_eta <> eta)", sku, waitingStatuses).
		Order("eta").Limit(1).Find(&b).Error
	return b.ETA, err == nil && b.ID != "", err
}

// WaitingSummary is a SKU's waiting demand, for production.
type WaitingSummary struct {
	SKU      string    `json:"sku"`
	Qty      int64     `json:"qty"`
	Orders   int64     `json:"orders"`
	Earliest time.Time `json:"earliest"` // the earliest promised date
}

// Waiting sums up what waits for a SKU.
func (s *Store) Waiting(ctx context.Context, sku string) (WaitingSummary, error) {
	var rows []models.Backorder
	err := s.conn(ctx).Where("sku = ? AND status IN ?", sku, waitingStatuses).Find(&rows).Error
	out := WaitingSummary{SKU: sku}
	orders := map[string]bool{}
	for _, b := range rows {
		out.Qty += b.Waiting()
		orders[b.OrderID] = true
		if out.Earliest.IsZero() || b.PromisedAt.Before(out.Earliest) {
			out.Earliest = b.PromisedAt
		}
	}
	out.Orders = int64(len(orders))
	return out, err
}

// SKUsNeedingAttention lists SKUs with untold news, unsent pick lists or
// unescalated overdue backorders, for the sweep that wakes their
// allocators if a wake-up was lost.
func (s *Store) SKUsNeedingAttention(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var skus []string
	err := s.conn(ctx).Raw(`SELECT sku FROM backorders WHERE rev > announced_rev
		UNION SELECT sku FROM allocation_runs WHERE announced_at IS NULL
		UNION SELECT sku FROM backorders WHERE `+overdue+` ORDER BY 1 LIMIT ?`, now.UTC(), limit).Scan(&skus).Error
	return skus, err
}
