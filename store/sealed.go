package store

import (
	"context"
	"fmt"
	"maps"
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
	KeyOf(stored string) (id string, sealed bool)
	Active() string
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
	lookupLogin = "login" // the audit trail's and the login throttle's name for an address
)

// sealedColumns are the columns that hold sealed values, by table: the
// fields tagged `gorm:"serializer:sealed"` in models. The migration that
// began sealing, the personal-data export and the erasure read this list.
var sealedColumns = map[string][]string{
	"users":              {"email", "name", "phone"},
	"customers":          {"email", "phone"},
	"customer_contacts":  {"name", "email", "phone"},
	"customer_addresses": {"line1", "line2", "postal_code"},
	"quotes":             {"state"},
	"orders":             {"state"},
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

// normalizeFor is value as its kind is indexed: an address in lower case,
// a phone in E.164, so any way it is typed finds it.
func normalizeFor(kind, value string) string {
	if kind == lookupPhone {
		return models.NormalizePhone(value)
	}
	return models.NormalizeEmail(value)
}

// lookup is the keyed hash that indexes value, normalised for its kind
// (empty for no value).
func (s *Store) lookup(kind, value string) (string, error) {
	value = normalizeFor(kind, value)
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
	return s.keys.Lookups(kind, normalizeFor(kind, value)), nil
}

// indexUser fills a user's lookup hash from its address.
func (s *Store) indexUser(u *models.User) (err error) {
	u.EmailHash, err = s.lookup(lookupEmail, u.Email)
	return err
}

// indexCustomer fills the lookup hashes of a customer and its contacts.
func (s *Store) indexCustomer(c *models.Customer) error {
	var err error
	if c.EmailHash, err = s.lookup(lookupEmail, c.Email); err != nil {
		return err
	}
	if c.PhoneHash, err = s.lookup(lookupPhone, c.Phone); err != nil {
		return err
	}
	for i := range c.Contacts {
		ct := &c.Contacts[i]
		if ct.EmailHash, err = s.lookup(lookupEmail, ct.Email); err != nil {
			return err
		}
		if ct.PhoneHash, err = s.lookup(lookupPhone, ct.Phone); err != nil {
			return err
		}
	}
	return nil
}

// lookupColumns are the keyed-hash columns, by table, and what each
// indexes.
var lookupColumns = map[string]map[string]string{
	"users":             {"email_hash": lookupEmail},
	"customers":         {"email_hash": lookupEmail, "phone_hash": lookupPhone},
	"customer_contacts": {"email_hash": lookupEmail, "phone_hash": lookupPhone},
}

// sealPeople seals the rows written before sealing began and indexes them,
// as migration 18's Go step.
func (s *Store) sealPeople(ctx context.Context) error {
	_, err := s.sealRows(ctx, false)
	if err != nil {
		return fmt.Errorf("migration %d seals people's contact data: %w", sealedPeopleMigration, err)
	}
	return nil
}

// Reseal seals every sealed field again under the active key and indexes it
// again (after a key rotation, so the old key can go), table by table. It
// returns how many values it rewrote; running it again rewrites none.
func (s *Store) Reseal(ctx context.Context) (int64, error) { return s.sealRows(ctx, true) }

// sealRows seals what is plain (and, with rekey, what another key sealed)
// and brings each keyed hash to the active key's, one table per
// transaction.
func (s *Store) sealRows(ctx context.Context, rekey bool) (int64, error) {
	tables := slices.Sorted(maps.Keys(sealedColumns))
	var changed int64
	for _, table := range tables {
		n, err := s.sealTable(ctx, table, rekey)
		changed += n
		if err != nil {
			return changed, fmt.Errorf("%s: %w", table, err)
		}
	}
	return changed, nil
}

func (s *Store) sealTable(ctx context.Context, table string, rekey bool) (int64, error) {
	cols := sealedColumns[table]
	hashCols := slices.Sorted(maps.Keys(lookupColumns[table]))
	var changed int64
	for after, done := "", false; !done; {
		// One short transaction per batch, its rows locked: a live system
		// writing a row waits for one batch at most, and a row written
		// meanwhile is sealed by its writer with the active key.
		err := s.Tx(ctx, func(tx *Store) error {
			var rows []map[string]any
			if err := tx.locking(tx.conn(ctx).Table(table)).Select(slices.Concat([]string{"id"}, cols, hashCols)).
				Where("id > ?", after).Order("id").Limit(sealBatch).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				done = true
				return nil
			}
			after = asString(rows[len(rows)-1]["id"])
			n, err := tx.sealBatch(ctx, table, cols, hashCols, rows, rekey)
			changed += n
			return err
		})
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// sealBatch is how many rows sealTable reads at a time (states of quotes
// and orders run to kilobytes each).
const sealBatch = 500

func (s *Store) sealBatch(ctx context.Context, table string, cols, hashCols []string, rows []map[string]any, rekey bool) (int64, error) {
	var changed int64
	for _, r := range rows {
		upd := map[string]any{}
		plain := map[string]string{}
		for _, c := range cols {
			stored := asString(r[c])
			if stored == "" {
				continue
			}
			p, err := s.open(table, c, stored)
			if err != nil {
				return changed, err
			}
			plain[c] = p
			if id, sealed := s.keys.KeyOf(stored); sealed && (!rekey || id == s.keys.Active()) {
				continue
			}
			if upd[c], err = s.seal(table, c, p); err != nil {
				return changed, err
			}
			changed++
		}
		for _, hc := range hashCols {
			want, err := s.lookup(lookupColumns[table][hc], plain[hashSource(hc)])
			if err != nil {
				return changed, err
			}
			if asString(r[hc]) != want {
				upd[hc] = want
			}
		}
		if len(upd) == 0 {
			continue
		}
		if err := s.conn(ctx).Table(table).Where("id = ?", r["id"]).Updates(upd).Error; err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// hashSource is the column a keyed-hash column indexes.
func hashSource(hashColumn string) string { return strings.TrimSuffix(hashColumn, "_hash") }

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
