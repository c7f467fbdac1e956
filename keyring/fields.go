package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Database fields are sealed one value at a time: "q2c:s1:<key id>:<base64
// of nonce‖ciphertext>", bound to the column it belongs in (a value copied
// into another column does not open). An empty value stays empty, so "no
// phone" needs no key; a value without the prefix was written before
// sealing began and reads as it is.
const fieldPrefix = "q2c:s1:"

// SealField seals value for column ("table.column").
func (r *Ring) SealField(value, column string) string {
	if value == "" {
		return ""
	}
	id, sealed := r.Seal([]byte(value), []byte(column))
	return fieldPrefix + id + ":" + base64.RawURLEncoding.EncodeToString(sealed)
}

// OpenField opens what SealField stored for column.
func (r *Ring) OpenField(stored, column string) (string, error) {
	rest, ok := strings.CutPrefix(stored, fieldPrefix)
	if !ok {
		return stored, nil
	}
	id, b64, ok := strings.Cut(rest, ":")
	if !ok {
		return "", fmt.Errorf("keyring: %s: malformed sealed value", column)
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("keyring: %s: malformed sealed value", column)
	}
	plain, err := r.Open(id, raw, []byte(column))
	if err != nil {
		return "", fmt.Errorf("keyring: %s: %w", column, err)
	}
	return string(plain), nil
}

// IsSealed says whether stored is a sealed value.
func IsSealed(stored string) bool { return strings.HasPrefix(stored, fieldPrefix) }

// KeyOf is the id of the key a sealed value was sealed with; false for a
// value that is not sealed.
func (r *Ring) KeyOf(stored string) (string, bool) {
	rest, ok := strings.CutPrefix(stored, fieldPrefix)
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(rest, ":")
	return id, true
}

// Lookup is the keyed hash of value under the active key, for an index that
// finds sealed values by exact match ("<key id>:<hash>"); kind keeps hashes
// of different things apart ("email", "phone"). Without the key, a hash
// tells nothing, not even that two databases hold the same address.
func (r *Ring) Lookup(kind, value string) string { return r.lookupUnder(r.active, kind, value) }

// Lookups are value's hashes under every key of the ring, the active one
// first: rows indexed before a rotation are still found.
func (r *Ring) Lookups(kind, value string) []string {
	out := make([]string, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.lookupUnder(id, kind, value))
	}
	return out
}

func (r *Ring) lookupUnder(id, kind, value string) string {
	m := hmac.New(sha256.New, r.lookup[id])
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return id + ":" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// lookupKey derives a key's lookup key, so the hashes never use the
// encryption key itself.
func lookupKey(raw []byte) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("q2c lookup key v1"))
	return m.Sum(nil)
}
