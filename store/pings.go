package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// CompletePing records a finished ping. Running it again (an activity retry)
// leaves the first record as it was.
func (s *Store) CompletePing(ctx context.Context, p models.Ping) error {
	now := s.now()
	p.Status, p.CreatedAt, p.CompletedAt = models.PingCompleted, now, &now
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error
}

// PingByID finds a recorded ping.
func (s *Store) PingByID(ctx context.Context, id string) (models.Ping, error) {
	var p models.Ping
	err := s.conn(ctx).Where("id = ?", id).Take(&p).Error
	return p, mapErr(err, "ping", id)
}
