package approval_test

import (
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/approval"
)

func TestCreditReasons(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	limit := int64(1_000_000) // 10,000.00
	due := func(daysAgo int) *time.Time { d := now.AddDate(0, 0, -daysAgo); return &d }
	tests := []struct {
		name   string
		credit approval.Credit
		total  int64
		want   []string
	}{
		{"no limit, nothing overdue", approval.Credit{Currency: "USD", OpenInvoices: 9_000_000}, 5_000_000, nil},
		{"exactly at the limit", approval.Credit{Currency: "USD", Limit: &limit, OpenInvoices: 600_000, Uninvoiced: 300_000}, 100_000, nil},
		// 6,000.00 + 3,000.00 owed and ordered, + 1,000.01 = 10,000.01 > 10,000.00
		{"one cent over the limit", approval.Credit{Currency: "USD", Limit: &limit, OpenInvoices: 600_000, Uninvoiced: 300_000}, 100_001,
			[]string{"credit limit: USD 9,000.00 owed and ordered + this order USD 1,000.01 = USD 10,000.01, over the limit of USD 10,000.00"}},
		{"overdue exactly the days allowed", approval.Credit{Currency: "USD", OldestOverdue: due(30), OverdueBalance: 5_000}, 1, nil},
		{"overdue a day more", approval.Credit{Currency: "USD", OldestOverdue: due(31), OverdueBalance: 5_000}, 1,
			[]string{"overdue: an invoice is 31 days past due (USD 50.00 overdue in all), more than the 30 days allowed"}},
		{"both", approval.Credit{Currency: "EUR", Limit: &limit, OpenInvoices: 1_000_000, OldestOverdue: due(45), OverdueBalance: 1_000_000}, 1,
			[]string{"credit limit: EUR 10,000.00 owed and ordered + this order EUR 0.01 = EUR 10,000.01, over the limit of EUR 10,000.00",
				"overdue: an invoice is 45 days past due (EUR 10,000.00 overdue in all), more than the 30 days allowed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := approval.CreditReasons(tc.credit, tc.total, now, approval.DefaultOverdueDays)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}
