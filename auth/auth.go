// Package auth knows who a caller is: password hashing, short-lived signed
// tokens for people, and API keys for portal integrations. It does no I/O.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/q2c-dev/q2c/models"
)

// Principal is an authenticated caller.
type Principal struct {
	Kind       string       `json:"kind"` // "user" or "api_key"
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Roles      models.Roles `json:"roles"`
	CustomerID string       `json:"customer_id,omitempty"` // set for customer users and keys: their only data
	// TokenVersion is the user's token version the token was issued at; a
	// token whose version is not the user's current one is refused.
	TokenVersion int `json:"-"`
}

// Principal kinds.
const (
	KindUser   = "user"
	KindAPIKey = "api_key"
)

// Subject identifies the caller in audit records and idempotency scopes.
func (p Principal) Subject() string { return p.Kind + ":" + p.ID }

// IsCustomer reports whether the caller acts for one customer only.
func (p Principal) IsCustomer() bool { return p.CustomerID != "" }

// BcryptCost is the work factor for new password hashes (about 250 ms here).
var BcryptCost = 12

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ErrBadCredentials is the one answer to any failed login, so a caller cannot
// tell a wrong password from an unknown user.
var ErrBadCredentials = errors.New("email or password is wrong")

// HashPassword returns a bcrypt hash of pw.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLength {
		return "", models.Invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > 72 {
		return "", models.Invalid("password", "must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	return string(h), err
}

// dummyHash is compared against when a login names no user, so that both
// failures take the same time: it is made at BcryptCost, the cost of real
// hashes (at the minimum cost an unknown email answered ~250 ms sooner).
func dummyHash() []byte {
	cost := BcryptCost
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("q2c-timing-equaliser"), cost)
	dummyHashes.Store(cost, h)
	return h
}

var dummyHashes sync.Map // bcrypt cost → hash

// CheckPassword compares pw to hash; an empty hash (no such user) still costs
// a comparison.
func CheckPassword(hash, pw string) error {
	h := []byte(hash)
	if len(h) == 0 {
		h = dummyHash()
	}
	if err := bcrypt.CompareHashAndPassword(h, []byte(pw)); err != nil || hash == "" {
		return ErrBadCredentials
	}
	return nil
}

// Tokens issues and verifies HS256 tokens.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// NewTokens signs with secret (32+ bytes) and issues tokens valid for ttl.
func NewTokens(secret string, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("auth: token secret must be at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{secret: []byte(secret), ttl: ttl, now: now}, nil
}

type claims struct {
	jwt.RegisteredClaims
	Name       string       `json:"name"`
	Roles      models.Roles `json:"roles"`
	CustomerID string       `json:"cid,omitempty"`
	Version    int          `json:"ver,omitempty"`
}

const issuer = "q2c"

// Issue returns a signed token for a user and when it expires.
func (t *Tokens) Issue(u models.User) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(t.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: u.ID,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
		},
		Name: u.Name, Roles: u.Roles, Version: u.TokenVersion,
	}
	if u.CustomerID != nil {
		c.CustomerID = *u.CustomerID
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return s, exp, err
}

// Verify checks a token's signature, issuer and lifetime.
func (t *Tokens) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", models.ErrUnauthorized, err)
	}
	return Principal{Kind: KindUser, ID: c.Subject, Name: c.Name, Roles: c.Roles, CustomerID: c.CustomerID, TokenVersion: c.Version}, nil
}

// APIKeyPrefix starts every key, so leaked keys are easy to scan for.
const APIKeyPrefix = "q2c_"

// NewAPIKey returns a fresh key, the part shown to identify it, and the hash
// to store. The key itself is shown once and never stored.
func NewAPIKey() (key, prefix, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, key[:len(APIKeyPrefix)+6], HashAPIKey(key)
}

// HashAPIKey is the stored form of a key. Keys carry 256 random bits, so a
// plain SHA-256 suffices (no stretching needed, unlike passwords).
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// RandomSecret returns n random bytes, base64url-encoded.
func RandomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// UnsubscribeToken signs a customer id for a one-click unsubscribe link; it
// uses the token secret under its own label, so it is no login.
func (t *Tokens) UnsubscribeToken(customerID string) string {
	mac := hmac.New(sha256.New, t.secret)
	mac.Write([]byte("q2c-unsubscribe\x00" + customerID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyUnsubscribe reports whether token was made for customerID.
func (t *Tokens) VerifyUnsubscribe(customerID, token string) bool {
	return customerID != "" && hmac.Equal([]byte(t.UnsubscribeToken(customerID)), []byte(token))
}
