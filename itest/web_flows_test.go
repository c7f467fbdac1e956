package itest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/internal/browser"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// quoteIDOf reads the quote number from a quote page's heading.
func quoteIDOf(t *testing.T, tab *browser.Tab) string {
	t.Helper()
	h := tab.Text("h1")
	id, ok := strings.CutPrefix(h, "Quote ")
	if !ok {
		t.Fatalf("not a quote page: %q", h)
	}
	return id
}

// TestWebWholeSale carries one sale through the pages, each step as its own
// person in their own browser: pricing adds a promotion; service adds a
// ship-to to Acme's account and finance puts it on net 15; the customer builds
// a quote that needs approval; the approver approves it in the inbox, with
// the keyboard only; the customer accepts; the warehouse ships; finance
// records the payment; the customer sees the invoice paid; IT sees the
// emails in the outbox.
func TestWebWholeSale(t *testing.T) {
	a := newApp(t)

	// Pricing: a 20% promotion, entered on the pricing page.
	pricing := signIn(t, a, "pricing@q2c.local")
	pricing.Open("/pricing")
	pricing.Fill("promotions-f-description", "Launch 20%")
	pricing.Fill("promotions-f-code", "BIG20")
	pricing.Fill("promotions-f-percent_bp", "20")
	pricing.Choose("promotions-f-valid_from", "2026-01-01")
	pricing.Click("form[action='/pricing/promotions'] button[type=submit]")
	pricing.WaitText("table", "BIG20")
	look(t, pricing, "flow-pricing")

	// Customer service: a second ship-to for Acme, added on its page; a
	// country that is not a code is refused beside its field.
	service := signIn(t, a, "service@q2c.local")
	service.Open("/customers?q=acme")
	service.Click("main table tbody a[href^='/customers/']")
	service.WaitHeading("Acme Corp")
	acmePath := service.Location()
	service.Click("a[href$='/edit']")
	service.WaitHeading("Edit customer")
	service.Fill("f-address_2_label", "Dock 4") // the seeded billing and shipping addresses, then a blank row
	service.Fill("f-address_2_line1", "4 Harbor Way")
	service.Fill("f-address_2_city", "Oakland")
	service.Fill("f-address_2_region", "CA")
	service.Fill("f-address_2_postal_code", "94607")
	service.Fill("f-address_2_country", "USA")
	service.Click("form[action$='/edit'] button.primary")
	service.WaitText(".field-error", "two-letter ISO country code")
	service.Fill("f-address_2_country", "us")
	service.Click("form[action$='/edit'] button.primary")
	service.WaitText(".flash", "Saved.")
	service.WaitText("main", "Dock 4, 4 Harbor Way, Oakland, CA 94607, US")
	look(t, service, "flow-customer")

	// Finance: Acme pays on net 15 from now on.
	fin := signIn(t, a, "finance@q2c.local")
	fin.Open(acmePath)
	fin.Fill("credit-f-terms_days", "15")
	fin.Click("form[action$='/credit'] button[type=submit]")
	fin.WaitText(".flash", "Saved.")
	fin.WaitText(".tiles", "net 15")

	// Customer: two lines and the code; the instant price shows each
	// discount's reason, tax and the promised dates. Acme is enterprise:
	// WID-100 at 18.99 × 5 = 94.95 − 20% 18.99 = 75.96 + 7.25% tax 5.51 = 81.47;
	// CAB-050 at 7.50 × 20 = 150.00 − 30.00 = 120.00 + 8.70 = 128.70;
	// total 210.17, discount 21.60% of list: the approver must decide.
	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/quotes/new")
	buyer.Until(`document.querySelectorAll("select[name=sku]").length === 3`)
	buyer.Exec(`document.querySelectorAll("select[name=sku]")[0].value = "WID-100"; document.querySelectorAll("select[name=sku]")[1].value = "CAB-050"; true`)
	buyer.Exec(`document.querySelectorAll("input[name=qty]")[0].value = "5"; document.querySelectorAll("input[name=qty]")[1].value = "20"; true`)
	buyer.Until(`[...document.getElementById("f-ship_to_id").options].some(o => o.text.includes("Dock 4"))`)
	buyer.Exec(`var s = document.getElementById("f-ship_to_id"); s.value = [...s.options].find(o => o.text.includes("Dock 4")).value; true`)
	buyer.Fill("f-delivery_instructions", "Gate B, weekdays 8 to 4")
	buyer.Fill("f-promo_code", "BIG20")
	buyer.Press(kb.Enter) // Enter in a field prices the quote
	buyer.WaitHeading("Quote Q-")
	quoteID := quoteIDOf(t, buyer)
	main := buyer.Text("main")
	for _, want := range []string{"Pending approval", "USD 210.17", "USD 81.47", "USD 128.70", "Launch 20%", "USD 14.21", "stock",
		"Payment due 15 days from invoice (net 15)", "Dock 4, 4 Harbor Way, Oakland, CA 94607, US", "Gate B, weekdays 8 to 4"} {
		if !strings.Contains(main, want) {
			t.Errorf("quote page lacks %q:\n%s", want, main)
		}
	}
	if buyer.Has("form[action$='/accept']") {
		t.Error("the customer is offered accept before approval")
	}
	look(t, buyer, "flow-quote-pending")

	// Approver: the inbox shows why and when it escalates; decide with the
	// keyboard alone.
	approver := signIn(t, a, "approver@q2c.local")
	approver.Open("/approvals")
	approver.WaitText("table", quoteID)
	if inbox := approver.Text("main"); !strings.Contains(inbox, "21.60% off list price, above the 15.00% allowed without approval") || !strings.Contains(inbox, "(in 24 h)") {
		t.Errorf("inbox lacks the reason or the escalation time:\n%s", inbox)
	}
	look(t, approver, "flow-approvals")
	approver.Open("/quotes/" + quoteID)
	// Rejecting without saying why is refused beside the comment box, and
	// the quote still waits.
	approver.Click("form[action$='/approve'] button.danger")
	approver.WaitText("form[action$='/approve'] .field-error", "is required")
	approver.WaitText(".tile", "Pending approval")
	approver.Open("/quotes/" + quoteID)
	approver.Click("#f-comment") // focus the comment, then only keys
	approver.Press("launch customer")
	approver.Press(kb.Tab) // to Approve
	approver.Press(kb.Enter)
	approver.WaitHeading("Approvals inbox")
	approver.WaitText("main", "Nothing waits for your decision.")
	approver.Open("/quotes/" + quoteID)
	approver.WaitText("main", "Approved by Sam Patel (Approver)")
	approver.WaitText("main", "launch customer")

	// Customer: approved; accept and place the order.
	buyer.Refresh("/quotes/"+quoteID, ".tile", "Approved")
	buyer.Click("form[action$='/accept'] button[type=submit]")
	buyer.WaitHeading("Order SO-")
	orderPath := buyer.Location()
	orderID := strings.TrimPrefix(orderPath, "/orders/")
	buyer.Refresh(orderPath, ".tile", "Allocated")

	// Warehouse: the order is ready to ship; ship it with a tracking number.
	wh := signIn(t, a, "warehouse@q2c.local")
	wh.Refresh("/shipping", "table", orderID)
	if row := wh.Text("main table tbody tr:has(a[href='" + orderPath + "'])"); !strings.Contains(row, "Acme") || !strings.Contains(row, "Dock 4") {
		t.Errorf("the ready-to-ship row lacks the customer's name or the ship-to: %q", row)
	}
	// More than is reserved: refused beside the line's box, nothing shipped.
	wh.Open(orderPath)
	wh.Fill("f-ship_1", "9999")
	wh.Fill("f-carrier", "UPS")
	wh.Fill("f-tracking", "1Z-TOO-MANY")
	wh.Click("form[action$='/shipments'] button[type=submit]")
	wh.WaitText("#e-ship_1", "reserved to ship")
	wh.Open(orderPath)
	if main := wh.Text("main"); !strings.Contains(main, "Dock 4, 4 Harbor Way") || !strings.Contains(main, "Gate B") || !strings.Contains(main, "net 15") {
		t.Errorf("the order the warehouse ships lacks its ship-to, instructions or terms:\n%s", main)
	}
	wh.Fill("f-carrier", "UPS")
	wh.Fill("f-tracking", "1Z999AA10123456784")
	wh.Click("form[action$='/shipments'] button[type=submit]")
	wh.Until(`document.querySelector(".error-summary") !== null || document.body.innerText.includes("1Z999AA10123456784")`)
	if wh.Has(".error-summary") {
		t.Fatalf("shipping refused: %s", wh.Text(".error-summary"))
	}
	wh.Refresh(orderPath, ".tile", "Shipped")
	wh.WaitText("table", "1Z999AA10123456784")
	// Links lead only where the warehouse may go: the invoice and the quote
	// are named, not offered as pages that would refuse them.
	if wh.Has("main a[href^='/invoices/']") || wh.Has("main a[href^='/quotes/']") {
		t.Error("the warehouse is offered links to invoice or quote pages its role cannot open")
	}
	if !strings.Contains(wh.Text("main"), quoteID) {
		t.Error("the order page no longer names its quote for the warehouse")
	}
	look(t, wh, "flow-order-shipped")

	// Finance: the invoice falls due on Acme's net 15 and names the ship-to.
	fin.Refresh("/invoices", "main table", orderID)
	fin.Click("main table tbody a[href^='/invoices/']")
	fin.WaitText("main", "net 15")
	days := browser.Eval[float64](fin, `(Date.parse(document.querySelector(".tiles time").getAttribute("datetime")) -
		Date.parse(document.querySelector("main p time").getAttribute("datetime"))) / 86400000`)
	if main := fin.Text("main"); !strings.Contains(main, "Dock 4, 4 Harbor Way") || days != 15 || !strings.Contains(main, "Acme Corp") ||
		!strings.Contains(main, "No payment received yet.") {
		t.Errorf("invoice due %v days after issue, want 15; ship-to, customer and payments on the page:\n%s", days, main)
	}
	invoicePath := fin.Location()

	// Finance: the invoice is owed (due in 15 days: current) in AR aging,
	// on the page and in its CSV.
	fin.Refresh("/reports/ar-aging", "table", "Acme Corp")
	if row := fin.Text("main table tbody tr"); !strings.Contains(row, "USD 210.17") {
		t.Errorf("AR aging row: %q", row)
	}
	fin.Until(`document.querySelectorAll(".chart canvas").length === 1`)
	look(t, fin, "flow-ar-aging")
	csv := browser.Await[string](fin, `fetch(document.querySelector("a[href^='/reports/ar-aging.csv']").href).then(r => r.text())`)
	if !strings.Contains(csv, ",Acme Corp,USD,1,210.17,0.00,0.00,0.00,0.00,210.17\n") || !strings.Contains(csv, ",Total,USD,1,210.17,") {
		t.Errorf("AR aging CSV:\n%s", csv)
	}

	// Finance: the cash forecast expects the invoice in the week it is due.
	fin.Open("/reports/cash")
	fin.WaitText("main table", "USD 210.17")
	fin.Until(`document.querySelectorAll(".chart canvas").length === 1`)
	look(t, fin, "flow-cash-forecast")

	// Finance: the open balance is offered; record the payment.
	fin.Open(orderPath)
	if got := browser.Eval[string](fin, `document.getElementById("f-amount").value`); got != "210.17" {
		t.Errorf("payment form offers %q, want the open 210.17", got)
	}
	fin.Fill("f-reference", "BANK-REF-1")
	// The amount is read in the order's currency, whatever the form posts:
	// a currency field added to it (yen have no minor units) is ignored.
	fin.Exec(`const c = document.createElement("input"); c.type = "hidden"; c.name = "currency"; c.value = "JPY";
		document.querySelector("form[action$='/payments']").prepend(c); true`)
	fin.Click("form[action$='/payments'] button[type=submit]")
	fin.Refresh(orderPath, ".tile", "Completed")
	// The invoice lists the payment it received.
	fin.Open(invoicePath)
	fin.Until(`[...document.querySelectorAll("main table")].some(t => t.caption && t.caption.textContent === "Payments received" &&
		t.textContent.includes("BANK-REF-1") && t.textContent.includes("USD 210.17"))`)

	// Collections this month: the invoice, paid in full on its day of issue.
	fin.Refresh("/reports/collections", "main", "1 of 1 paid in full")
	if main := fin.Text("main"); !strings.Contains(main, "USD 210.17") || !strings.Contains(main, "100.00%") || !strings.Contains(main, "0.0 days") {
		t.Errorf("collections page:\n%s", main)
	}
	look(t, fin, "flow-collections")

	// Sales manager: the sale by product, booked and invoiced today, with
	// margin over the seeded standard costs. WID-100: net 94.95 − 18.99 =
	// 75.96, cost 5 × 11.50 = 57.50, margin 18.46; CAB-050: net 120.00, cost
	// 20 × 3.10 = 62.00. In all 195.96, cost 119.50, margin 76.46 = 39.02%.
	mgr := signIn(t, a, "manager@q2c.local")
	mgr.Open("/reports/sales?group_by=product")
	mgr.WaitText("main table", "Widget, steel")
	if main := mgr.Text("main"); !strings.Contains(main, "USD 195.96") || !strings.Contains(main, "39.02%") || !strings.Contains(main, "USD 76.46") {
		t.Errorf("sales page:\n%s", main)
	}
	mgr.Until(`document.querySelectorAll(".chart canvas").length === 1`)
	look(t, mgr, "flow-sales")
	month := time.Now().UTC().Format("2006-01")
	csv = browser.Await[string](mgr, `fetch(document.querySelector("a[href^='/reports/sales.csv']").href).then(r => r.text())`)
	if want := `product,WID-100,"Widget, steel",USD,` + month + ",1,5,75.96,57.50,18.46,1,5,75.96,57.50,18.46\n"; !strings.Contains(csv, want) {
		t.Errorf("sales CSV lacks %q:\n%s", want, csv)
	}
	lines := browser.Await[string](mgr, `fetch(document.querySelector("a[href^='/reports/sales-lines.csv']").href).then(r => r.text())`)
	if !strings.Contains(lines, orderID+",1,") || !strings.Contains(lines, orderID+",2,") || strings.Count(lines, "\n") != 3 {
		t.Errorf("order lines CSV:\n%s", lines)
	}
	mgr.Open("/reports/funnel")
	mgr.WaitText("main", "1 order from 1 decided quote; 0 still open")
	if main := mgr.Text("main"); !strings.Contains(main, "100.00%") || !strings.Contains(main, "1 of 1 needing approval") {
		t.Errorf("funnel page:\n%s", main)
	}
	look(t, mgr, "flow-funnel")
	if mgr.Has("#own-accounts") {
		t.Error("the manager's funnel says it covers the manager's own accounts")
	}
	// The rep's reports cover the rep's accounts, and say so.
	repTab := signIn(t, a, "rep@q2c.local")
	for _, page := range []string{"/reports/sales", "/reports/funnel"} {
		repTab.Open(page)
		repTab.WaitText("#own-accounts", "Your accounts only")
	}

	// Executive: today's snapshot, taken again through the back-fill form,
	// shows the revenue and both lines shipped on time.
	exec := signIn(t, a, "exec@q2c.local")
	exec.Open("/reports/kpis")
	today := time.Now().UTC().Format(time.DateOnly)
	exec.Choose("bf-f-from", today)
	exec.Choose("bf-f-to", today)
	exec.Click("form[action='/reports/kpis/backfill'] button[type=submit]")
	exec.WaitText(".flash", "Started")
	exec.Refresh("/reports/kpis", ".tiles", "USD 195.96")
	onTime := browser.Eval[string](exec, `Array.from(document.querySelectorAll(".tile")).find(t => t.querySelector(".k").textContent.trim() === "On-time delivery").querySelector(".v").textContent`)
	if onTime != "100.00%" {
		t.Errorf("on-time delivery tile %q, want 100.00%%:\n%s", onTime, exec.Text(".tiles"))
	}
	exec.Until(`document.querySelectorAll(".chart canvas").length === 2`)
	look(t, exec, "flow-kpi-trends")

	// Customer: the invoice is paid; the order shows its tracking number.
	buyer.Refresh("/invoices", "table", "Paid")
	buyer.Open(orderPath)
	buyer.WaitText("table", "1Z999AA10123456784")
	if lines := buyer.Text("table"); strings.Contains(lines, "backorder") || strings.Contains(lines, "waiting") {
		t.Errorf("a shipped order shows something waiting:\n%s", lines)
	}
	look(t, buyer, "flow-order-customer")

	// IT: every message to the customer is in the dev outbox.
	admin := signIn(t, a, "admin@q2c.local")
	admin.Open("/outbox")
	outbox := admin.Text("main")
	for _, want := range []string{"Your quote " + quoteID + " is ready", "Order " + orderID + " confirmed", "purchasing@acme.example"} {
		if !strings.Contains(outbox, want) {
			t.Errorf("outbox lacks %q:\n%s", want, outbox)
		}
	}
	if n := strings.Count(outbox, "purchasing@acme.example"); n < 4 {
		t.Errorf("%d messages to the customer in the outbox, want quote, confirmation, shipment, invoice and payment:\n%s", n, outbox)
	}
}

// TestWebBackorderFillsWithoutReload orders beyond stock, opens the
// dashboard in a second tab, enters the receipt on the warehouse page and
// watches the dashboard show the fill by itself, with no reload.
func TestWebBackorderFillsWithoutReload(t *testing.T) {
	a := newApp(t)

	// WID-200: 8 in stock. The customer takes 12, shipping what is there.
	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/quotes/new?sku=WID-200")
	buyer.Exec(`document.querySelectorAll("input[name=qty]")[0].value = "12"; true`)
	buyer.Click("form[action='/quotes'] button.primary")
	buyer.WaitHeading("Quote Q-")
	buyer.Refresh(buyer.Location(), ".tile", "Approved")
	buyer.Click("form[action$='/accept'] button[type=submit]")
	buyer.WaitHeading("Order SO-")
	orderID := strings.TrimPrefix(buyer.Location(), "/orders/")
	buyer.Refresh("/orders/"+orderID, ".tile", "Backordered")
	buyer.WaitText("table", "on backorder")

	// The warehouse manager: dashboard in one tab, receiving in another.
	wh := signIn(t, a, "warehouse@q2c.local")
	dash := wh.SecondTab()
	dash.Open("/backorders?sku=WID-200")
	dash.WaitText("#bo-live table", orderID)
	dash.Exec(`window.__sameDocument = true; true`)
	look(t, dash, "flow-backorders-waiting")
	kpis := wh.SecondTab()
	kpis.Open("/kpis")
	kpis.Until(`document.querySelectorAll(".chart canvas").length >= 3`)
	look(t, kpis, "flow-kpis")

	wh.Open("/receipts?sku=WID-200")
	wh.Choose("f-warehouse", "SFO")
	wh.Fill("f-qty", "4")
	wh.Fill("f-reference", "ASN-4411")
	wh.Click("form[action='/receipts'] button[type=submit]")
	wh.WaitText("main", "Pick list")
	if pl := wh.Text("main"); !strings.Contains(pl, orderID) {
		t.Errorf("the pick list does not name %s:\n%s", orderID, pl)
	}
	look(t, wh, "flow-receipt-picklist")

	// The dashboard followed by itself: the backorder no longer waits.
	dash.WaitText("#bo-live", "No backorder matches.")
	if !browser.Eval[bool](dash, `window.__sameDocument === true`) {
		t.Error("the dashboard was reloaded; it should update in place")
	}
	buyer.Refresh("/orders/"+orderID, ".tile", "Allocated")
}

// TestWebRefusesWhatItShould: another customer's order is "not found",
// a form without its CSRF token is refused, and a name with markup shows as
// text.
func TestWebRefusesWhatItShould(t *testing.T) {
	a := newApp(t)

	// A Globex order, placed by a rep through the API.
	rep := a.careful()
	repTok := a.login("rep@q2c.local")
	var q struct {
		QuoteID string `json:"quote_id"`
		OrderID string `json:"order_id"`
	}
	globex := customerNamed(t, a, "Globex")
	if err := rep.Mutate("POST", "/api/v1/quotes", repTok, `{"customer_id":"`+globex.ID+`","lines":[{"sku":"CAB-050","qty":1}]}`, http.StatusCreated, &q); err != nil {
		t.Fatal(err)
	}
	if err := rep.Mutate("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", repTok, `{}`, http.StatusOK, &q); err != nil {
		t.Fatal(err)
	}

	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/orders/" + q.OrderID)
	if h := buyer.Text("h1"); h != "Not found" {
		t.Errorf("Acme opening Globex's order sees %q, want Not found", h)
	}
	buyer.Open("/quotes/" + q.QuoteID)
	if h := buyer.Text("h1"); h != "Not found" {
		t.Errorf("Acme opening Globex's quote sees %q, want Not found", h)
	}

	// Bad input: the API's message shows beside the line, and nothing is
	// made. A promotion code not in force, which pricing judges, comes back
	// in the same answer beside its own field.
	buyer.Open("/quotes/new?sku=CAB-050")
	buyer.Fill("l1-f-qty", "0")
	buyer.Fill("f-promo_code", "NOSUCH")
	buyer.Press(kb.Enter)
	buyer.WaitText(".line .field-error", "must be between 1 and")
	if !buyer.Has("#l1-f-qty[aria-invalid=true]") || !buyer.Has(".error-summary a[href='#l1-f-qty']") || buyer.Text("h1") != "New quote" {
		t.Errorf("a quantity of 0 did not come back as a field error: %s", buyer.Text("main"))
	}
	if !buyer.Has("#f-promo_code[aria-invalid=true]") || !buyer.Has(".error-summary a[href='#f-promo_code']") {
		t.Errorf("the promotion code was not named beside the quantity: %s", buyer.Text("main"))
	}
	look(t, buyer, "quote-field-error")

	// A form posted without its token changes nothing.
	buyer.Open("/quotes/new?sku=CAB-050")
	buyer.Exec(`document.querySelector("form[action='/quotes'] input[name=csrf]").value = ""; document.body.removeAttribute("hx-headers"); true`)
	buyer.Click("form[action='/quotes'] button.primary")
	buyer.WaitHeading("This form has expired")
	if n := quotesOf(t, a, customerNamed(t, a, "Acme").ID); n != 0 {
		t.Errorf("a form without CSRF token created %d quotes", n)
	}

	// Markup in a customer's name is text.
	evil := models.Customer{ID: "c-evil", Name: `<script>window.__xss=1</script><b>Evil</b> Ltd`, Email: "evil@example.com",
		Segment: "smb", Region: "US-CA", Tier: 3, Currency: "USD"}
	if err := a.Store.CreateCustomer(context.Background(), &evil); err != nil {
		t.Fatal(err)
	}
	svc := signIn(t, a, "service@q2c.local")
	svc.Open("/customers?q=evil")
	svc.WaitText("table", evil.Name)
	if browser.Eval[bool](svc, `window.__xss === 1 || document.querySelector("main b") !== null`) {
		t.Error("a customer's name was rendered as markup")
	}
}

func customerNamed(t *testing.T, a *app, part string) models.Customer {
	t.Helper()
	l, err := a.Store.ListCustomers(context.Background(), "", part, store.Page{Limit: 10})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("customer %q: %v %v", part, l.Items, err)
	}
	return l.Items[0]
}

func quotesOf(t *testing.T, a *app, customerID string) int {
	t.Helper()
	l, err := a.Store.ListQuotes(context.Background(), customerID, "", store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(l.Items)
}

// look saves a screenshot of a page full of real data and runs axe on it:
// no serious or critical violation.
func look(t *testing.T, tab *browser.Tab, name string) {
	t.Helper()
	tab.Shot(name)
	for _, v := range tab.Axe() {
		t.Logf("axe on %s: %s (%s)", name, v.ID, v.Impact)
	}
}

// TestWebProfile: a customer sets the number their texts go to (typed with
// spaces, refused when it is not a number), turns on a text message and
// gives marketing consent; the page shows each choice afterwards.
func TestWebProfile(t *testing.T) {
	a := newApp(t)
	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/profile")
	if buyer.Has("input[name='approval_requested.email']") {
		t.Error("a customer is offered a staff-only event")
	}
	buyer.Fill("f-phone", "12")
	buyer.Click("form[action='/profile/phone'] button[type=submit]")
	buyer.WaitText(".field-error", "must be E.164")
	buyer.Fill("f-phone", "+1 415 555 0199")
	buyer.Click("form[action='/profile/phone'] button[type=submit]")
	buyer.WaitText(".flash", "Saved.")
	if got := browser.Eval[string](buyer, `document.getElementById("f-phone").value`); got != "+14155550199" {
		t.Errorf("phone shows %q after saving", got)
	}
	buyer.Open("/profile") // no flash left from the phone
	buyer.Click("input[name='shipped.sms']")
	buyer.Click("input[name=consent][value=yes]")
	buyer.Click("form[action='/profile'] button.primary")
	buyer.WaitText(".flash", "Saved.")
	buyer.Open("/profile")
	if !browser.Eval[bool](buyer, `document.querySelector("input[name='shipped.sms']").checked && document.querySelector("input[name=consent][value=yes]").checked`) {
		t.Error("the text-message choice or the consent did not stay")
	}
	look(t, buyer, "profile-customer")
}

// TestWebSupplierSlippage: supply records a purchase order on the supply
// page for today, the warehouse receives it, and the slippage report shows
// the supplier's delivery, on time, with its CSV.
func TestWebSupplierSlippage(t *testing.T) {
	a := newApp(t)
	supply := signIn(t, a, "supply@q2c.local")
	supply.Open("/supply")
	supply.Fill("f-reference", "PO-9001")
	supply.Choose("f-sku", "WID-200")
	supply.Choose("f-warehouse", "SFO")
	supply.Fill("f-qty", "5")
	supply.Choose("f-expected_at", time.Now().UTC().Format(time.DateOnly))
	supply.Click("form[action='/supply'] button.primary")
	supply.WaitText("table", "PO-9001")

	var pos struct {
		Items []struct {
			ID, Reference string
		} `json:"items"`
	}
	tok := a.login("warehouse@q2c.local")
	a.call("GET", "/api/v1/supply-orders?sku=WID-200", tok, "", nil, &pos)
	if len(pos.Items) != 1 || pos.Items[0].Reference != "PO-9001" {
		t.Fatalf("supply orders: %+v", pos.Items)
	}
	if err := a.careful().Mutate("POST", "/api/v1/inventory/WID-200/receipts", tok,
		`{"reference":"ASN-9001","warehouse":"SFO","qty":5,"supply_order_id":"`+pos.Items[0].ID+`"}`, http.StatusCreated, &map[string]any{}); err != nil {
		t.Fatal(err)
	}

	supply.Open("/reports/slippage")
	supply.WaitText("table", "Titan Metals")
	if row := supply.Text("main table tbody tr"); !strings.Contains(row, "Titan Metals") || !strings.Contains(row, "0.0") {
		t.Errorf("slippage row: %q", row)
	}
	look(t, supply, "flow-slippage")
	csv := browser.Await[string](supply, `fetch(document.querySelector("a[href^='/reports/slippage.csv']").href).then(r => r.text())`)
	if !strings.Contains(csv, "supplier,month,received,late,avg_slip_days\nTitan Metals,"+time.Now().UTC().Format("2006-01")+",1,0,0.0\n") {
		t.Errorf("slippage CSV:\n%s", csv)
	}
}

// TestWebStandardCost: the pricing analyst sets WID-100's cost from today;
// a date before the cost in force is refused beside its field; the seeded
// cost ends where the new one starts.
func TestWebStandardCost(t *testing.T) {
	a := newApp(t)
	pricing := signIn(t, a, "pricing@q2c.local")
	pricing.Open("/pricing/costs") // from the menu: the first product
	pricing.WaitText("main table", "Standard costs of CAB-050")
	pricing.Open("/pricing/costs?sku=WID-100")
	pricing.WaitText("main table", "USD 11.50")
	pricing.Fill("cost-f-unit_cost", "12.40")
	pricing.Choose("cost-f-valid_from", "2019-06-01") // before the seeded cost's start
	pricing.Click("form[method=post][action='/pricing/costs'] button[type=submit]")
	pricing.WaitText(".field-error", "after the start of the cost in force")
	pricing.Choose("cost-f-valid_from", time.Now().UTC().Format(time.DateOnly))
	pricing.Click("form[method=post][action='/pricing/costs'] button[type=submit]")
	pricing.WaitText(".flash", "Saved.")
	rows := pricing.Text("main table tbody")
	if !strings.Contains(rows, "USD 12.40") || !strings.Contains(rows, "in force") || strings.Count(rows, "USD 11.50") != 1 {
		t.Errorf("costs after the change:\n%s", rows)
	}
	look(t, pricing, "standard-costs")
}

// TestWebCatalogKeeping: the pricing analyst adds a product from the
// catalog (a SKU already there and a price finer than a cent are refused
// beside their fields), then retires it: staff see it marked retired with
// no quote link, the customer no longer sees it, and a sales rep has no
// way to change the catalog.
func TestWebCatalogKeeping(t *testing.T) {
	a := newApp(t)
	pricing := signIn(t, a, "pricing@q2c.local")
	pricing.Open("/catalog")
	pricing.Click("a[href='/catalog/new']")
	pricing.WaitHeading("New product")
	pricing.Fill("f-sku", "wid-100") // typed in lower case: taken as WID-100, which exists
	pricing.Fill("f-name", "Widget, brass")
	pricing.Fill("f-category", "Widgets")
	pricing.Fill("f-list_price", "24.999")
	pricing.Fill("f-lead_time_days", "10")
	pricing.Click("form[method=post][action='/catalog'] button[type=submit]")
	pricing.WaitText(".field-error", "has more than 2 decimals for USD")
	pricing.Fill("f-list_price", "24.99")
	pricing.Click("form[method=post][action='/catalog'] button[type=submit]")
	pricing.WaitText(".field-error", "is already in the catalog")
	pricing.Fill("f-sku", "WID-300")
	pricing.Click("form[method=post][action='/catalog'] button[type=submit]")
	pricing.WaitText(".flash", "Saved.")
	row := pricing.Text("main table tbody tr:has(a[href='/catalog/WID-300/edit'])")
	for _, want := range []string{"WID-300", "Widget, brass", "Widgets", "USD 24.99 / each", "Ships in 10 days"} {
		if !strings.Contains(row, want) {
			t.Errorf("new product's row %q lacks %q", row, want)
		}
	}
	if seeded, err := a.Store.ProductBySKU(context.Background(), "WID-100"); err != nil || seeded.Name != "Widget, steel" || seeded.ListPrice != 1999 {
		t.Fatalf("the refused create changed WID-100: %+v %v", seeded, err)
	}

	pricing.Click("a[href='/catalog/WID-300/edit']")
	pricing.WaitHeading("WID-300 · Widget, brass")
	// Someone else saves it meanwhile: this edit is refused, not allowed
	// to undo theirs; reloaded, it goes through.
	other, err := a.Store.ProductBySKU(context.Background(), "WID-300")
	if err != nil {
		t.Fatal(err)
	}
	other.ListPrice = 2599
	if err := a.Store.UpsertProduct(context.Background(), &other); err != nil {
		t.Fatal(err)
	}
	pricing.Click("#f-active")
	pricing.Click("form[method=post][action='/catalog/WID-300'] button[type=submit]")
	pricing.WaitText(".error-summary", "reload it and edit again")
	pricing.Open("/catalog/WID-300/edit")
	pricing.WaitHeading("WID-300 · Widget, brass")
	pricing.Click("#f-active")
	pricing.Click("form[method=post][action='/catalog/WID-300'] button[type=submit]")
	pricing.WaitText(".flash", "Saved.")
	row = pricing.Text("main table tbody tr:has(a[href='/catalog/WID-300/edit'])")
	if !strings.Contains(row, "Retired") || !strings.Contains(row, "USD 25.99") {
		t.Errorf("retired product's row: %q", row)
	}
	look(t, pricing, "catalog-keeping")

	rep := signIn(t, a, "rep@q2c.local")
	rep.Open("/catalog")
	rep.WaitText("main table", "WID-300")
	if rep.Has("a[href='/catalog/new']") || rep.Has("a[href$='/edit']") || rep.Has("a[href='/quotes/new?sku=WID-300']") {
		t.Error("a sales rep is offered to change the catalog, or to quote a retired product")
	}
	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/catalog")
	buyer.WaitText("main table", "WID-100")
	if table := buyer.Text("main table"); strings.Contains(table, "WID-300") || strings.Contains(table, "Steelworks") {
		t.Error("the customer sees a retired product, or who supplies the company")
	}

	// The search: staff find by supplier, the customer does not.
	rep.Fill("f-q", "steelworks")
	rep.Click("form[action='/catalog'] button.primary")
	// The results page, not the list it replaces: only Steelworks' products.
	rep.Until(`location.search === "?q=steelworks" && [...document.querySelectorAll("main table tbody tr")].map(r => r.cells[0].textContent).join(" ") === "OLD-001 WID-100"`)
	buyer.Fill("f-q", "steelworks")
	buyer.Click("form[action='/catalog'] button.primary")
	buyer.WaitText("main .empty", `No product matches "steelworks".`)
	buyer.Fill("f-q", "WIDGET")
	buyer.Click("form[action='/catalog'] button.primary")
	buyer.Until(`location.search === "?q=WIDGET" && [...document.querySelectorAll("main table tbody tr")].map(r => r.cells[0].textContent).join(" ") === "WID-100 WID-200"`) // not the retired OLD-001
	look(t, buyer, "catalog-search")
}

// TestWebCreditHold: service opens a new account (a phone that is not a
// number is refused beside its field); finance gives it a credit limit of
// 100.00; the sales manager quotes it more than that and accepts: the order
// waits for a credit review, finance approves it in the inbox with the
// figures in view, and the order is placed.
func TestWebCreditHold(t *testing.T) {
	a := newApp(t)
	service := signIn(t, a, "service@q2c.local")
	service.Open("/customers")
	service.Click("a[href='/customers/new']")
	service.WaitHeading("New customer")
	service.Fill("f-name", "Umbrella Supplies")
	service.Fill("f-email", "orders@umbrella.example")
	service.Fill("f-phone", "020 7946")
	service.Fill("f-segment", "smb")
	service.Fill("f-region", "US-TX")
	service.Fill("f-address_1_label", "Loading bay")
	service.Fill("f-address_1_line1", "12 Depot St")
	service.Fill("f-address_1_city", "Austin")
	service.Fill("f-address_1_country", "US")
	service.Click("form[action='/customers'] button.primary")
	service.WaitText(".field-error", "E.164")
	service.Fill("f-phone", "+1 512 555 0199")
	service.Click("form[action='/customers'] button.primary")
	service.WaitText(".flash", "Saved.")
	service.WaitHeading("Umbrella Supplies")
	customerPath := service.Location()
	if main := service.Text("main"); !strings.Contains(main, "+15125550199") || !strings.Contains(main, "Loading bay, 12 Depot St, Austin, US") || !strings.Contains(main, "net 30") {
		t.Errorf("new account page:\n%s", main)
	}
	look(t, service, "customer-new")

	fin := signIn(t, a, "finance@q2c.local")
	fin.Open(customerPath)
	fin.Fill("credit-f-credit_limit", "100.00")
	fin.Click("form[action$='/credit'] button[type=submit]")
	fin.WaitText(".flash", "Saved.")
	fin.WaitText(".tiles", "USD 100.00")

	// The manager quotes 10 widgets at list (10 × 19.99 = 199.90 + 6.25% tax
	// 12.49 = 212.39): no discount, so no sales approval, but over the limit.
	mgr := signIn(t, a, "manager@q2c.local")
	mgr.Open("/quotes/new")
	mgr.Exec(`var s = document.getElementById("f-customer_id"); s.value = [...s.options].find(o => o.text === "Umbrella Supplies").value; s.dispatchEvent(new Event("change", {bubbles: true})); true`)
	mgr.Until(`[...document.getElementById("f-ship_to_id").options].some(o => o.text.includes("Loading bay"))`)
	mgr.Exec(`document.querySelectorAll("select[name=sku]")[0].value = "WID-100"; document.querySelectorAll("input[name=qty]")[0].value = "10"; true`)
	mgr.Click("form[action='/quotes'] button.primary")
	mgr.WaitHeading("Quote Q-")
	quoteID := quoteIDOf(t, mgr)
	mgr.WaitText(".tile", "Approved")
	mgr.Click("form[action$='/accept'] button[type=submit]")
	mgr.WaitText(".notice", "waits for a credit review")
	look(t, mgr, "quote-credit-hold")

	fin.Open("/approvals")
	fin.WaitText("main table", quoteID)
	want := "credit limit: USD 0.00 owed and ordered + this order USD 212.39 = USD 212.39, over the limit of USD 100.00"
	if inbox := fin.Text("main"); !strings.Contains(inbox, want) {
		t.Errorf("finance's inbox lacks %q:\n%s", want, inbox)
	}
	fin.Open("/quotes/" + quoteID)
	fin.Fill("f-comment", "prepaid by wire")
	fin.Click("form[action$='/approve'] button[type=submit]")
	fin.WaitHeading("Approvals inbox")
	mgr.Refresh("/quotes/"+quoteID, ".tile", "Accepted")
	mgr.Click(".tile a[href^='/orders/']")
	mgr.WaitHeading("Order SO-")
	mgr.WaitText("main", "Loading bay, 12 Depot St, Austin, US")
}

// TestWebQuoteNeedsAShipTo: a customer with no shipping address gets a
// quote, but it cannot become an order that has nowhere to go: the quote
// page says what to do instead of offering Accept, and the API refuses the
// acceptance with the same advice. Once the manager adds an address and
// changes the quote to ship there, it is accepted and the order carries
// the address.
func TestWebQuoteNeedsAShipTo(t *testing.T) {
	a := newApp(t)
	nowhere := &models.Customer{Name: "Nowhere Ltd", Email: "buy@nowhere.example", Segment: "smb", Region: "US-TX", Tier: 3, Currency: "USD"}
	if err := a.Store.CreateCustomer(context.Background(), nowhere); err != nil {
		t.Fatal(err)
	}
	mgr := signIn(t, a, "manager@q2c.local")
	mgr.Open("/quotes/new")
	mgr.Exec(`var s = document.getElementById("f-customer_id"); s.value = "` + nowhere.ID + `"; s.dispatchEvent(new Event("change", {bubbles: true})); true`)
	mgr.Exec(`document.querySelectorAll("select[name=sku]")[0].value = "WID-100"; document.querySelectorAll("input[name=qty]")[0].value = "2"; true`)
	mgr.Click("form[action='/quotes'] button.primary")
	mgr.WaitHeading("Quote Q-")
	quoteID := quoteIDOf(t, mgr)
	mgr.WaitText(".tile", "Approved")
	mgr.WaitText(".tile", "Nowhere Ltd") // staff see whose quote it is
	mgr.WaitText("#no-ship-to", "the customer has no shipping address on file")
	if mgr.Has("form[action$='/accept']") {
		t.Fatal("the quote offers Accept with nowhere to ship")
	}
	look(t, mgr, "quote-no-ship-to")

	var refused struct{ Detail string }
	if resp := a.call("POST", "/api/v1/quotes/"+quoteID+"/accept", a.login("manager@q2c.local"), `{}`, nil, &refused); resp.StatusCode != 409 ||
		!strings.Contains(refused.Detail, workflows.NoShipToAdvice) {
		t.Fatalf("accepting without a ship-to: %d %+v", resp.StatusCode, refused)
	}

	mgr.Click("#no-ship-to a[href$='/edit']")
	mgr.WaitHeading("Edit customer")
	mgr.Fill("f-address_0_label", "Dock 2")
	mgr.Fill("f-address_0_line1", "9 Harbor Way")
	mgr.Fill("f-address_0_city", "Houston")
	mgr.Fill("f-address_0_country", "US")
	mgr.Click("form[action$='/edit'] button.primary")
	mgr.WaitText(".flash", "Saved.")
	mgr.Open("/quotes/" + quoteID + "/edit")
	mgr.Until(`[...document.getElementById("f-ship_to_id").options].some(o => o.selected && o.text.includes("Dock 2"))`)
	mgr.Click("form[action$='/edit'] button.primary")
	mgr.WaitHeading("Quote " + quoteID)
	mgr.WaitText("main", "Dock 2, 9 Harbor Way, Houston, US")
	mgr.Click("form[action$='/accept'] button[type=submit]")
	mgr.WaitHeading("Order SO-")
	mgr.WaitText("main", "Dock 2, 9 Harbor Way, Houston, US")
}

// TestWebPricingCorrections: the pricing analyst gives Acme its own widget
// price; a second price over the same days is refused beside its date; the
// price is corrected from today and a promotion ended, both kept in the
// history; Acme's quote takes the corrected price.
func TestWebPricingCorrections(t *testing.T) {
	a := newApp(t)
	p := signIn(t, a, "pricing@q2c.local")
	p.Open("/pricing")
	add := func(price string) {
		p.Exec(`var s = document.getElementById("customer-prices-f-customer_id"); s.value = [...s.options].find(o => o.text === "Acme Corp").value; true`)
		p.Choose("customer-prices-f-sku", "WID-100")
		p.Fill("customer-prices-f-unit_price", price)
		p.Choose("customer-prices-f-valid_from", "2026-01-01")
		p.Click("form[action='/pricing/customer-prices'] button[type=submit]")
	}
	add("17.00")
	p.WaitText("main table", "USD 17.00")
	add("16.00")
	p.WaitText(".field-error", "overlaps the customer price of USD 17.00")

	today := time.Now().UTC().Format(time.DateOnly)
	p.Open("/pricing")
	p.Exec(`var s = document.getElementById("correct-f-rule"); s.value = [...s.options].find(o => o.text.includes("USD 17.00")).value; true`)
	p.Fill("correct-f-unit_price", "16.50")
	p.Choose("correct-f-valid_from", today)
	p.Click("form[action='/pricing/correct'] button[type=submit]")
	p.WaitText(".flash", "Saved.")
	if prices := p.Text("main"); !strings.Contains(prices, "USD 16.50") || !strings.Contains(prices, "USD 17.00") {
		t.Errorf("the corrected price or its history is missing:\n%s", prices)
	}

	p.Fill("promotions-f-description", "Spring 5%")
	p.Fill("promotions-f-percent_bp", "5")
	p.Choose("promotions-f-valid_from", "2026-01-01")
	p.Click("form[action='/pricing/promotions'] button[type=submit]")
	p.WaitText("main table", "Spring 5%")
	p.Exec(`var s = document.getElementById("end-f-rule"); s.value = [...s.options].find(o => o.text.includes("Spring 5%")).value; true`)
	p.Choose("end-f-at", "2025-12-01")
	p.Click("form[action='/pricing/end'] button[type=submit]")
	p.WaitText(".field-error", "must be after the rule's start")
	p.Choose("end-f-at", today)
	p.Click("form[action='/pricing/end'] button[type=submit]")
	p.WaitText(".flash", "Saved.")
	look(t, p, "pricing-corrections")

	// Acme's quote now: 2 × 16.50 = 33.00, no promotion, + 7.25% = 2.39.
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", a.login("buyer@acme.example"), `{"lines":[{"sku":"WID-100","qty":2}]}`, nil, &q); r.StatusCode != 201 {
		t.Fatalf("quote: %d", r.StatusCode)
	}
	if l := q.Priced.Pricing.Lines[0]; l.UnitPrice != 1650 || l.Discount != 0 || q.Priced.Pricing.Total != 3539 {
		t.Errorf("Acme's widget: unit %d, discount %d, total %d", l.UnitPrice, l.Discount, q.Priced.Pricing.Total)
	}
}

// TestWebStockCount: Acme orders 10 of the 8 WID-200 at SFO; the
// warehouse counts 5 on the shelf and is told which order holds the 8;
// then finds 3 more, which fill Acme's 2 waiting and leave 1 free.
func TestWebStockCount(t *testing.T) {
	a := newApp(t)
	buyer := a.login("buyer@acme.example")
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-200","qty":10}]}`, nil, &q); r.StatusCode != 201 || q.Status != workflows.QuoteApproved {
		t.Fatalf("quote: %d %s", r.StatusCode, q.Status)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{"allow_partial":true}`, nil, &q); r.StatusCode != 200 {
		t.Fatalf("accept: %d", r.StatusCode)
	}
	var o workflows.OrderState
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+q.OrderID, buyer, "", nil, &o)
		return o.Status == workflows.OrderBackordered
	})

	wh := signIn(t, a, "warehouse@q2c.local")
	wh.Open("/stock/counts")
	wh.Choose("f-sku", "WID-200")
	wh.Choose("f-warehouse", "SFO")
	wh.Fill("f-qty", "5")
	wh.Click("form[action='/stock/counts'] button[type=submit]")
	wh.WaitText(".error-summary", "below the 8 units reserved there for "+q.OrderID+" line 1 (8 units)")
	wh.Choose("f-mode", "adjust")
	wh.Fill("f-qty", "3")
	wh.Choose("f-reason", models.AdjustFound)
	wh.Fill("f-note", "second pallet behind the rack")
	wh.Click("form[action='/stock/counts'] button[type=submit]")
	wh.WaitText(".notice", "WID-200 at SFO: 8 → 11")
	if res := wh.Text(".notice"); !strings.Contains(res, q.OrderID) || !strings.Contains(res, "Free at this SKU afterwards: 1.") {
		t.Errorf("the count's answer:\n%s", res)
	}
	wh.WaitText("main table", "second pallet behind the rack")
	look(t, wh, "stock-count")
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+q.OrderID, buyer, "", nil, &o)
		return o.Status == workflows.OrderAllocated
	})
}

// TestWebTicket: the customer asks a question about a quote from its page;
// service finds it in the queue, adds an internal note, then answers; the
// customer sees the answer (and gets it by email) but never the note;
// service closes it, and the account's 360 view lists it.
func TestWebTicket(t *testing.T) {
	a := newApp(t)
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", a.login("buyer@acme.example"), `{"lines":[{"sku":"WID-100","qty":3}]}`, nil, &q); r.StatusCode != 201 {
		t.Fatalf("quote: %d", r.StatusCode)
	}
	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/quotes/" + q.QuoteID)
	buyer.Click("a[href^='/tickets/new?link_kind=quote']")
	buyer.WaitHeading("New ticket")
	buyer.Fill("f-subject", "Can it ship Friday?")
	buyer.Fill("f-body", "We need the widgets on site by Monday.")
	buyer.Choose("f-priority", models.PriorityHigh)
	buyer.Click("form[action='/tickets'] button[type=submit]")
	buyer.WaitText(".flash", "customer service will answer here")
	ticketPath, _, _ := strings.Cut(buyer.Location(), "?")
	ticketID := strings.TrimPrefix(ticketPath, "/tickets/")
	if main := buyer.Text("main"); !strings.Contains(main, q.QuoteID) || !strings.Contains(main, "due by") {
		t.Errorf("the new ticket's page:\n%s", main)
	}

	service := signIn(t, a, "service@q2c.local")
	service.Open("/tickets")
	service.WaitText("main table", ticketID)
	service.Click("main table a[href='" + ticketPath + "']")
	service.WaitText(".thread", "We need the widgets on site by Monday.")
	service.Fill("f-body", "Check WID-100 stock at NYC before promising.")
	service.Click("#f-visible") // untick: an internal note
	service.Click("form[action$='/comments'] button[type=submit]")
	service.WaitText(".thread", "internal note")
	service.Fill("f-body", "Yes: it leaves our Fremont dock on Friday.")
	service.Click("form[action$='/comments'] button[type=submit]")
	service.WaitText(".thread", "Fremont dock")
	service.WaitText(".tiles", "Pending customer")
	look(t, service, "ticket-staff")

	buyer.Refresh(ticketPath, ".thread", "Fremont dock")
	if thread := buyer.Text(".thread"); strings.Contains(thread, "NYC") || strings.Contains(thread, "internal") {
		t.Errorf("the customer sees the internal note:\n%s", thread)
	}
	look(t, buyer, "ticket-customer")
	waitFor(t, func() bool {
		var out struct{ Items []models.OutboxMessage }
		a.call("GET", "/api/v1/outbox", a.login("admin@q2c.local"), "", nil, &out)
		for _, m := range out.Items {
			if m.Recipient == "purchasing@acme.example" && strings.Contains(m.Subject, "Re: Can it ship Friday? ["+ticketID+"]") {
				return strings.Contains(m.BodyText, "Fremont dock") && !strings.Contains(m.BodyText, "NYC")
			}
		}
		return false
	})

	service.Choose("st-f-status", models.TicketClosed)
	service.Click("form[action$='/status'] button[type=submit]")
	service.WaitText(".tiles", "Closed")
	if service.Has("form[action$='/comments']") {
		t.Error("a closed ticket still offers the answer form")
	}
	acme := customerNamed(t, a, "Acme")
	service.Open("/customers/" + acme.ID)
	service.WaitText("main", ticketID)
	// The account shows its newest tickets; "All tickets of …" is the whole
	// list, Acme's only (not Globex's, opened here by service).
	globex := customerNamed(t, a, "Globex")
	if r := a.call("POST", "/api/v1/tickets", a.login("service@q2c.local"), `{"customer_id":"`+globex.ID+`","subject":"Globex asks","body":"Where is it?"}`, nil, nil); r.StatusCode != 201 {
		t.Fatalf("Globex's ticket: %d", r.StatusCode)
	}
	service.Click("a[href='/tickets?customer_id=" + acme.ID + "']")
	service.Until(`location.search === "?customer_id=` + acme.ID + `" && document.querySelector("main table") !== null`)
	if table := service.Text("main table"); !strings.Contains(table, ticketID) || strings.Contains(table, "Globex asks") {
		t.Errorf("Acme's tickets:\n%s", table)
	}
	a.recordHistory(workflows.TicketWorkflowID(ticketID), "ticket-noted-answered-closed")
}

// TestWebReturnFillsABackorder: Acme bought both RET-1 on the shelf and has
// not paid; Globex waits for one. Acme asks on its order's page to send one
// back (three is refused beside the field: two shipped); the warehouse
// receives it as sellable on the return's page. The unit fills Globex's
// backorder, and credit note CN-… of 10.00 + tax pays part of Acme's open
// invoice, which finance sees on the invoice's page.
func TestWebReturnFillsABackorder(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	if err := a.Store.UpsertProduct(ctx, &models.Product{SKU: "RET-1", Name: "Returnable widget", UnitOfMeasure: "each", ListPrice: 1000, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.SetOnHand(ctx, "RET-1", "SFO", 2); err != nil {
		t.Fatal(err)
	}
	sale := func(token, body string) workflows.OrderState {
		t.Helper()
		var q quoteView
		if r := a.call("POST", "/api/v1/quotes", token, body, nil, &q); r.StatusCode != 201 {
			t.Fatalf("quote: %d", r.StatusCode)
		}
		if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", token, `{"allow_partial":true}`, nil, &q); r.StatusCode != 200 || q.OrderID == "" {
			t.Fatalf("accept: %d %s", r.StatusCode, q.Status)
		}
		var o workflows.OrderState
		waitFor(t, func() bool {
			a.call("GET", "/api/v1/orders/"+q.OrderID, token, "", nil, &o)
			return o.Status == workflows.OrderAllocated || o.Status == workflows.OrderBackordered
		})
		return o
	}
	buyerTok := a.login("buyer@acme.example")
	acmeOrder := sale(buyerTok, `{"lines":[{"sku":"RET-1","qty":2}]}`)
	if r := a.call("POST", "/api/v1/orders/"+acmeOrder.OrderID+"/shipments", a.login("warehouse@q2c.local"), `{"carrier":"UPS","tracking":"1ZRET","lines":[{"line_no":1,"qty":2}]}`, nil, &acmeOrder); r.StatusCode != 200 {
		t.Fatalf("ship: %d", r.StatusCode)
	}
	inv := acmeOrder.Invoices[0]
	globex := customerNamed(t, a, "Globex")
	waiting := sale(a.login("rep@q2c.local"), `{"customer_id":"`+globex.ID+`","lines":[{"sku":"RET-1","qty":1}]}`)
	if waiting.Status != workflows.OrderBackordered {
		t.Fatalf("Globex's order is %s, want backordered", waiting.Status)
	}

	buyer := signIn(t, a, "buyer@acme.example")
	buyer.Open("/orders/" + acmeOrder.OrderID)
	buyer.Click("a[href^='/returns/new']")
	buyer.WaitHeading("Return goods from " + acmeOrder.OrderID)
	buyer.Fill("f-qty_1", "3")
	buyer.Choose("f-reason", models.ReturnDamaged)
	buyer.Click("form[action='/returns'] button[type=submit]")
	buyer.WaitText(".field-error", "2 units shipped and not yet returned")
	if label := buyer.Text("label[for='f-qty_1']"); !strings.Contains(label, "2 shipped, 2 can still come back") {
		t.Errorf("the line's label: %q", label)
	}
	buyer.Fill("f-qty_1", "1")
	buyer.Fill("f-note", "The casing is cracked.")
	buyer.Click("form[action='/returns'] button[type=submit]")
	buyer.WaitText(".tiles", "Authorized")
	returnPath, _, _ := strings.Cut(buyer.Location(), "?")
	look(t, buyer, "return-customer")

	wh := signIn(t, a, "warehouse@q2c.local")
	wh.Open(returnPath)
	wh.Choose("rc-f-warehouse", "SFO")
	wh.Fill("rc-f-received_1", "1")
	wh.Fill("rc-f-sellable_1", "1")
	wh.Click("form[action$='/receive'] button[type=submit]")
	wh.WaitText(".tiles", "Received")
	wh.WaitText("main", "CN-")
	look(t, wh, "return-received")

	// The returned unit went to Globex's backorder.
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+waiting.OrderID, a.login("rep@q2c.local"), "", nil, &waiting)
		return waiting.Status == workflows.OrderAllocated
	})
	// Half of Acme's invoice is credited: paid by the note, the rest open.
	var after struct {
		models.Invoice
		Balance int64 `json:"balance"`
	}
	a.call("GET", "/api/v1/invoices/"+inv.ID, buyerTok, "", nil, &after)
	var notes struct{ Items []models.CreditNote }
	a.call("GET", "/api/v1/credit-notes?invoice_id="+inv.ID, buyerTok, "", nil, &notes)
	// One of two units at 10.00: half the net; the tax half of the
	// invoice's, rounded half away from zero.
	if len(notes.Items) != 1 || notes.Items[0].Net != 1000 || notes.Items[0].Applied != notes.Items[0].Total ||
		after.Paid != notes.Items[0].Total || after.Balance != inv.Total-after.Paid || after.Status != models.InvoicePartiallyPaid {
		t.Fatalf("invoice after the credit: paid %d balance %d %s of %d; credit notes %+v", after.Paid, after.Balance, after.Status, inv.Total, notes.Items)
	}
	finance := signIn(t, a, "finance@q2c.local")
	finance.Open("/invoices/" + inv.ID)
	finance.WaitText("main table", "CN-")
	finance.WaitText(".tiles", "Credited") // paid by the credit note, not by money
	// Acme was told at each step: authorized, received, credited.
	waitFor(t, func() bool {
		var out struct{ Items []models.OutboxMessage }
		a.call("GET", "/api/v1/outbox?recipient=purchasing@acme.example", a.login("admin@q2c.local"), "", nil, &out)
		seen := map[string]bool{}
		for _, m := range out.Items {
			for _, s := range []string{"Return RMA-", "We received return RMA-", "Credit note CN-"} {
				seen[s] = seen[s] || strings.HasPrefix(m.Subject, s)
			}
		}
		return len(seen) == 3 && seen["Return RMA-"] && seen["We received return RMA-"] && seen["Credit note CN-"]
	})
	look(t, finance, "invoice-credit-note")
	a.recordHistory(workflows.OrderWorkflowID(acmeOrder.OrderID), "order-shipped-credited-by-return")
}

// TestWebMarketingCampaign: Acme and Initech consented to marketing,
// Globex did not. The marketer builds a segment of tiers 1 and 2 (a tier
// that is not a number is refused beside its box), previews 2 customers of
// whom 1 consented, saves it and exports it: the CSV holds Acme alone,
// with its consent date. A campaign to it sends Acme the promotion once,
// with the unsubscribe link; Acme unsubscribes through it, and the
// campaign's page counts the message and the unsubscribe.
func TestWebMarketingCampaign(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	for _, name := range []string{"Acme", "Initech"} {
		if err := a.Store.SetMarketingConsent(ctx, customerNamed(t, a, name).ID, true); err != nil {
			t.Fatal(err)
		}
	}
	m := signIn(t, a, "marketing@q2c.local")
	m.Open("/marketing/segments")
	m.Fill("f-tiers", "1, two")
	m.Click("#builder button[value=preview]")
	m.WaitText(".field-error", `"two" is not a tier number`)
	m.Fill("f-tiers", "1, 2")
	m.Click("#builder button[value=preview]")
	m.WaitText("#preview", "Acme Corp")
	if got, consented := m.Text("#preview-customers"), m.Text("#preview-consented"); got != "2" || consented != "1" {
		t.Fatalf("preview: %s customers, %s consented; want 2 and 1", got, consented)
	}
	m.Fill("f-name", "Key accounts")
	m.Click("#builder button[value=save]")
	m.WaitHeading("Segment: Key accounts")
	csv := browser.Await[string](m, `fetch(document.querySelector("a[href$='/export.csv']").href).then(r => r.text())`)
	rows := strings.Split(strings.TrimSpace(csv), "\n")
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "customer_id,name,email,region,segment,tier,consented_at") ||
		!strings.Contains(rows[1], "purchasing@acme.example") || !strings.Contains(rows[1], "T") {
		t.Fatalf("export:\n%s\nwant Acme alone, with its consent date", csv)
	}
	look(t, m, "segment")

	m.Fill("f-name", "Spring offer")
	m.Fill("f-headline", "Titanium widgets 10% off this week")
	m.Fill("f-body", "Use code TI10 before Friday.")
	m.Click("form[action='/marketing/campaigns'] button[type=submit]")
	m.WaitHeading("Campaign: Spring offer")
	campaignPath, _, _ := strings.Cut(m.Location(), "?")
	m.Refresh(campaignPath, ".tiles", "Completed")
	var promo models.OutboxMessage
	waitFor(t, func() bool {
		var out struct{ Items []models.OutboxMessage }
		a.call("GET", "/api/v1/outbox", a.login("admin@q2c.local"), "", nil, &out)
		n := 0
		for _, msg := range out.Items {
			if msg.Subject == "Titanium widgets 10% off this week" {
				promo, n = msg, n+1
			}
		}
		return n == 1
	})
	if promo.Recipient != "purchasing@acme.example" {
		t.Fatalf("the promotion went to %s", promo.Recipient)
	}
	_, link, ok := strings.Cut(promo.BodyText, "Unsubscribe: ")
	if !ok {
		t.Fatalf("no unsubscribe link in:\n%s", promo.BodyText)
	}
	// The link is on the configured public address; the path and query
	// are what this test's server answers.
	_, query, _ := strings.Cut(strings.TrimSpace(link), "/unsubscribe?")
	resp, err := http.Post(a.base()+"/unsubscribe?"+query, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("unsubscribe: %v %v", resp, err)
	}
	resp.Body.Close()
	m.Refresh(campaignPath, ".tiles", "Unsubscribed since")
	if sent := m.Text("#sent"); sent != "1" {
		t.Errorf("sent %s, want 1", sent)
	}
	if tiles := m.Text(".tiles"); !strings.Contains(tiles, "Unsubscribed since\n1") {
		t.Errorf("the campaign's results:\n%s", tiles)
	}
	look(t, m, "campaign")
	a.recordHistory(workflows.CampaignWorkflowID(strings.TrimPrefix(campaignPath, "/marketing/campaigns/")), "campaign-completed")
}

// TestWebAuditTrailCheck: the IT admin checks the audit trail from its
// page and finds it intact; a row edited in the database directly is then
// named on the same check, with the reason.
func TestWebAuditTrailCheck(t *testing.T) {
	a := newApp(t)
	admin := a.login("admin@q2c.local")
	if r := a.call("POST", "/api/v1/api-keys", admin, `{"name":"portal","roles":["sales_rep"]}`, nil, nil); r.StatusCode != 201 {
		t.Fatalf("create key: %d", r.StatusCode)
	}
	tab := signIn(t, a, "admin@q2c.local")
	tab.Open("/admin/audit")
	tab.WaitText("main table", "api_key.create")
	tab.Click("a[href='/admin/audit/verify']")
	tab.WaitText(".notice", "The audit trail is intact")
	look(t, tab, "audit-check")

	c, err := pgx.Connect(context.Background(), a.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), `UPDATE audit_events SET detail = 'roles=it_admin' WHERE action = 'api_key.create'`); err != nil {
		t.Fatal(err)
	}
	tab.Open("/admin/audit/verify")
	tab.WaitText(".notice", "The audit trail is broken")
	if got := tab.Text(".notice"); !strings.Contains(got, "changed after it was written") {
		t.Errorf("the check says:\n%s", got)
	}
}

// TestWebPersonalDataExport: a customer downloads everything held about
// their account from their profile, with their quotes and their user but
// no password hash; customer service finds the same download on the
// account's page, a sales rep does not; each download is audited.
func TestWebPersonalDataExport(t *testing.T) {
	a := newApp(t)
	buyer := a.login("buyer@acme.example")
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":1}]}`, nil, &q); r.StatusCode != 201 {
		t.Fatalf("quote: %d", r.StatusCode)
	}
	tab := signIn(t, a, "buyer@acme.example")
	tab.Open("/profile")
	tab.WaitText("main", "Download everything we hold")
	got := browser.Await[string](tab, `fetch(document.querySelector("a[href='/profile/personal-data.json']").href).then(r => r.text())`)
	for _, want := range []string{`"customer_contacts"`, `"buyer@acme.example"`, q.QuoteID} {
		if !strings.Contains(got, want) {
			t.Errorf("the export lacks %s", want)
		}
	}
	if strings.Contains(got, "password_hash") || strings.Contains(got, "$2a$") {
		t.Error("the export holds a password hash")
	}

	var acme struct {
		CustomerID string `json:"customer_id"`
	}
	if err := json.Unmarshal([]byte(got), &acme); err != nil || acme.CustomerID == "" {
		t.Fatalf("export: %v", err)
	}
	service := signIn(t, a, "service@q2c.local")
	service.Open("/customers/" + acme.CustomerID)
	if !service.Has("a[href='/customers/" + acme.CustomerID + "/personal-data.json']") {
		t.Error("customer service has no export on the account's page")
	}
	rep := signIn(t, a, "rep@q2c.local")
	rep.Open("/customers/" + acme.CustomerID)
	if rep.Has("a[href$='/personal-data.json']") {
		t.Error("a sales rep is offered the personal-data export")
	}
	l, err := a.Store.ListAudit(context.Background(), "customer", acme.CustomerID, store.Page{})
	if err != nil || !slices.ContainsFunc(l.Items, func(e models.AuditEvent) bool { return e.Action == "customer.personal_data_export" }) {
		t.Fatalf("the export is not in the audit trail: %v", err)
	}
}

// TestWebErasePerson: an IT admin erases the Acme buyer from the privacy
// page; a missing reason is named beside its field first; afterwards the
// buyer cannot sign in, the account's contact holds no name of theirs, and
// the trail records the erasure under the pseudonym, not the address.
func TestWebErasePerson(t *testing.T) {
	a := newApp(t)
	tab := signIn(t, a, "admin@q2c.local")
	tab.Open("/admin/privacy")
	tab.Fill("f-email", "buyer@acme.example")
	tab.Click("form[action='/admin/privacy'] button[type=submit]")
	tab.WaitText(".field-error", "")
	if !tab.Has("#e-reason") {
		t.Fatalf("no error beside the reason: %s", tab.Text("main"))
	}
	tab.Fill("f-reason", "request DSR-17 of 2026-12-03")
	tab.Click("form[action='/admin/privacy'] button[type=submit]")
	tab.WaitText(".notice", "Erased")
	look(t, tab, "privacy-erased")
	pseudonym := store.PseudonymFor("buyer@acme.example")
	if got := tab.Text(".notice"); !strings.Contains(got, pseudonym) || !strings.Contains(got, "users: 1") {
		t.Errorf("the answer:\n%s", got)
	}
	if r := a.call("POST", "/api/v1/auth/login", "", `{"email":"buyer@acme.example","password":"`+seed.DemoPassword+`"}`, nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the erased buyer signs in: %d", r.StatusCode)
	}
	l, err := a.Store.ListAudit(context.Background(), "person", pseudonym, store.Page{})
	if err != nil || len(l.Items) != 1 || strings.Contains(l.Items[0].Detail, "buyer@acme.example") || !strings.Contains(l.Items[0].Detail, "DSR-17") {
		t.Fatalf("the erasure's audit entry: %+v, %v", l.Items, err)
	}
	if check, err := a.Store.VerifyAudit(context.Background()); err != nil || !check.OK {
		t.Fatalf("the chain after the erasure: %+v, %v", check, err)
	}
}
