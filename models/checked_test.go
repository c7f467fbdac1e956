package models

import (
	"math"
	"math/big"
	"testing"
)

func TestCheckedArithmetic(t *testing.T) {
	for _, c := range []struct {
		name      string
		a, b      int64
		sum       int64
		sumOK     bool
		product   int64
		productOK bool
	}{
		{"small", 3, 4, 7, true, 12, true},
		{"signs differ", -5, 7, 2, true, -35, true},
		{"sum at the top", math.MaxInt64 - 1, 1, math.MaxInt64, true, math.MaxInt64 - 1, true},
		{"sum past the top", math.MaxInt64, 1, 0, false, math.MaxInt64, true},
		{"sum past the bottom", math.MinInt64, -1, 0, false, 0, false},
		{"product past the top", 1 << 32, 1 << 31, 1<<32 + 1<<31, true, 0, false},
		{"the one negation that cannot", math.MinInt64, -1, 0, false, 0, false},
		{"a billion units of a trillion", 1_000_000_000, 1_000_000_000_000, 1_001_000_000_000, true, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if s, ok := AddChecked(c.a, c.b); ok != c.sumOK || (ok && s != c.sum) {
				t.Errorf("AddChecked = %d, %v; want %d, %v", s, ok, c.sum, c.sumOK)
			}
			if p, ok := MulChecked(c.a, c.b); ok != c.productOK || (ok && p != c.product) {
				t.Errorf("MulChecked = %d, %v; want ok %v", p, ok, c.productOK)
			}
		})
	}
}

// TestMulDivRound: tax at 7.25% on amounts whose product with the rate
// overflows int64, against exact arithmetic; halves round away from zero.
func TestMulDivRound(t *testing.T) {
	for _, c := range []struct {
		name    string
		a, b, d int64
		want    int64
		ok      bool
	}{
		{"a half rounds up", 5, 1, 2, 3, true},
		{"a negative half rounds down", -5, 1, 2, -3, true},
		{"7.25% of 10.00", 1000, 725, 10_000, 73, true},
		{"7.25% of 10^16 minor units (the product overflows)", 10_000_000_000_000_000, 725, 10_000, 725_000_000_000_000, true},
		{"100% of the largest int64", math.MaxInt64, 10_000, 10_000, math.MaxInt64, true},
		{"200% of the largest int64", math.MaxInt64, 20_000, 10_000, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := MulDivRound(c.a, c.b, c.d)
			if ok != c.ok || (ok && got != c.want) {
				t.Fatalf("MulDivRound(%d, %d, %d) = %d, %v; want %d, %v", c.a, c.b, c.d, got, ok, c.want, c.ok)
			}
		})
	}
}

// FuzzMulDivRound checks MulDivRound and MulChecked against math/big for
// any operands: exact when they say ok, and ok exactly when the answer fits.
func FuzzMulDivRound(f *testing.F) {
	f.Add(int64(1000), int64(725), int64(10_000))
	f.Add(int64(math.MaxInt64), int64(3), int64(7))
	f.Add(int64(math.MinInt64), int64(-1), int64(1))
	f.Fuzz(func(t *testing.T, a, b, d int64) {
		if d <= 0 {
			return
		}
		n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		if p, ok := MulChecked(a, b); ok != n.IsInt64() || (ok && p != n.Int64()) {
			t.Fatalf("MulChecked(%d, %d) = %d, %v; exact %s", a, b, p, ok, n)
		}
		// Exact: round(n/d) half away from zero, as |n|*2 vs d.
		q, r := new(big.Int).QuoRem(n, big.NewInt(d), new(big.Int))
		twice := new(big.Int).Lsh(new(big.Int).Abs(r), 1)
		if twice.Cmp(big.NewInt(d)) >= 0 {
			q.Add(q, big.NewInt(int64(n.Sign())))
		}
		got, ok := MulDivRound(a, b, d)
		if ok != q.IsInt64() || (ok && got != q.Int64()) {
			t.Fatalf("MulDivRound(%d, %d, %d) = %d, %v; exact %s", a, b, d, got, ok, q)
		}
	})
}
