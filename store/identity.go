package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// CreateUser inserts u, filling ID and timestamps. A taken email is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	if u.ID == "" {
		u.ID = NewID()
	}
	u.Email = models.NormalizeEmail(u.Email)
	u.CreatedAt, u.UpdatedAt = s.now(), s.now()
	u.TokenVersion = max(u.TokenVersion, 1)
	if err := s.indexUser(u); err != nil {
		return err
	}
	// The unique index holds for the active key's hashes; an address
	// indexed under an older key (before `q2c reseal`) is found here.
	hashes, err := s.lookups(lookupEmail, u.Email)
	if err != nil {
		return err
	}
	var taken int64
	if err := s.conn(ctx).Model(&models.User{}).Where("email_hash IN ?", hashes).Count(&taken).Error; err != nil {
		return err
	}
	if taken > 0 {
		return models.Conflict("user %q already exists", u.Email)
	}
	return mapErr(s.conn(ctx).Create(u).Error, "user", u.Email)
}

// UserByEmail finds a user by address (case-insensitive), through the
// address's keyed hash: the address itself is sealed.
func (s *Store) UserByEmail(ctx context.Context, email string) (models.User, error) {
	var u models.User
	hashes, err := s.lookups(lookupEmail, models.NormalizeEmail(email))
	if err != nil {
		return u, err
	}
	err = s.conn(ctx).Where("email_hash IN ?", hashes).Take(&u).Error
	return u, mapErr(err, "user", email)
}

// UserByID finds a user.
func (s *Store) UserByID(ctx context.Context, id string) (models.User, error) {
	var u models.User
	err := s.conn(ctx).Where("id = ?", id).Take(&u).Error
	return u, mapErr(err, "user", id)
}

// UserAccess is what every request checks of a token's user: whether the
// user is active and the token version. It reads those two columns only,
// where UserByID opens the sealed name, email and phone as well (three
// decryptions a request, for nothing).
func (s *Store) UserAccess(ctx context.Context, id string) (active bool, tokenVersion int, err error) {
	var row struct {
		Active       bool
		TokenVersion int
	}
	res := s.conn(ctx).Raw(`SELECT active, token_version FROM users WHERE id = ?`, id).Scan(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return false, 0, models.NotFound("user", id)
	}
	return row.Active, row.TokenVersion, res.Error
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

// UserChange is what an IT admin may change about a user. Every change
// bumps the user's token version: tokens issued before stop working.
type UserChange struct {
	Active       *bool
	Roles        models.Roles
	CustomerID   *string // with Roles: the customer a customer user acts for
	PasswordHash string
}

// ChangeUser applies ch to a user under a lock and returns the user as
// changed. It refuses to leave no active IT admin.
func (s *Store) ChangeUser(ctx context.Context, id string, ch UserChange) (after models.User, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		var before models.User
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", id).Take(&before).Error; err != nil {
			return mapErr(err, "user", id)
		}
		after = before
		if ch.Active != nil {
			after.Active = *ch.Active
		}
		if ch.Roles != nil {
			after.Roles, after.CustomerID = ch.Roles, ch.CustomerID
		}
		if ch.PasswordHash != "" {
			after.PasswordHash = ch.PasswordHash
		}
		after.TokenVersion++
		after.UpdatedAt = s.now()
		if before.Active && before.Roles.Has(models.RoleITAdmin) && !(after.Active && after.Roles.Has(models.RoleITAdmin)) {
			var admins []models.User
			if err := tx.locking(tx.conn(ctx)).Where("active = ? AND id <> ?", true, id).Find(&admins).Error; err != nil {
				return err
			}
			if !slices.ContainsFunc(admins, func(u models.User) bool { return u.Roles.Has(models.RoleITAdmin) }) {
				return models.Conflict("%s is the last active IT admin; make another one first", before.Email)
			}
		}
		return tx.conn(ctx).Model(&models.User{}).Where("id = ?", id).Updates(map[string]any{
			"active": after.Active, "roles": after.Roles, "customer_id": after.CustomerID, "password_hash": after.PasswordHash,
			"token_version": after.TokenVersion, "updated_at": after.UpdatedAt,
		}).Error
	})
	return after, err
}

// SetUserPhone sets (or, with "", clears) a user's mobile number and
// records the change in the audit trail, in one transaction.
func (s *Store) SetUserPhone(ctx context.Context, id, phone string, audit models.AuditEvent) (models.User, error) {
	var u models.User
	err := s.Tx(ctx, func(tx *Store) error {
		sealed, err := tx.seal("users", "phone", phone)
		if err != nil {
			return err
		}
		res := tx.conn(ctx).Model(&models.User{}).Where("id = ?", id).Updates(map[string]any{"phone": sealed, "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("user", id)
		}
		if err := tx.AppendAudit(ctx, audit); err != nil {
			return err
		}
		return tx.conn(ctx).Where("id = ?", id).Take(&u).Error
	})
	return u, err
}

// SetCustomerPhone sets (or clears) the number a customer account's text
// messages go to, with its audit entry, in one transaction.
func (s *Store) SetCustomerPhone(ctx context.Context, id, phone string, audit models.AuditEvent) error {
	return s.Tx(ctx, func(tx *Store) error {
		sealed, err := tx.seal("customers", "phone", phone)
		if err != nil {
			return err
		}
		hash, err := tx.lookup(lookupPhone, models.NormalizePhone(phone))
		if err != nil {
			return err
		}
		res := tx.conn(ctx).Model(&models.Customer{}).Where("id = ?", id).Updates(map[string]any{"phone": sealed, "phone_hash": hash})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("customer", id)
		}
		return tx.AppendAudit(ctx, audit)
	})
}

// Login throttling: from the throttleFree-th failure in a row a key is
// locked for throttleBase, doubling with each further failure up to
// throttleMax. A
// client address gets more failures before it is locked (offices share one).
const (
	throttleFreeAccount = 5
	throttleFreeAddress = 20
	throttleBase        = time.Second
	throttleMax         = 15 * time.Minute
)

// LoginLockedFor says how long a key (see RecordLoginFailure) must still
// wait before it may try again; 0 means it may try now.
func (s *Store) LoginLockedFor(ctx context.Context, key string) (time.Duration, error) {
	var row struct{ LockedUntil *time.Time }
	err := s.conn(ctx).Raw(`SELECT locked_until FROM login_throttle WHERE key = ?`, key).Scan(&row).Error
	if err != nil || row.LockedUntil == nil {
		return 0, err
	}
	return max(row.LockedUntil.Sub(s.now()), 0), nil
}

// RecordLoginFailure counts a failed login against each key and locks the
// keys past their free failures; it returns the longest lock.
func (s *Store) RecordLoginFailure(ctx context.Context, keys ...string) (time.Duration, error) {
	var longest time.Duration
	err := s.Tx(ctx, func(tx *Store) error {
		now := s.now()
		for _, key := range keys {
			free := throttleFreeAccount
			if strings.HasPrefix(key, "ip:") {
				free = throttleFreeAddress
			}
			var failures int
			if err := tx.conn(ctx).Raw(`INSERT INTO login_throttle (key, failures, updated_at) VALUES (?, 1, ?)
				ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = excluded.updated_at
				RETURNING failures`, key, now).Scan(&failures).Error; err != nil {
				return err
			}
			if failures < free {
				continue
			}
			lock := min(throttleBase<<min(failures-free, 20), throttleMax)
			longest = max(longest, lock)
			if err := tx.conn(ctx).Exec(`UPDATE login_throttle SET locked_until = ? WHERE key = ?`, now.Add(lock), key).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return longest, err
}

// ClearLoginFailures forgets a key's failures (after a successful login).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	return s.conn(ctx).Exec(`DELETE FROM login_throttle WHERE key = ?`, key).Error
}

// ActiveUsersWithRole lists active users holding role, in id order.
func (s *Store) ActiveUsersWithRole(ctx context.Context, role models.Role) ([]models.User, error) {
	var candidates []models.User
	if err := s.conn(ctx).Where("active = ? AND roles LIKE ?", true, "%"+string(role)+"%").
		Order("id").Find(&candidates).Error; err != nil {
		return nil, err
	}
	out := candidates[:0]
	for _, u := range candidates { // LIKE also matches longer role names
		if u.Roles.Has(role) {
			out = append(out, u)
		}
	}
	return out, nil
}
