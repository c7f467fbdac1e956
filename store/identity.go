package store

import (
	"context"

	"github.com/q2c-dev/q2c/models"
)

// CreateUser inserts u, filling ID and timestamps. A taken email is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	if u.ID == "" {
		u.ID = NewID()
	}
	u.Email = models.NormalizeEmail(u.Email)
	u.CreatedAt, u.UpdatedAt = s.now(), s.now()
	return mapErr(s.conn(ctx).Create(u).Error, "user", u.Email)
}

// UserByEmail finds a user by address (case-insensitive).
func (s *Store) UserByEmail(ctx context.Context, email string) (models.User, error) {
	var u models.User
	err := s.conn(ctx).Where("email = ?", models.NormalizeEmail(email)).Take(&u).Error
	return u, mapErr(err, "user", email)
}

// UserByID finds a user.
func (s *Store) UserByID(ctx context.Context, id string) (models.User, error) {
	var u models.User
	err := s.conn(ctx).Where("id = ?", id).Take(&u).Error
	return u, mapErr(err, "user", id)
}

// ListUsers pages through users in creation order.
func (s *Store) ListUsers(ctx context.Context, p Page) (List[models.User], error) {
	return listAfter(s.conn(ctx).Model(&models.User{}), "id", p, func(u models.User) string { return u.ID })
}

// CountUsers is how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.User{}).Count(&n).Error
	return n, err
}

// CreateAPIKey stores a key's hash and metadata.
func (s *Store) CreateAPIKey(ctx context.Context, k *models.APIKey) error {
	if k.ID == "" {
		k.ID = NewID()
	}
	k.CreatedAt = s.now()
	return mapErr(s.conn(ctx).Create(k).Error, "api key", k.Name)
}

// APIKeyByHash finds an unrevoked key by the hash of its secret.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (models.APIKey, error) {
	var k models.APIKey
	err := s.conn(ctx).Where("key_hash = ? AND revoked_at IS NULL", hash).Take(&k).Error
	return k, mapErr(err, "api key", "")
}

// ListAPIKeys pages through keys, revoked ones included.
func (s *Store) ListAPIKeys(ctx context.Context, p Page) (List[models.APIKey], error) {
	return listAfter(s.conn(ctx).Model(&models.APIKey{}), "id", p, func(k models.APIKey) string { return k.ID })
}

// RevokeAPIKey marks a key revoked; revoking twice is not an error.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) (models.APIKey, error) {
	var k models.APIKey
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Where("id = ?", id).Take(&k).Error; err != nil {
			return mapErr(err, "api key", id)
		}
		if k.RevokedAt != nil {
			return nil
		}
		now := s.now()
		k.RevokedAt = &now
		return tx.conn(ctx).Model(&models.APIKey{}).Where("id = ?", id).Update("revoked_at", now).Error
	})
	return k, err
}

// AppendAudit records who changed what.
func (s *Store) AppendAudit(ctx context.Context, e models.AuditEvent) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	e.At = s.now()
	return s.conn(ctx).Create(&e).Error
}

// ListAudit pages through audit events of one entity, or all when entity is "".
func (s *Store) ListAudit(ctx context.Context, entity, entityID string, p Page) (List[models.AuditEvent], error) {
	q := whereEq(s.conn(ctx).Model(&models.AuditEvent{}), "entity", entity, "entity_id", entityID)
	return listAfter(q, "id", p, func(e models.AuditEvent) string { return e.ID })
}
