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
