package store

import (
	"context"
	"time"
)

// latestWriteColumns are where the database notes when it last changed:
// the audit trail, quotes, orders and stock levels.
var latestWriteColumns = []struct{ table, column string }{
	{"audit_events", "at"}, {"quotes", "updated_at"}, {"orders", "updated_at"}, {"stock_levels", "updated_at"},
}

// LatestWrite is the newest time the database recorded a change at (zero
// when it holds none). A database restored from a backup holds nothing
// newer than the backup, so a reconciliation from a little before this time
// misses nothing the backup lacks (package reconcile).
func (s *Store) LatestWrite(ctx context.Context) (time.Time, error) {
	var latest time.Time
	for _, c := range latestWriteColumns {
		var at []time.Time
		if err := s.conn(ctx).Table(c.table).Order(c.column+" DESC").Limit(1).Pluck(c.column, &at).Error; err != nil {
			return time.Time{}, err
		}
		if len(at) == 1 && at[0].After(latest) {
			latest = at[0]
		}
	}
	return latest.UTC(), nil
}
