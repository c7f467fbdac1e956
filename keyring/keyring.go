// Package keyring holds q2c's data keys: AES-256-GCM keys, each with an id,
// the first of which encrypts while all of them decrypt, so a key rotates by
// putting a new one first and keeping the old ones until nothing they
// encrypted remains. It encrypts Temporal payloads (codec.go).
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// keyID names a key: letters, digits, dot, dash and underscore.
var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,32}$`)

// Ring is a set of keys by id; Active encrypts.
type Ring struct {
	active string
	keys   map[string]cipher.AEAD
	order  []string          // ids as given, the active one first
	lookup map[string][]byte // per key: the key its lookup hashes use (fields.go)
}

// Parse reads a key ring written as "id=base64key,id=base64key", the
// active key first; each key is 32 random bytes (make one with Generate).
func Parse(spec string) (*Ring, error) {
	r := &Ring{keys: map[string]cipher.AEAD{}, lookup: map[string][]byte{}}
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !keyID.MatchString(id) {
			return nil, fmt.Errorf("key %d: want id=base64key with an id of letters, digits, '.', '-' or '_'", i+1)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %q: want 32 bytes in standard base64 (make one with: q2c keygen)", id)
		}
		if _, dup := r.keys[id]; dup {
			return nil, fmt.Errorf("key %q appears twice", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		r.keys[id] = aead
		r.order = append(r.order, id)
		r.lookup[id] = lookupKey(raw)
		if i == 0 {
			r.active = id
		}
	}
	return r, nil
}

// Generate returns a new key ring entry "id=base64key" with 32 random bytes.
func Generate(id string) string {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic(fmt.Sprintf("keyring: %v", err)) // the system's randomness failed: nothing is safe
	}
	return id + "=" + base64.StdEncoding.EncodeToString(raw)
}

// Active is the id of the key that encrypts.
func (r *Ring) Active() string { return r.active }

// Seal encrypts plaintext with the active key; aad is bound to it (it must
// be given again to open it). It returns the key's id and nonce‖ciphertext.
func (r *Ring) Seal(plaintext, aad []byte) (string, []byte) {
	aead := r.keys[r.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("keyring: %v", err))
	}
	return r.active, aead.Seal(nonce, nonce, plaintext, aad)
}

// ErrUnknownKey: the data names a key the ring does not hold (it was
// retired too early, or the data comes from elsewhere).
var ErrUnknownKey = errors.New("keyring: no such key")

// Open decrypts what Seal returned under key id.
func (r *Ring) Open(id string, sealed, aad []byte) ([]byte, error) {
	aead, ok := r.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("keyring: sealed data too short")
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	return aead.Open(nil, nonce, ct, aad)
}
