package models

import "testing"

func TestParseMoneyReadsMajorUnitsExactly(t *testing.T) {
	cases := []struct {
		name, in string
		cur      Currency
		want     int64
		bad      bool
	}{
		{name: "whole dollars", in: "12", cur: "USD", want: 1200},
		{name: "one decimal", in: "12.5", cur: "USD", want: 1250},
		{name: "two decimals", in: "0.07", cur: "USD", want: 7},
		{name: "thousands separators", in: "1,234.50", cur: "USD", want: 123450},
		{name: "leading point", in: ".5", cur: "USD", want: 50},
		{name: "yen has no decimals", in: "1200", cur: "JPY", want: 1200},
		{name: "dinar has three", in: "1.234", cur: "KWD", want: 1234},
		{name: "negative", in: "-3.10", cur: "EUR", want: -310},
		{name: "surrounding spaces", in: "  9.99 ", cur: "USD", want: 999},
		{name: "too many decimals is refused, not rounded", in: "0.005", cur: "USD", bad: true},
		{name: "yen with decimals", in: "1.5", cur: "JPY", bad: true},
		{name: "letters", in: "12a", cur: "USD", bad: true},
		{name: "empty", in: "", cur: "USD", bad: true},
		{name: "just a point", in: ".", cur: "USD", bad: true},
		{name: "float notation", in: "1e3", cur: "USD", bad: true},
		{name: "unknown currency", in: "1", cur: "XXX", bad: true},
		{name: "too large", in: "1234567890123456", cur: "USD", bad: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseMoney(c.in, c.cur)
			if c.bad {
				if err == nil {
					t.Fatalf("ParseMoney(%q) = %d, want an error", c.in, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseMoney(%q, %s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
			}
		})
	}
}

func TestDecimalRoundTripsThroughParseMoney(t *testing.T) {
	for _, c := range []struct {
		amount int64
		cur    Currency
		want   string
	}{{123456, "USD", "1234.56"}, {-5, "EUR", "-0.05"}, {1200, "JPY", "1200"}, {1234, "KWD", "1.234"}, {0, "USD", "0.00"}} {
		got := NewMoney(c.amount, c.cur).Decimal()
		back, err := ParseMoney(got, c.cur)
		if got != c.want || err != nil || back != c.amount {
			t.Errorf("%d %s: Decimal %q (want %q), parsed back %d, %v", c.amount, c.cur, got, c.want, back, err)
		}
	}
}

func TestNormalizePhoneKeepsOnlyWhatE164Needs(t *testing.T) {
	for in, want := range map[string]string{"+1 (415) 555-0199": "+14155550199", " +44 20.7946.0000 ": "+442079460000", "+14155550100": "+14155550100", "": ""} {
		if got := NormalizePhone(in); got != want || (got != "" && !ValidPhone(got)) {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}
