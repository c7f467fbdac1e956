package auth

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestUnknownEmailCostsWhatAKnownOneDoes: the dummy hash compared for an
// unknown email was made at bcrypt's minimum cost, so unknown emails
// answered ~250 ms sooner and told an attacker which accounts exist.
func TestUnknownEmailCostsWhatAKnownOneDoes(t *testing.T) {
	defer func(c int) { BcryptCost = c }(BcryptCost)
	BcryptCost = 6
	cost, err := bcrypt.Cost(dummyHash())
	if err != nil || cost != BcryptCost {
		t.Fatalf("dummy hash cost %d (%v), real hashes cost %d", cost, err, BcryptCost)
	}
}
