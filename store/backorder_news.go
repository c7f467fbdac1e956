package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/backorder"
	"github.com/q2c-dev/q2c/models"
)

// PendingNews reads up to limit changed backorders and the unsent pick
// lists of a SKU, oldest first.
func (s *Store) PendingNews(ctx context.Context, sku string, limit int) (models.BackorderNews, error) {
	var out models.BackorderNews
	var rows []models.Backorder
	if err := s.conn(ctx).Where("sku = ? AND rev > announced_rev", sku).Order("id").Limit(limit + 1).Find(&rows).Error; err != nil {
		return out, err
	}
	if len(rows) > limit {
		rows, out.More = rows[:limit], true
	}
	contacts, reps, err := s.newsContacts(ctx, rows)
	if err != nil {
		return out, err
	}
	for _, b := range rows {
		c, ok := contacts[b.CustomerID]
		if !ok {
			return out, fmt.Errorf("backorder %s: %w: customer %s", b.ID, models.ErrNotFound, b.CustomerID)
		}
		n := models.BackorderNotice{Backorder: b, Customer: c, New: b.AnnouncedRev == 0}
		if rep := reps[b.OrderID]; len(rep) == 1 {
			n.Rep = &rep[0]
		}
		out.Backorders = append(out.Backorders, n)
	}
	var runs []struct {
		ID, SKU, Trigger, Picks string
	}
	if err := s.conn(ctx).Raw(`SELECT id, sku, trigger, picks FROM allocation_runs WHERE sku = ? AND announced_at IS NULL ORDER BY created_at, id LIMIT ?`,
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
	if !p.MakeToOrder && len(out.Backorders) > 0 {
		c, err := s.stockCoverage(ctx, sku)
		if err != nil {
			return out, err
		}
		out.Coverage = &c
	}
	return out, nil
}

// newsContacts reads, in two queries for any number of backorders, their
// customers and the sales reps who quoted their orders (a rep when the
// quote was a staff member's, none when the customer quoted for itself).
func (s *Store) newsContacts(ctx context.Context, rows []models.Backorder) (map[string]models.Contact, map[string][]models.Contact, error) {
	contacts, reps := map[string]models.Contact{}, map[string][]models.Contact{}
	if len(rows) == 0 {
		return contacts, reps, nil
	}
	var customerIDs, orderIDs []string
	for _, b := range rows {
		customerIDs, orderIDs = append(customerIDs, b.CustomerID), append(orderIDs, b.OrderID)
	}
	slices.Sort(customerIDs)
	slices.Sort(orderIDs)
	var customers []models.Customer
	if err := s.conn(ctx).Where("id IN ?", slices.Compact(customerIDs)).Find(&customers).Error; err != nil {
		return nil, nil, err
	}
	for _, c := range customers {
		contacts[c.ID] = models.Contact{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone}
	}
	var found []struct {
		OrderID string
		models.Contact
	}
	if err := s.conn(ctx).Raw(`SELECT o.id AS order_id, u.id, u.name, u.email, u.phone FROM orders o JOIN quotes q ON q.id = o.quote_id
		JOIN users u ON q.created_by = 'user:' || u.id WHERE o.id IN ? AND u.active AND u.customer_id IS NULL`, slices.Compact(orderIDs)).
		Scan(&found).Error; err != nil {
		return nil, nil, err
	}
	for _, f := range found {
		if err := s.openContact("users", &f.Contact); err != nil {
			return nil, nil, err
		}
		reps[f.OrderID] = append(reps[f.OrderID], f.Contact)
	}
	return contacts, reps, nil
}

// stockCoverage sums what a SKU's waiting backorders need, its free stock
// and what its open supply orders still bring.
func (s *Store) stockCoverage(ctx context.Context, sku string) (models.StockCoverage, error) {
	var c []models.StockCoverage
	err := s.conn(ctx).Raw(`SELECT
		(SELECT COALESCE(SUM(qty_short - qty_filled - qty_cancelled), 0) FROM backorders WHERE sku = ? AND status IN (?, ?)) AS waiting,
		(SELECT COALESCE(SUM(on_hand - reserved), 0) FROM stock_levels WHERE sku = ?) AS free,
		(SELECT COALESCE(SUM(qty - received_qty), 0) FROM supply_orders WHERE sku = ? AND status = 'open') AS on_order`,
		sku, models.BackorderOpen, models.BackorderPartiallyFilled, sku, sku).Scan(&c).Error
	if err != nil || len(c) == 0 {
		return models.StockCoverage{}, err
	}
	return c[0], nil
}

// MarkAnnounced records what was told. It never moves a backorder's
// announced revision back, so a late retry changes nothing.
func (s *Store) MarkAnnounced(ctx context.Context, a models.Announced) error {
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

// Waiting sums up what waits for a SKU.
// The schedule lists what waits in priority order with the dates promised.
func (s *Store) Waiting(ctx context.Context, sku string) (models.WaitingSummary, error) {
	var rows []models.Backorder
	out := models.WaitingSummary{SKU: sku}
	if err := s.conn(ctx).Where("sku = ? AND status IN ?", sku, waitingStatuses).Find(&rows).Error; err != nil {
		return out, err
	}
	byID := make(map[string]models.Backorder, len(rows))
	lines := make([]backorder.Line, 0, len(rows))
	orders := map[string]bool{}
	for _, b := range rows {
		out.Qty += b.Waiting()
		orders[b.OrderID] = true
		if out.Earliest.IsZero() || b.PromisedAt.Before(out.Earliest) {
			out.Earliest = b.PromisedAt
		}
		byID[b.ID] = b
		lines = append(lines, backorderLine(&b, models.Product{}))
	}
	out.Orders = int64(len(orders))
	var sched []string
	for i, l := range s.policy.Sort(lines) {
		if i == 20 {
			sched = append(sched, fmt.Sprintf("… and %d more", len(lines)-i))
			break
		}
		b := byID[l.ID]
		sched = append(sched, fmt.Sprintf("%d. %s line %d: %d for %s (tier %d), promised %s", i+1, b.OrderID, b.LineNo, b.Waiting(),
			b.CustomerName, b.CustomerTier, b.PromisedAt.Format(time.DateOnly)))
	}
	out.Schedule = strings.Join(sched, "\n")
	return out, nil
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
