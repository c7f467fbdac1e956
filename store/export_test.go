package store

import (
	"context"

	"github.com/q2c-dev/q2c/models"
)

// LockCustomer takes a customer's row lock as the credit check does, in
// s's transaction.
func (s *Store) LockCustomer(ctx context.Context, id string) error {
	var c models.Customer
	return s.locking(s.conn(ctx)).Where("id = ?", id).Take(&c).Error
}

// AutoCheckpoint is SQLite's autocheckpoint threshold on one of s's
// connections, in pages (0: off).
func (s *Store) AutoCheckpoint(ctx context.Context) (int, error) {
	var n int
	err := s.conn(ctx).Raw(`PRAGMA wal_autocheckpoint`).Scan(&n).Error
	return n, err
}
