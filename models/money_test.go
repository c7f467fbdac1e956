package models_test

import (
	"errors"
	"testing"

	"github.com/q2c-dev/q2c/models"
)

func TestDivRoundHalfAwayFromZero(t *testing.T) {
	tests := []struct {
		name       string
		n, d, want int64
	}{
		{"exact", 10, 2, 5},
		{"below half rounds down", 4, 3, 1},
		{"half rounds up", 5, 2, 3},
		{"above half rounds up", 5, 3, 2},
		{"negative half rounds away", -5, 2, -3},
		{"negative below half", -4, 3, -1},
		{"zero", 0, 7, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := models.DivRoundHalfAwayFromZero(tc.n, tc.d); got != tc.want {
				t.Fatalf("%d/%d = %d, want %d", tc.n, tc.d, got, tc.want)
			}
		})
	}
}

func TestMoneyArithmetic(t *testing.T) {
	usd := func(a int64) models.Money { return models.NewMoney(a, "USD") }
	tests := []struct {
		name string
		got  models.Money
		want models.Money
	}{
		{"7.25% tax on 19.99 is 1.449 -> 1.45", usd(1999).ApplyBasisPoints(725), usd(145)},
		{"7.25% tax on 19.98 is 1.44855 -> 1.45", usd(1998).ApplyBasisPoints(725), usd(145)},
		{"10% off 0.05 is 0.005 -> 0.01", usd(5).ApplyBasisPoints(1000), usd(1)},
		{"one third of 1.00 -> 0.33", usd(100).MulRatio(1, 3), usd(33)},
		{"two thirds of 1.00 -> 0.67", usd(100).MulRatio(2, 3), usd(67)},
		{"negative credit rounds away", usd(-5).ApplyBasisPoints(1000), usd(-1)},
		{"times quantity", usd(1999).Times(3), usd(5997)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if _, err := usd(1).Add(models.NewMoney(1, "EUR")); !errors.Is(err, models.ErrCurrencyMismatch) {
		t.Fatalf("USD+EUR: %v", err)
	}
	if s, _ := usd(150).Sub(usd(200)); s != usd(-50) {
		t.Fatalf("1.50-2.00 = %v", s)
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    models.Money
		want string
	}{
		{models.NewMoney(1234, "USD"), "USD 12.34"},
		{models.NewMoney(-5, "EUR"), "EUR -0.05"},
		{models.NewMoney(1200, "JPY"), "JPY 1200"},
		{models.NewMoney(1234, "KWD"), "KWD 1.234"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.m.String(); got != tc.want {
				t.Fatalf("String = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCurrencyValidate(t *testing.T) {
	for _, tc := range []struct {
		c  models.Currency
		ok bool
	}{{"USD", true}, {"JPY", true}, {"usd", false}, {"XXX", false}, {"US", false}} {
		t.Run(string(tc.c), func(t *testing.T) {
			if err := tc.c.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate(%q) = %v, want ok=%v", tc.c, err, tc.ok)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	rs, err := models.ParseRoles("finance, approver,finance")
	if err != nil || rs.String() != "approver,finance" {
		t.Fatalf("ParseRoles = %v, %v", rs, err)
	}
	if _, err := models.ParseRoles("finance,wizard"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if (models.Roles{models.RoleCustomer}).IsStaff() || !(models.Roles{models.RoleFinance}).IsStaff() {
		t.Fatal("IsStaff wrong")
	}
}

func TestMoneyDisplayGroupsThousands(t *testing.T) {
	for _, tc := range []struct {
		m    models.Money
		want string
	}{
		{models.NewMoney(99, "USD"), "USD 0.99"},
		{models.NewMoney(123456, "USD"), "USD 1,234.56"},
		{models.NewMoney(-123456789, "EUR"), "EUR -1,234,567.89"},
		{models.NewMoney(1200000, "JPY"), "JPY 1,200,000"},
		{models.NewMoney(1234567, "KWD"), "KWD 1,234.567"},
		{models.NewMoney(100000, "GBP"), "GBP 1,000.00"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.m.Display(); got != tc.want {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func TestGroupedCounts(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1045: "-1,045", 1234567: "1,234,567"} {
		if got := models.Grouped(n); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
