// Package models holds q2c's domain types and rules. It imports nothing else of
// q2c, so every other package may depend on it.
package models

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 alphabetic code such as "USD".
type Currency string

// minorUnitExponents lists the currencies q2c prices in and how many minor
// units they have. Amounts are always stored in minor units (cents for USD).
var minorUnitExponents = map[Currency]int{
	"USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "CHF": 2, "SEK": 2,
	"NOK": 2, "DKK": 2, "MXN": 2, "BRL": 2, "INR": 2, "CNY": 2, "SGD": 2,
	"JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3,
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Validate reports whether c is a currency q2c supports.
func (c Currency) Validate() error {
	if !currencyPattern.MatchString(string(c)) {
		return fmt.Errorf("currency %q is not an ISO 4217 code", string(c))
	}
	if _, ok := minorUnitExponents[c]; !ok {
		return fmt.Errorf("currency %q is not supported", string(c))
	}
	return nil
}

// Currencies lists the currencies q2c supports, in code order.
func Currencies() []Currency { return slices.Sorted(maps.Keys(minorUnitExponents)) }

// Exponent is the number of minor-unit digits of c (2 for USD, 0 for JPY).
func (c Currency) Exponent() int { return minorUnitExponents[c] }

// Money is an exact amount: integer minor units plus the currency they are in.
// There is no float anywhere in money arithmetic.
type Money struct {
	Amount   int64    `json:"amount"`   // minor units, e.g. cents
	Currency Currency `json:"currency"` // ISO 4217
}

// NewMoney returns amount minor units of currency.
func NewMoney(amount int64, currency Currency) Money {
	return Money{Amount: amount, Currency: currency}
}

// ErrCurrencyMismatch is returned when two amounts in different currencies meet.
var ErrCurrencyMismatch = fmt.Errorf("currency mismatch")

// Add returns m+o; both must be in the same currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s + %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

// Sub returns m-o; both must be in the same currency.
func (m Money) Sub(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s - %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	return Money{Amount: m.Amount - o.Amount, Currency: m.Currency}, nil
}

// Times returns m multiplied by a whole quantity.
func (m Money) Times(qty int64) Money {
	return Money{Amount: m.Amount * qty, Currency: m.Currency}
}

// MulRatio returns m*num/den rounded half away from zero, the rounding rule q2c
// uses for every derived amount (discounts, tax, pro-rating). den must be > 0.
func (m Money) MulRatio(num, den int64) Money {
	return Money{Amount: DivRoundHalfAwayFromZero(m.Amount*num, den), Currency: m.Currency}
}

// ApplyBasisPoints returns m*bp/10000 rounded half away from zero; 1 bp = 0.01%.
// A 7.25% tax is 725 bp.
func (m Money) ApplyBasisPoints(bp int64) Money { return m.MulRatio(bp, 10_000) }

// DivRoundHalfAwayFromZero divides n by d (d > 0) and rounds halves away from
// zero: 5/2 = 3, -5/2 = -3, 4/3 = 1.
func DivRoundHalfAwayFromZero(n, d int64) int64 {
	if d <= 0 {
		panic("models: divisor must be positive")
	}
	q, r := n/d, n%d
	if r < 0 {
		r = -r
	}
	if 2*r >= d {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// Decimal is the amount in major units with the currency's own number of
// decimals ("12.34", "1200", "-0.05"), for files and forms.
func (m Money) Decimal() string {
	_, d, _ := strings.Cut(m.String(), " ")
	return d
}

// String formats m for people, e.g. "USD 12.34" or "JPY 1200".
func (m Money) String() string {
	exp := m.Currency.Exponent()
	if exp == 0 {
		return fmt.Sprintf("%s %d", m.Currency, m.Amount)
	}
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	div := int64(1)
	for i := 0; i < exp; i++ {
		div *= 10
	}
	return fmt.Sprintf("%s %s%d.%0*d", m.Currency, sign, a/div, exp, a%div)
}

// Display is the amount as people read it, thousands grouped:
// "USD 1,234.50", "JPY -12,000". String stays ungrouped for logs and the
// audit trail, where a comma would split a field.
func (m Money) Display() string {
	code, num, _ := strings.Cut(m.String(), " ")
	sign := ""
	if rest, ok := strings.CutPrefix(num, "-"); ok {
		sign, num = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(num, ".")
	if hasFrac {
		return code + " " + sign + groupDigits(whole) + "." + frac
	}
	return code + " " + sign + groupDigits(whole)
}

// Grouped is n as people read it, thousands grouped: "18,799".
func Grouped(n int64) string {
	if n < 0 {
		return "-" + groupDigits(strconv.FormatInt(n, 10)[1:])
	}
	return groupDigits(strconv.FormatInt(n, 10))
}

// groupDigits puts a comma before every third digit from the right.
func groupDigits(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseMoney reads an amount typed by a person in major units ("1234.5",
// "1,234.50") as minor units of c. It never goes through a float: more
// decimals than the currency has is an error, not a rounding.
func ParseMoney(s string, c Currency) (int64, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	exp := c.Exponent()
	if whole == "" && !hasFrac || !digitsOnly(whole) || !digitsOnly(frac) || (hasFrac && frac == "" && whole == "") {
		return 0, fmt.Errorf("must be an amount like 1234.50")
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("has more than %d decimals for %s", exp, c)
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("is too large")
	}
	frac += strings.Repeat("0", exp-len(frac))
	var n int64
	for _, r := range whole + frac {
		n = n*10 + int64(r-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
