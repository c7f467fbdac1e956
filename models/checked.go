package models

import (
	"math"
	"math/big"
)

// Checked arithmetic for amounts: an answer that does not fit an int64 is
// reported (ok false), never wrapped into a wrong or negative figure.

// AddChecked returns a+b, and whether it fits.
func AddChecked(a, b int64) (int64, bool) {
	s := a + b
	// Overflow only when both have the sign the sum lacks.
	return s, (a >= 0) != (b >= 0) || (s >= 0) == (a >= 0)
}

// MulChecked returns a×b, and whether it fits.
func MulChecked(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) || p/b != a {
		return 0, false
	}
	return p, true
}

// MulDivRound returns a×b÷d (d > 0) rounded half away from zero, exact even
// when a×b alone would not fit an int64, and whether the answer fits.
func MulDivRound(a, b, d int64) (int64, bool) {
	if d <= 0 {
		panic("models: divisor must be positive")
	}
	if p, ok := MulChecked(a, b); ok {
		return DivRoundHalfAwayFromZero(p, d), true
	}
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	q, r := new(big.Int).QuoRem(n, big.NewInt(d), new(big.Int))
	if r.Abs(r).Lsh(r, 1).Cmp(big.NewInt(d)) >= 0 {
		q.Add(q, big.NewInt(int64(n.Sign())))
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}
