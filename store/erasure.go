package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/q2c-dev/q2c/models"
)

// Erasure is what erasing a person changed, table by table.
type Erasure struct {
	// Pseudonym replaces the person's email where a row must stay (a user,
	// the account's address, a message's recipient): the same for the same
	// address, so rows about one person still read as one.
	Pseudonym string           `json:"pseudonym"`
	Rows      map[string]int64 `json:"rows"`
}

// ErasedName stands where a person's name was.
const ErasedName = "Erased person"

// PseudonymFor is the address that replaces email when it is erased.
func PseudonymFor(email string) string {
	sum := sha256.Sum256([]byte(models.NormalizeEmail(email)))
	return "erased-" + hex.EncodeToString(sum[:6]) + "@erased.invalid"
}

// LoginSubject is how the audit trail and the login throttle name the
// address a login was tried with: its keyed hash under the active key, not
// the address, since an entry of the chain cannot be erased later and a
// hash without the key tells nothing. LoginSubjects are its hashes under
// every key, to find entries written before a rotation.
func (s *Store) LoginSubject(email string) (string, error) {
	h, err := s.lookup(lookupLogin, models.NormalizeEmail(email))
	return "email#" + h, err
}

// LoginSubjects: see LoginSubject.
func (s *Store) LoginSubjects(email string) ([]string, error) {
	hs, err := s.lookups(lookupLogin, models.NormalizeEmail(email))
	for i := range hs {
		hs[i] = "email#" + hs[i]
	}
	return hs, err
}

// ErasePerson anonymises the person with this email everywhere q2c keeps
// personal data, in one transaction: their user (deactivated, signed out,
// no password), their contact entries, the account address when it is
// theirs, the messages sent to them (recipient pseudonymised, texts
// emptied), the dev outbox's copies, stored idempotent answers that quote
// the address, and their failed-login counters. Invoices, credit notes and
// payments keep what they were issued with: the law requires it. Erasing
// again changes nothing.
func (s *Store) ErasePerson(ctx context.Context, email string) (Erasure, error) {
	norm := models.NormalizeEmail(email)
	if norm == "" {
		return Erasure{}, models.Invalid("email", "is required")
	}
	out := Erasure{Pseudonym: PseudonymFor(norm), Rows: map[string]int64{}}
	// Sealed columns are found by the address's keyed hashes and written
	// sealed; the pseudonym is indexed as any address is.
	hashes, err := s.lookups(lookupEmail, norm)
	if err != nil {
		return out, err
	}
	pseudoHash, err := s.lookup(lookupEmail, out.Pseudonym)
	if err != nil {
		return out, err
	}
	subjects, err := s.LoginSubjects(norm)
	if err != nil {
		return out, err
	}
	sealed := func(table, column, v string) string {
		x, serr := s.seal(table, column, v)
		if serr != nil && err == nil {
			err = serr
		}
		return x
	}
	userEmail, userName := sealed("users", "email", out.Pseudonym), sealed("users", "name", ErasedName)
	contactName, customerEmail := sealed("customer_contacts", "name", ErasedName), sealed("customers", "email", out.Pseudonym)
	if err != nil {
		return out, err
	}
	err = s.Tx(ctx, func(tx *Store) error {
		now := s.now()
		steps := []struct {
			table, sql string
			args       []any
		}{
			{"users", `UPDATE users SET email = ?, email_hash = ?, name = ?, phone = '', active = ?, password_hash = '!', token_version = token_version + 1, updated_at = ? WHERE email_hash IN ?`,
				[]any{userEmail, pseudoHash, userName, false, now, hashes}},
			{"customer_contacts", `UPDATE customer_contacts SET name = ?, email = '', email_hash = '', phone = '', phone_hash = '' WHERE email_hash IN ?`, []any{contactName, hashes}},
			{"customers", `UPDATE customers SET email = ?, email_hash = ? WHERE email_hash IN ?`, []any{customerEmail, pseudoHash, hashes}},
			{"notifications", `UPDATE notifications SET recipient = ?, recipient_name = '', subject = '', body_text = '', body_html = '', updated_at = ? WHERE lower(recipient) = ?`,
				[]any{out.Pseudonym, now, norm}},
			{"outbox_messages", `DELETE FROM outbox_messages WHERE lower(recipient) = ?`, []any{norm}},
			{"idempotency_keys", `DELETE FROM idempotency_keys WHERE lower(response) LIKE ?`, []any{"%" + norm + "%"}},
			{"login_throttle", `DELETE FROM login_throttle WHERE key IN ?`, []any{subjects}},
		}
		for _, st := range steps {
			res := tx.conn(ctx).Exec(st.sql, st.args...)
			if res.Error != nil {
				return res.Error
			}
			out.Rows[st.table] = res.RowsAffected
		}
		return nil
	})
	return out, err
}
