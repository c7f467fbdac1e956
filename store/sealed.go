package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm/schema"

	"github.com/q2c-dev/q2c/models"
)

// Keys seal people's contact data in the database and key the hashes that
// find it (keyring.Ring): a copy of the database, a backup or a replica
// shows no email, phone, name or street address without them.
type Keys interface {
	SealField(value, column string) string
	OpenField(stored, column string) (string, error)
	Lookup(kind, value string) string
	Lookups(kind, value string) []string
}

// SetKeys gives the store its keys. Without them it refuses to write or
// read a sealed field.
func (s *Store) SetKeys(k Keys) { s.keys = k }

// Lookup kinds: what a keyed hash is of.
const (
	lookupEmail = "email"
	lookupPhone = "phone"
)

// sealedColumns are the columns that hold sealed values, by table: the
// fields tagged `gorm:"serializer:sealed"` in models. The migration that
// began sealing, the personal-data export and the erasure read this list.
var sealedColumns = map[string][]string{
	"users":              {"email", "name", "phone"},
	"customers":          {"email", "phone"},
	"customer_contacts":  {"name", "email", "phone"},
	"customer_addresses": {"line1", "line2", "postal_code"},
}

// sealedPeopleMigration is the migration that began sealing.
const sealedPeopleMigration = 18

// keysKey carries the store's keys to the serializer, through the context
// of every statement (conn).
type keysKey struct{}

func keysFrom(ctx context.Context) Keys {
	k, _ := ctx.Value(keysKey{}).(Keys)
	return k
}

func init() { schema.RegisterSerializer("sealed", sealedSerializer{}) }

// sealedSerializer seals a string field as it is written and opens it as
// it is read; an empty value stays empty.
type sealedSerializer struct{}

func (sealedSerializer) Scan(ctx context.Context, field *schema.Field, dst reflect.Value, dbValue any) error {
	var stored string
	switch v := dbValue.(type) {
	case nil:
	case string:
		stored = v
	case []byte:
		stored = string(v)
	default:
		return fmt.Errorf("store: %s: a sealed column holds %T", field.DBName, dbValue)
	}
	plain, err := openStored(keysFrom(ctx), stored, field.Schema.Table+"."+field.DBName)
	if err != nil {
		return err
	}
	field.ReflectValueOf(ctx, dst).SetString(plain)
	return nil
}

func (sealedSerializer) Value(ctx context.Context, field *schema.Field, _ reflect.Value, fieldValue any) (any, error) {
	v, _ := fieldValue.(string)
	return sealWith(keysFrom(ctx), v, field.Schema.Table+"."+field.DBName)
}

func sealWith(k Keys, value, column string) (string, error) {
	if value == "" {
		return "", nil
	}
	if k == nil {
		return "", fmt.Errorf("store: no keys to seal %s (Q2C_PAYLOAD_KEYS)", column)
	}
	return k.SealField(value, column), nil
}

func openStored(k Keys, stored, column string) (string, error) {
	if stored == "" {
		return "", nil
	}
	if k == nil {
		return "", fmt.Errorf("store: no keys to open %s (Q2C_PAYLOAD_KEYS)", column)
	}
	return k.OpenField(stored, column)
}

// seal seals value for a column written outside a model (an update by map
// or raw SQL).
func (s *Store) seal(table, column, value string) (string, error) {
	return sealWith(s.keys, value, table+"."+column)
}

// open opens a sealed value read outside a model (raw SQL).
func (s *Store) open(table, column, stored string) (string, error) {
	return openStored(s.keys, stored, table+"."+column)
}

// lookup is the keyed hash that indexes value (empty for no value).
func (s *Store) lookup(kind, value string) (string, error) {
	if value == "" {
		return "", nil
	}
	if s.keys == nil {
		return "", fmt.Errorf("store: no keys to index a %s (Q2C_PAYLOAD_KEYS)", kind)
	}
	return s.keys.Lookup(kind, value), nil
}

// lookups are value's hashes under every key, to find it whichever key
// indexed it.
func (s *Store) lookups(kind, value string) ([]string, error) {
	if s.keys == nil {
		return nil, fmt.Errorf("store: no keys to find a %s (Q2C_PAYLOAD_KEYS)", kind)
	}
	return s.keys.Lookups(kind, value), nil
}

// indexUser fills a user's lookup hash from its address.
func (s *Store) indexUser(u *models.User) (err error) {
	u.EmailHash, err = s.lookup(lookupEmail, models.NormalizeEmail(u.Email))
	return err
}

// indexCustomer fills the lookup hashes of a customer and its contacts.
func (s *Store) indexCustomer(c *models.Customer) error {
	var err error
	if c.EmailHash, err = s.lookup(lookupEmail, models.NormalizeEmail(c.Email)); err != nil {
		return err
	}
	if c.PhoneHash, err = s.lookup(lookupPhone, models.NormalizePhone(c.Phone)); err != nil {
		return err
	}
	for i := range c.Contacts {
		ct := &c.Contacts[i]
		if ct.EmailHash, err = s.lookup(lookupEmail, models.NormalizeEmail(ct.Email)); err != nil {
			return err
		}
		if ct.PhoneHash, err = s.lookup(lookupPhone, models.NormalizePhone(ct.Phone)); err != nil {
			return err
		}
	}
	return nil
}

// sealPeople seals the rows written before sealing began and fills their
// lookup hashes, once, as the migration's Go step: every sealed column of
// every row, in place.
func (s *Store) sealPeople(ctx context.Context) error {
	hashes := map[string]map[string]string{ // table → hash column → what it hashes
		"users":             {"email_hash": "email"},
		"customers":         {"email_hash": "email", "phone_hash": "phone"},
		"customer_contacts": {"email_hash": "email", "phone_hash": "phone"},
	}
	for table, cols := range sealedColumns {
		var rows []map[string]any
		if err := s.conn(ctx).Table(table).Select(append([]string{"id"}, cols...)).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			upd := map[string]any{}
			plain := map[string]string{}
			for _, c := range cols {
				v := asString(r[c])
				plain[c] = v
				if v == "" || strings.HasPrefix(v, "q2c:s1:") {
					continue // nothing to seal, or sealed already
				}
				sealed, err := s.seal(table, c, v)
				if err != nil {
					return fmt.Errorf("migration %d seals people's contact data: %w", sealedPeopleMigration, err)
				}
				upd[c] = sealed
			}
			for hashCol, of := range hashes[table] {
				v := plain[of]
				if strings.HasPrefix(v, "q2c:s1:") {
					continue // sealed by q2c, which indexed it then
				}
				if of == "email" {
					v = models.NormalizeEmail(v)
				} else {
					v = models.NormalizePhone(v)
				}
				h, err := s.lookup(of, v)
				if err != nil {
					return err
				}
				upd[hashCol] = h
			}
			if len(upd) == 0 {
				continue
			}
			if err := s.conn(ctx).Table(table).Where("id = ?", r["id"]).Updates(upd).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// asString reads a text column from a map row (SQLite hands text back as
// bytes).
func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// openContact opens a contact read by raw SQL from table (users or
// customers): whichever of its fields the table seals.
func (s *Store) openContact(table string, c *models.Contact) error {
	for _, f := range []struct {
		column string
		v      *string
	}{{"name", &c.Name}, {"email", &c.Email}, {"phone", &c.Phone}} {
		if !slices.Contains(sealedColumns[table], f.column) {
			continue
		}
		var err error
		if *f.v, err = s.open(table, f.column, *f.v); err != nil {
			return err
		}
	}
	return nil
}
