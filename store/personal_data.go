package store

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// PersonalData is everything q2c holds about one customer account, for a
// data-subject access request: the account, and every row of every table
// that belongs to it, table by table, as stored.
type PersonalData struct {
	CustomerID string                      `json:"customer_id"`
	ExportedAt time.Time                   `json:"exported_at"`
	Customer   models.Customer             `json:"customer"`
	Tables     map[string][]map[string]any `json:"tables"`
}

// personalDataTables are the tables holding rows of one customer account,
// by the column that names it, and the columns never handed out (secrets,
// not data about the person).
var personalDataTables = []struct {
	table, column string
	omit          []string
}{
	{"customer_contacts", "customer_id", nil},
	{"customer_addresses", "customer_id", nil},
	{"users", "customer_id", []string{"password_hash", "token_version"}},
	{"api_keys", "customer_id", []string{"key_hash"}},
	{"customer_prices", "customer_id", nil},
	{"quotes", "customer_id", nil},
	{"orders", "customer_id", nil},
	{"invoices", "customer_id", nil},
	{"credits", "customer_id", nil},
	{"credit_notes", "customer_id", nil},
	{"refunds", "customer_id", nil},
	{"returns", "customer_id", nil},
	{"backorders", "customer_id", nil},
	{"tickets", "customer_id", nil},
	{"marketing_unsubscribes", "customer_id", nil},
	{"campaign_recipients", "customer_id", nil},
	{"notifications", "owner_id", nil},
	{"notification_preferences", "owner_id", nil},
	{"audit_events", "entity_id", nil},
}

// PersonalData gathers what is held about customer id.
func (s *Store) PersonalData(ctx context.Context, id string) (PersonalData, error) {
	c, err := s.CustomerByID(ctx, id)
	if err != nil {
		return PersonalData{}, err
	}
	out := PersonalData{CustomerID: id, ExportedAt: s.now().UTC(), Customer: c, Tables: map[string][]map[string]any{}}
	for _, t := range personalDataTables {
		q := s.conn(ctx).Table(t.table).Where(t.column+" = ?", id)
		switch t.table {
		case "notifications", "notification_preferences":
			q = q.Where("owner_kind = ?", models.OwnerCustomer)
		case "audit_events":
			q = q.Where("entity = ?", "customer")
		}
		rows := []map[string]any{}
		if err := q.Find(&rows).Error; err != nil {
			return PersonalData{}, err
		}
		for _, r := range rows {
			for _, col := range t.omit {
				delete(r, col)
			}
			for k, v := range r {
				if b, ok := v.([]byte); ok { // SQLite hands text back as bytes
					r[k] = string(b)
				}
			}
			// Sealed columns are handed out open, and the keyed hashes
			// that index them not at all (they are not data about the
			// person, only a way to find it).
			for _, col := range sealedColumns[t.table] {
				if r[col], err = s.open(t.table, col, asString(r[col])); err != nil {
					return PersonalData{}, err
				}
			}
			delete(r, "email_hash")
			delete(r, "phone_hash")
		}
		out.Tables[t.table] = rows
	}
	return out, nil
}
