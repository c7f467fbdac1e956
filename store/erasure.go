package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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
// theirs, the stored states of their accounts' quotes and orders, the
// messages sent to them (recipient pseudonymised, texts emptied), the dev
// outbox's copies, stored idempotent answers that quote the address, and
// their failed-login counters. Invoices, credit notes and
// payments keep what they were issued with: the law requires it. Erasing
// again changes nothing.
func (s *Store) ErasePerson(ctx context.Context, email string) (Erasure, error) {
	norm := models.NormalizeEmail(email)
	if norm == "" {
		return Erasure{}, models.Invalid("email", "is required")
	}
	if at := strings.LastIndex(norm, "@"); at <= 0 || at == len(norm)-1 {
		return Erasure{}, models.Invalid("email", "is not an email address")
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
		// Quotes and orders copy the account's contact into their stored
		// states: read who the person is before the rows below forget it.
		person, err := tx.personByHashes(ctx, norm, hashes)
		if err != nil {
			return err
		}
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
		for _, table := range []string{"quotes", "orders"} {
			n, err := tx.eraseFromStates(ctx, table, person, out.Pseudonym)
			if err != nil {
				return err
			}
			out.Rows[table] = n
		}
		return nil
	})
	return out, err
}

// erasedPerson is what erasure looks for in stored states: the address,
// the names and phones the person's rows held, and the accounts they
// belong to.
type erasedPerson struct {
	email     string
	names     []string
	phones    []string
	customers []string
}

// personByHashes reads the person's names, phones and accounts from the
// rows that hold their address.
func (s *Store) personByHashes(ctx context.Context, email string, hashes []string) (erasedPerson, error) {
	p := erasedPerson{email: email}
	var users []models.User
	if err := s.conn(ctx).Where("email_hash IN ?", hashes).Find(&users).Error; err != nil {
		return p, err
	}
	for _, u := range users {
		p.names, p.phones = append(p.names, u.Name), append(p.phones, u.Phone)
		if u.CustomerID != nil {
			p.customers = append(p.customers, *u.CustomerID)
		}
	}
	var contacts []models.CustomerContact
	if err := s.conn(ctx).Where("email_hash IN ?", hashes).Find(&contacts).Error; err != nil {
		return p, err
	}
	for _, c := range contacts {
		p.names, p.phones, p.customers = append(p.names, c.Name), append(p.phones, c.Phone), append(p.customers, c.CustomerID)
	}
	var accounts []models.Customer
	if err := s.conn(ctx).Select("id").Where("email_hash IN ?", hashes).Find(&accounts).Error; err != nil {
		return p, err
	}
	for _, c := range accounts {
		p.customers = append(p.customers, c.ID)
	}
	p.names = slices.DeleteFunc(p.names, func(v string) bool { return strings.TrimSpace(v) == "" })
	p.phones = slices.DeleteFunc(p.phones, func(v string) bool { return v == "" })
	slices.Sort(p.customers)
	p.customers = slices.Compact(p.customers)
	return p, nil
}

// eraseFromStates rewrites the stored states of the person's accounts'
// quotes or orders: every string that is their address becomes the
// pseudonym, their names become ErasedName and their phones go; prices,
// lines and dates stay. It returns how many states changed.
func (s *Store) eraseFromStates(ctx context.Context, table string, p erasedPerson, pseudonym string) (int64, error) {
	if len(p.customers) == 0 {
		return 0, nil
	}
	var rows []struct{ ID, State string }
	if err := s.conn(ctx).Table(table).Select("id", "state").Where("customer_id IN ?", p.customers).Find(&rows).Error; err != nil {
		return 0, err
	}
	var changed int64
	for _, r := range rows {
		state, err := s.open(table, "state", r.State)
		if err != nil {
			return changed, err
		}
		var doc any
		if err := json.Unmarshal([]byte(state), &doc); err != nil {
			return changed, fmt.Errorf("%s %s: stored state: %w", table, r.ID, err)
		}
		doc, n := scrub(doc, p, pseudonym)
		if n == 0 {
			continue
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return changed, err
		}
		sealed, err := s.seal(table, "state", string(raw))
		if err != nil {
			return changed, err
		}
		if err := s.conn(ctx).Table(table).Where("id = ?", r.ID).Update("state", sealed).Error; err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}

// scrub replaces the person's address, names and phones in every string of
// a JSON document, and counts the strings it changed.
func scrub(doc any, p erasedPerson, pseudonym string) (any, int) {
	switch v := doc.(type) {
	case map[string]any:
		n := 0
		for k, x := range v {
			var m int
			v[k], m = scrub(x, p, pseudonym)
			n += m
		}
		return v, n
	case []any:
		n := 0
		for i, x := range v {
			var m int
			v[i], m = scrub(x, p, pseudonym)
			n += m
		}
		return v, n
	case string:
		out := v
		if strings.EqualFold(strings.TrimSpace(out), p.email) {
			out = pseudonym
		}
		for _, name := range p.names {
			out = strings.ReplaceAll(out, name, ErasedName)
		}
		for _, phone := range p.phones {
			if out == phone {
				out = ""
			}
		}
		if out != v {
			return out, 1
		}
	}
	return doc, 0
}
