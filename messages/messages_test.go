package messages_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/messages"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixtures are real-looking figures for every event.
var fixtures = map[string]messages.Data{
	"quote_ready":        {"quote_id": "Q-7K3M9P2X", "customer_name": "Acme Corp", "lines": "2", "total": "USD 210.17", "tax": "USD 14.21", "valid_until": "2026-12-22", "link": "https://q2c.example.com/quotes/Q-7K3M9P2X"},
	"quote_rejected":     {"quote_id": "Q-7K3M9P2X"},
	"quote_expired":      {"quote_id": "Q-7K3M9P2X", "valid_until": "2026-12-22"},
	"quote_withdrawn":    {"quote_id": "Q-7K3M9P2X", "comment": "Bought elsewhere."},
	"approval_requested": {"quote_id": "Q-7K3M9P2X", "version": "1", "customer_name": "Acme Corp", "total": "USD 210.17", "discount": "21.60%", "role": "approver", "reasons": "21.60% off list price, above the 15.00% allowed without approval"},
	"approval_escalated": {"quote_id": "Q-7K3M9P2X", "version": "1", "customer_name": "Acme Corp", "total": "USD 210.17", "discount": "21.60%", "role": "sales_manager", "reasons": "21.60% off list price, above the 15.00% allowed without approval"},
	"order_confirmed":    {"order_id": "SO-7K3M9P2X", "total": "USD 210.17", "backorders": "line 2 PMP-900: 1 of 1 backordered"},
	"order_cancelled":    {"order_id": "SO-7K3M9P2X", "reason": "budget cut"},
	"shipped":            {"order_id": "SO-7K3M9P2X", "shipment_id": "SO-7K3M9P2X/S1", "carrier": "UPS", "tracking": "1Z999AA10123456784", "ship_to": "Dock 4, 4 Wharf Rd, Tilbury, RM18 7EH, GB"},
	"invoice_issued":     {"invoice_id": "INV-000042", "order_id": "SO-7K3M9P2X", "amount": "USD 122.20", "due_date": "2026-12-22", "terms_days": "15", "terms": "net 15"},
	"payment_reminder":   {"invoice_id": "INV-000042", "order_id": "SO-7K3M9P2X", "amount": "USD 122.20", "due_date": "2026-12-22"},
	"payment_overdue":    {"invoice_id": "INV-000042", "order_id": "SO-7K3M9P2X", "amount": "USD 22.20", "due_date": "2026-12-22"},
	"payment_received":   {"invoice_id": "INV-000042", "amount": "USD 100.00", "balance": "USD 22.20"},
	"return_authorized":  {"return_id": "RMA-000003", "order_id": "SO-7K3M9P2X", "customer_name": "Acme Corp", "lines": "line 1 WID-100: 2 units"},
	"return_received":    {"return_id": "RMA-000003", "order_id": "SO-7K3M9P2X", "customer_name": "Acme Corp", "lines": "line 1 WID-100: 2 units received, 1 back in stock"},
	"stock_shortage":     {"sku": "WID-200", "waiting": "40", "free": "5", "on_order": "20", "short": "15"},
	"supply_slipped":     {"sku": "PMP-900", "count": "2", "lines": "1. SO-AAA line 2: 1 for Acme Corp, promised 2027-01-06, now expected 2027-01-20 (supply PO-17)\n2. SO-BBB line 1: 2 for Globex, promised 2027-01-10, now expected 2027-01-20 (supply PO-17)"},
	"credit_note_issued": {"credit_note_id": "CN-000007", "invoice_id": "INV-000042", "amount": "USD 61.10", "reason": "return RMA-000003: damaged",
		"applied": "USD 22.20", "to_account": "USD 38.90", "balance": "USD 0.00"},
	"line_backordered": {"order_id": "SO-7K3M9P2X", "sku": "PMP-900", "qty": "1", "eta": "2027-01-06"},
	"eta_changed":      {"order_id": "SO-7K3M9P2X", "sku": "PMP-900", "qty": "1", "old_eta": "2027-01-06", "eta": "2027-01-20"},
	"stock_arrived": {"sku": "WID-100", "warehouse": "SFO", "qty": "40", "trigger": "receipt PS-4471",
		"pick_list": "1. SO-AAA line 1: 10 from SFO (Acme Corp, tier 1)\n2. SO-BBB line 2: 30 from SFO (Globex, tier 2)"},
	"production_alert": {"sku": "PMP-900", "qty": "3", "orders": "2", "due": "2027-01-06",
		"schedule": "1. SO-AAA line 2: 1 for Acme Corp (tier 1), promised 2027-01-06\n2. SO-BBB line 1: 2 for Globex (tier 2), promised 2027-01-20"},
	"ticket_reply":     {"ticket_id": "TK-7K3M9P2X", "subject": "Where is my pump?", "customer_name": "Acme Corp", "body": "It left our dock today."},
	"ticket_escalated": {"ticket_id": "TK-7K3M9P2X", "subject": "Where is my pump?", "customer_name": "Acme Corp", "priority": "high", "due": "2026-12-02 16:00 UTC"},
	"backorder_created": {"order_id": "SO-7K3M9P2X", "customer_name": "Acme Corp", "lines": "line 2 PMP-900: 1 of 1 backordered, expected by 2027-01-06",
		"ship_to": "Main warehouse, 200 Industrial Pkwy, Fremont, CA 94538, US"},
	"backorder_overdue": {"order_id": "SO-7K3M9P2X", "sku": "WID-200", "qty": "4", "eta": "2026-12-10", "customer_name": "Acme Corp", "source": "supply 0190-ab"},
	"promotion":         {"customer_name": "Acme Corp", "headline": "Titanium widgets 10% off this week", "body": "Use code TI10 before Friday.", "unsubscribe_url": "https://q2c.example.com/unsubscribe?c=abc&t=xyz"},
}

// TestGolden renders every event and compares with testdata/golden; run
// `go test ./messages -update` after a deliberate wording change.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(fixtures) {
		t.Fatalf("%d templates, %d fixtures: every event needs both", len(entries), len(fixtures))
	}
	for event, data := range fixtures {
		t.Run(event, func(t *testing.T) {
			r, err := messages.Render(event, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.SMS) > 160 {
				t.Errorf("SMS is %d characters; one segment holds 160", len(r.SMS))
			}
			got := "subject: " + r.Subject + "\n--- text\n" + r.Text + "\n--- sms\n" + r.SMS + "\n--- html\n" + r.HTML
			path := filepath.Join("testdata", "golden", event+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./messages -update)", err)
			}
			if got != string(want) {
				t.Fatalf("rendering changed:\n%s\n--- golden:\n%s", got, want)
			}
		})
	}
}

// TestMessagesOfOlderOrders: orders placed before ship-to and terms were
// the customer's send their shipment and invoice messages without them.
func TestMessagesOfOlderOrders(t *testing.T) {
	r, err := messages.Render("shipped", messages.Data{"order_id": "SO-1", "shipment_id": "SO-1/S1", "carrier": "UPS", "tracking": "1Z"})
	if err != nil || strings.Contains(r.Text, "goes to") {
		t.Fatalf("shipped without a ship-to: %v %q", err, r.Text)
	}
	r, err = messages.Render("invoice_issued", messages.Data{"invoice_id": "INV-1", "order_id": "SO-1", "amount": "USD 1.00", "due_date": "2026-12-22", "terms_days": "30"})
	if err != nil || !strings.Contains(r.Text, "(net 30)") {
		t.Fatalf("invoice without terms: %v %q", err, r.Text)
	}
}

func TestMissingFigureIsAnError(t *testing.T) {
	if _, err := messages.Render("shipped", messages.Data{"order_id": "SO-1"}); err == nil {
		t.Fatal("a message with blanks was rendered")
	}
	if _, err := messages.Render("no_such_event", nil); err == nil {
		t.Fatal("an unknown event was rendered")
	}
}

func TestMarketingNeedsAnUnsubscribeLink(t *testing.T) {
	d := messages.Data{"customer_name": "A", "headline": "Sale", "body": "Now", "unsubscribe_url": ""}
	if _, err := messages.Render("promotion", d); err == nil {
		t.Fatal("a marketing message rendered without an unsubscribe link")
	}
	d["unsubscribe_url"] = "https://q2c.example.com/unsubscribe?c=1&t=2"
	r, err := messages.Render("promotion", d)
	if err != nil || !strings.Contains(r.HTML, `href="https://q2c.example.com/unsubscribe?c=1&amp;t=2"`) || !strings.Contains(r.Text, d["unsubscribe_url"]) {
		t.Fatalf("unsubscribe link missing: %v\n%s", err, r.HTML)
	}
}

func TestHTMLIsEscaped(t *testing.T) {
	r, err := messages.Render("order_cancelled", messages.Data{"order_id": "SO-1", "reason": `<script>alert(1)</script>`})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || !strings.Contains(r.HTML, "&lt;script&gt;") {
		t.Fatalf("HTML not escaped: %s", r.HTML)
	}
}
