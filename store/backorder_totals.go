package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Backorder totals are the KPIs' sums kept as backorders change, so the
// KPIs read a few hundred rows of backorder_totals instead of every
// backorder (a grouped scan of 100,000 took 75 ms).
//
// Every write of a backorder takes its old figures out and puts its new
// ones in (noteBackorder, in the writer's transaction); Tx writes the
// transaction's changes at its end, rows in key order, so two transactions
// adding to the same rows queue for a moment rather than deadlock. Sums
// that depend on the hour asked (overdue, aging) are kept by UTC day, and
// the one day a boundary falls in is counted from the backorders
// themselves (BackorderKPIs).
const (
	totalsSKU      = "sku"      // waiting backorders by SKU and currency
	totalsSupplier = "supplier" // waiting backorders by supplier and currency
	totalsETA      = "eta"      // waiting backorders by the UTC day of their ETA and currency
	totalsCreated  = "created"  // waiting backorders by the UTC day they were created and currency
	totalsFill     = "fill"     // every backorder and every order line reserved, by SKU
)

const backorderTotalsMigration = 19

// totalsKey is one row of backorder_totals.
type totalsKey struct{ Dim, Key, Currency string }

// totals are one row's sums. Waiting rows use N, Qty and Value; fill rows
// the rest, with N counting every backorder.
type totals struct {
	N, Qty, Value          int64
	Lines                  int64 // order lines reserved (allocations)
	QtyFilled, QtyDue      int64 // units filled; units short and not cancelled
	Filled, OnTime, Late   int64 // backorders filled in full; by the date promised; after it
	FillMillis, LateMillis int64 // time from creation to fill, and past the promise when late, summed
}

func (t totals) plus(u totals, sign int64) totals {
	return totals{t.N + sign*u.N, t.Qty + sign*u.Qty, t.Value + sign*u.Value, t.Lines + sign*u.Lines,
		t.QtyFilled + sign*u.QtyFilled, t.QtyDue + sign*u.QtyDue, t.Filled + sign*u.Filled, t.OnTime + sign*u.OnTime,
		t.Late + sign*u.Late, t.FillMillis + sign*u.FillMillis, t.LateMillis + sign*u.LateMillis}
}

// totalsDelta is a transaction's changes to the totals, not yet written.
type totalsDelta map[totalsKey]totals

func (d totalsDelta) add(k totalsKey, t totals, sign int64) { d[k] = d[k].plus(t, sign) }

// backorder adds (sign 1) or takes out (sign -1) what b counts for.
func (d totalsDelta) backorder(b *models.Backorder, sign int64) {
	f := totals{N: 1, QtyFilled: b.QtyFilled, QtyDue: b.QtyShort - b.QtyCancelled}
	if b.FilledAt != nil {
		// Times to the microsecond, as both databases keep them, so sums
		// made as backorders change equal those recounted from the rows.
		filled, promised := micros(*b.FilledAt), micros(b.PromisedAt)
		f.Filled, f.FillMillis = 1, filled.Sub(micros(b.CreatedAt)).Milliseconds()
		if filled.After(promised) {
			f.Late, f.LateMillis = 1, filled.Sub(promised).Milliseconds()
		} else {
			f.OnTime = 1
		}
	}
	d.add(totalsKey{totalsFill, b.SKU, ""}, f, sign)
	if !b.IsWaiting() {
		return
	}
	w, cur := totals{N: 1, Qty: b.Waiting(), Value: b.ValueOpen}, string(b.Currency)
	d.add(totalsKey{totalsSKU, b.SKU, cur}, w, sign)
	d.add(totalsKey{totalsSupplier, b.Supplier, cur}, w, sign)
	d.add(totalsKey{totalsETA, utcDay(b.ETA), cur}, w, sign)
	d.add(totalsKey{totalsCreated, utcDay(b.CreatedAt), cur}, w, sign)
}

// line counts an order line reserved for a SKU (the line fill rate's denominator).
func (d totalsDelta) line(sku string) { d.add(totalsKey{totalsFill, sku, ""}, totals{Lines: 1}, 1) }

func micros(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// noteBackorder records, in the transaction's totals, that a write turned
// before into after; nil stands for a backorder that did not exist.
func (s *Store) noteBackorder(before, after *models.Backorder) {
	totals := s.mustPending().totals
	if before != nil {
		totals.backorder(before, -1)
	}
	if after != nil {
		totals.backorder(after, 1)
	}
}

// writeTotals adds a transaction's changes to backorder_totals, in key
// order, a few hundred rows a statement.
func (s *Store) writeTotals(ctx context.Context, d totalsDelta) error {
	keys := make([]totalsKey, 0, len(d))
	for k, t := range d {
		if t != (totals{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b totalsKey) int {
		return cmp.Or(cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Currency, b.Currency))
	})
	for len(keys) > 0 {
		n := min(len(keys), 200)
		rows := make([]string, n)
		args := make([]any, 0, n*14)
		for i, k := range keys[:n] {
			t := d[k]
			rows[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append(args, k.Dim, k.Key, k.Currency, t.N, t.Qty, t.Value, t.Lines, t.QtyFilled, t.QtyDue, t.Filled, t.OnTime, t.Late,
				t.FillMillis, t.LateMillis)
		}
		sum := make([]string, len(totalsColumns))
		for i, c := range totalsColumns {
			sum[i] = fmt.Sprintf("%[1]s = backorder_totals.%[1]s + excluded.%[1]s", c)
		}
		sql := `INSERT INTO backorder_totals (dim, key, currency, ` + strings.Join(totalsColumns, ", ") + `) VALUES ` +
			strings.Join(rows, ", ") + ` ON CONFLICT (dim, key, currency) DO UPDATE SET ` + strings.Join(sum, ", ")
		if err := s.conn(ctx).Exec(sql, args...).Error; err != nil {
			return fmt.Errorf("backorder totals: %w", err)
		}
		keys = keys[n:]
	}
	return nil
}

var totalsColumns = []string{"n", "qty", "value", "lines", "qty_filled", "qty_due", "filled", "on_time", "late", "fill_millis", "late_millis"}

// totalsRow is a row of backorder_totals as read.
type totalsRow struct {
	totalsKey
	totals
}

// readTotals reads the rows that count anything.
func (s *Store) readTotals(ctx context.Context) ([]totalsRow, error) {
	rows, err := s.conn(ctx).Raw(`SELECT dim, key, currency, ` + strings.Join(totalsColumns, ", ") +
		` FROM backorder_totals WHERE n <> 0 OR lines <> 0`).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []totalsRow
	for rows.Next() {
		var r totalsRow
		if err := rows.Scan(&r.Dim, &r.Key, &r.Currency, &r.N, &r.Qty, &r.Value, &r.Lines, &r.QtyFilled, &r.QtyDue, &r.Filled,
			&r.OnTime, &r.Late, &r.FillMillis, &r.LateMillis); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecountBackorderTotals counts the totals again from the backorders and
// order lines themselves, and returns how many backorders it counted: the
// migration that began them runs it, and so does anyone who loads
// backorders around q2c (a bulk load by SQL; `q2c recount`). It counts in
// Go with the same rule every write uses, and makes every cached queue a
// miss.
func (s *Store) RecountBackorderTotals(ctx context.Context) (int, error) {
	n := 0
	err := s.Tx(ctx, func(tx *Store) error {
		// Every SKU's lock first, in the order every writer takes them
		// (lockSKU): no backorder changes while the totals are counted, and
		// a writer holding one SKU cannot deadlock with this.
		var skus []string
		if err := tx.locking(tx.conn(ctx).Model(&models.Product{})).Order("sku").Pluck("sku", &skus).Error; err != nil {
			return err
		}
		// Rows written around q2c are not in any cached queue either.
		if err := tx.conn(ctx).Exec(`UPDATE products SET queue_token = ''`).Error; err != nil {
			return err
		}
		if err := tx.conn(ctx).Exec(`DELETE FROM backorder_totals`).Error; err != nil {
			return err
		}
		d := tx.pending.totals
		rows, err := tx.conn(ctx).Raw(`SELECT sku, supplier, currency, status, qty_short, qty_filled, qty_cancelled, value_open,
			promised_at, eta, created_at, filled_at FROM backorders`).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		var b models.Backorder
		for rows.Next() {
			b.FilledAt = nil
			if err := rows.Scan(&b.SKU, &b.Supplier, &b.Currency, &b.Status, &b.QtyShort, &b.QtyFilled, &b.QtyCancelled, &b.ValueOpen,
				&b.PromisedAt, &b.ETA, &b.CreatedAt, &b.FilledAt); err != nil {
				return err
			}
			d.backorder(&b, 1)
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var lines []struct {
			SKU string
			N   int64
		}
		if err := tx.conn(ctx).Raw(`SELECT sku, count(*) AS n FROM allocations GROUP BY sku`).Scan(&lines).Error; err != nil {
			return err
		}
		for _, l := range lines {
			d.add(totalsKey{totalsFill, l.SKU, ""}, totals{Lines: l.N}, 1)
		}
		return nil // Tx writes d
	})
	return n, err
}
