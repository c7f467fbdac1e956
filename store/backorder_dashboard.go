package store

import (
	"context"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/backorder"
	"github.com/q2c-dev/q2c/models"
)

// BackorderFilter narrows the backorder dashboard. Empty fields mean any.
type BackorderFilter struct {
	Statuses   []string
	Tier       int
	SKU        string
	CustomerID string
	Region     string
	ETAFrom    time.Time // ETA on or after
	ETATo      time.Time // ETA before
	MinAgeDays int       // created at least this many days before Now
	MaxAgeDays int       // created at most this many days before Now (0: any)
	Overdue    bool      // waiting, past its ETA
	Now        time.Time
}

// Backorder sort keys: each sorts in its own order (below; eta soonest
// first), and Desc reverses it. Ties end on the id, so pages never skip or
// repeat a row.
const (
	SortETA      = "eta"
	SortPriority = "priority" // the priority policy in force: who gets stock first
	SortAge      = "age"      // oldest first
	SortValue    = "value"    // largest value waiting first
	SortCreated  = "created"  // newest first
)

// BackorderSorts lists the sort keys.
var BackorderSorts = []string{SortETA, SortPriority, SortAge, SortValue, SortCreated}

// BackorderSort orders the dashboard.
type BackorderSort struct {
	Key  string
	Desc bool
}

type sortCol struct {
	col  string
	desc bool
	val  func(models.Backorder) any
}

func (s *Store) sortColumns(o BackorderSort) ([]sortCol, error) {
	id := sortCol{"id", false, func(b models.Backorder) any { return b.ID }}
	var cols []sortCol
	switch o.Key {
	case SortETA, "":
		cols = []sortCol{{"eta", false, func(b models.Backorder) any { return b.ETA }}}
	case SortAge:
		cols = []sortCol{{"created_at", false, func(b models.Backorder) any { return b.CreatedAt }}}
	case SortCreated:
		cols = []sortCol{{"created_at", true, func(b models.Backorder) any { return b.CreatedAt }}}
	case SortValue:
		cols = []sortCol{{"value_open", true, func(b models.Backorder) any { return b.ValueOpen }}}
	case SortPriority:
		for _, k := range s.policy {
			switch k {
			case backorder.KeyTier:
				cols = append(cols, sortCol{"customer_tier", false, func(b models.Backorder) any { return b.CustomerTier }})
			case backorder.KeyPromised:
				cols = append(cols, sortCol{"promised_at", false, func(b models.Backorder) any { return b.PromisedAt }})
			case backorder.KeyOrdered:
				cols = append(cols, sortCol{"ordered_at", false, func(b models.Backorder) any { return b.OrderedAt }})
			case backorder.KeyValue:
				cols = append(cols, sortCol{"value_open", true, func(b models.Backorder) any { return b.ValueOpen }})
			}
		}
		cols = append(cols, sortCol{"order_id", false, func(b models.Backorder) any { return b.OrderID }},
			sortCol{"line_no", false, func(b models.Backorder) any { return b.LineNo }})
	default:
		return nil, models.Invalid("sort", "must be one of %s, optionally with a leading '-'", strings.Join(BackorderSorts, ", "))
	}
	cols = append(cols, id)
	if o.Desc {
		for i := range cols {
			cols[i].desc = !cols[i].desc
		}
	}
	return cols, nil
}

// ListBackorders pages through backorders matching f in the order o. The
// cursor names the last row of the previous page, and the next page starts
// after that row's sort values (keyset paging: deep pages cost the same).
func (s *Store) ListBackorders(ctx context.Context, f BackorderFilter, o BackorderSort, p Page) (List[models.Backorder], error) {
	cols, err := s.sortColumns(o)
	if err != nil {
		return List[models.Backorder]{}, err
	}
	q := s.conn(ctx).Model(&models.Backorder{})
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	q = whereEq(q, "sku", f.SKU, "customer_id", f.CustomerID, "region", f.Region)
	if f.Tier > 0 {
		q = q.Where("customer_tier = ?", f.Tier)
	}
	if !f.ETAFrom.IsZero() {
		q = q.Where("eta >= ?", f.ETAFrom.UTC())
	}
	if !f.ETATo.IsZero() {
		q = q.Where("eta < ?", f.ETATo.UTC())
	}
	if f.MinAgeDays > 0 {
		q = q.Where("created_at <= ?", f.Now.UTC().AddDate(0, 0, -f.MinAgeDays))
	}
	if f.MaxAgeDays > 0 {
		q = q.Where("created_at >= ?", f.Now.UTC().AddDate(0, 0, -f.MaxAgeDays))
	}
	if f.Overdue {
		q = q.Where("status IN ? AND eta < ?", waitingStatuses, f.Now.UTC())
	}
	if after := p.after(); after != "" {
		var last models.Backorder
		if err := s.conn(ctx).Where("id = ?", after).Take(&last).Error; err != nil {
			return List[models.Backorder]{}, models.Invalid("cursor", "is not a cursor this API returned")
		}
		where, args := keysetAfter(cols, last)
		q = q.Where(where, args...)
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c.col
		if c.desc {
			order[i] += " DESC"
		}
	}
	var rows []models.Backorder
	if err := q.Order(strings.Join(order, ", ")).Limit(p.limit() + 1).Find(&rows).Error; err != nil {
		return List[models.Backorder]{}, err
	}
	return paginate(rows, p, func(b models.Backorder) string { return b.ID }), nil
}

// keysetAfter is the condition "comes after last in this order":
// (c1 > v1) OR (c1 = v1 AND c2 > v2) OR … with < for descending columns.
func keysetAfter(cols []sortCol, last models.Backorder) (string, []any) {
	var ors []string
	var args []any
	for i, c := range cols {
		var ands []string
		for _, prev := range cols[:i] {
			ands = append(ands, prev.col+" = ?")
			args = append(args, prev.val(last))
		}
		op := " > ?"
		if c.desc {
			op = " < ?"
		}
		ands = append(ands, c.col+op)
		args = append(args, c.val(last))
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// BackorderByID reads one backorder.
func (s *Store) BackorderByID(ctx context.Context, id string) (models.Backorder, error) {
	var b models.Backorder
	err := s.conn(ctx).Where("id = ?", id).Take(&b).Error
	return b, mapErr(err, "backorder", id)
}

// BackorderHistory lists a backorder's events, oldest first.
func (s *Store) BackorderHistory(ctx context.Context, id string) ([]models.BackorderEvent, error) {
	var evs []models.BackorderEvent
	err := s.conn(ctx).Where("backorder_id = ?", id).Order("id").Find(&evs).Error
	return evs, err
}

// AddBackorderNote adds a note or update by a person to a backorder.
func (s *Store) AddBackorderNote(ctx context.Context, id, author, text string) (models.BackorderEvent, error) {
	if _, err := s.BackorderByID(ctx, id); err != nil {
		return models.BackorderEvent{}, err
	}
	e := models.BackorderEvent{ID: NewID(), BackorderID: id, At: s.now(), Kind: models.BackorderEventNote, Actor: author, Detail: text}
	return e, s.conn(ctx).Create(&e).Error
}
