package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
)

func init() { auth.BcryptCost = 4 }

func TestPasswords(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash, pw string
		ok             bool
	}{
		{"right password", h, "correct horse battery", true},
		{"wrong password", h, "correct horse battery!", false},
		{"no such user", "", "correct horse battery", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.CheckPassword(tc.hash, tc.pw)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckPassword = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	var ve *models.ValidationError
	if _, err := auth.HashPassword("short"); !errors.As(err, &ve) || ve.Fields[0].Field != "password" {
		t.Fatalf("short password: %v", err)
	}
}

func TestTokens(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	secret := strings.Repeat("s", 32)
	tok, err := auth.NewTokens(secret, 15*time.Minute, clock)
	if err != nil {
		t.Fatal(err)
	}
	cid := "cust-1"
	signed, exp, err := tok.Issue(models.User{ID: "u1", Name: "Cara", Roles: models.Roles{models.RoleCustomer}, CustomerID: &cid})
	if err != nil || !exp.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("Issue: %v, exp %v", err, exp)
	}
	p, err := tok.Verify(signed)
	if err != nil || p.ID != "u1" || p.CustomerID != cid || !p.Roles.Has(models.RoleCustomer) {
		t.Fatalf("Verify = %+v, %v", p, err)
	}

	other, _ := auth.NewTokens(strings.Repeat("x", 32), time.Minute, clock)
	later, _ := auth.NewTokens(secret, 15*time.Minute, func() time.Time { return now.Add(16 * time.Minute) })
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "u1", "iss": "q2c", "exp": now.Add(time.Hour).Unix()})
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	tests := []struct {
		name  string
		v     *auth.Tokens
		token string
	}{
		{"other secret", other, signed},
		{"expired", later, signed},
		{"tampered", tok, signed[:len(signed)-2] + "xx"},
		{"alg none", tok, unsigned},
		{"garbage", tok, "not-a-token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.v.Verify(tc.token); !errors.Is(err, models.ErrUnauthorized) {
				t.Fatalf("Verify = %v, want ErrUnauthorized", err)
			}
		})
	}
	if _, err := auth.NewTokens("short", time.Minute, nil); err == nil {
		t.Fatal("short secret accepted")
	}
}

func TestAPIKeys(t *testing.T) {
	k1, p1, h1 := auth.NewAPIKey()
	k2, _, h2 := auth.NewAPIKey()
	if k1 == k2 || h1 == h2 {
		t.Fatal("two keys are equal")
	}
	if !strings.HasPrefix(k1, auth.APIKeyPrefix) || !strings.HasPrefix(k1, p1) || auth.HashAPIKey(k1) != h1 {
		t.Fatalf("key %q prefix %q hash mismatch", k1, p1)
	}
	if strings.Contains(h1, k1) {
		t.Fatal("hash contains the key")
	}
}
