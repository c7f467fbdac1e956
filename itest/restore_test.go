package itest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	q2capp "github.com/q2c-dev/q2c/app"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/internal/salesload"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// The restore drill: the app database is backed up with pg_dump in the
// middle of a run of sales, the sales go on to the end, and the database is
// then restored from that backup into a fresh database: Temporal is ahead
// of it. After `q2c reconcile` (q2capp.Reconcile) the worker and API run on
// the restored database, and every sale completes with no invoice or
// credit-note number reused and no unit of stock lost or doubled.
const (
	drillSales = 16 // whole sales running while the backup is taken
	drillLater = 4  // whole sales after the restore
	drillSKU   = "RST-1"
	drillStock = 1000
	drillQty   = 3
)

func TestRestoreDrill(t *testing.T) {
	a := newApp(t, withConfig(func(c *config.Config) { c.WorkerStopTimeout = 0 }))
	ctx := context.Background()
	if err := a.Store.UpsertProduct(ctx, &models.Product{SKU: drillSKU, Name: "Drill widget", UnitOfMeasure: "each", ListPrice: 1000, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.SetOnHand(ctx, drillSKU, "SFO", drillStock); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"rep": a.login("rep@q2c.local"), "warehouse": a.login("warehouse@q2c.local"), "finance": a.login("finance@q2c.local")}
	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", tokens["rep"], "", nil, &customers)
	client := &salesload.Client{Base: a.base, Rep: tokens["rep"], Warehouse: tokens["warehouse"], Finance: tokens["finance"], SKU: drillSKU, Qty: drillQty}
	customer := func(i int) string { return customers.Items[i%len(customers.Items)].ID }
	// Two customers take marketing; a segment of everyone is saved (both
	// in the backup).
	for _, name := range []string{"Acme", "Initech"} {
		if err := a.Store.SetMarketingConsent(ctx, customerNamed(t, a, name).ID, true); err != nil {
			t.Fatal(err)
		}
	}
	marketer := a.login("marketing@q2c.local")
	var segment models.Segment
	if err := client.Mutate("POST", "/api/v1/segments", marketer, `{"name":"Everyone","filters":{}}`, 201, &segment); err != nil {
		t.Fatal(err)
	}

	// 1. Sales run; the backup is taken when half their steps are done.
	backup := filepath.Join(t.TempDir(), "q2c.dump")
	progress := make(chan struct{}, 4*drillSales)
	dumped := make(chan error, 1)
	go func() {
		steps := 0
		for range progress {
			if steps++; steps == 2*drillSales {
				dumped <- pgDump(a.DBURL, backup)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, drillSales)
	for i := range drillSales {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.Sale(fmt.Sprintf("R-%d", i), customer(i), progress); err != nil {
				errs <- fmt.Errorf("sale %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(progress)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := <-dumped; err != nil {
		t.Fatal(err)
	}
	// 2. After the backup, two sales are shipped and credited, not paid:
	// their invoices and credit notes exist only in Temporal after the
	// restore.
	held := []heldSale{a.shipUnpaid(t, client, "H-1", customer(1)), a.shipUnpaid(t, client, "H-2", customer(2))}
	for _, h := range held {
		a.creditNote(t, client, h, 100)
	}
	// And a campaign runs to its end: recorded by the API, its audience
	// frozen and sent by its workflow, all after the backup.
	var campaign models.Campaign
	if err := client.Mutate("POST", "/api/v1/campaigns", marketer,
		fmt.Sprintf(`{"name":"Drill offer","segment_id":%q,"headline":"Drill offer","body":"Restored.","per_minute":600}`, segment.ID), 201, &campaign); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		c, err := a.Store.CampaignByID(ctx, campaign.ID)
		return err == nil && c.Status == models.CampaignCompleted
	})

	// 3. Restore behind Temporal: stop everything, restore into a fresh
	// database, migrate, reconcile, start the worker and the API.
	a.stopWorker()
	a.mu.Lock()
	a.api.Close()
	a.mu.Unlock()
	restoredURL := testdb.PostgresURL(t)
	if out, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "-d", restoredURL, backup).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v: %s", err, out)
	}
	inBackup := countRows(t, restoredURL, "orders", "invoices", "credit_notes")
	inBackup["payments"] = queryOne(t, restoredURL)(`SELECT count(*) FROM payments WHERE method <> '` + store.CreditPaymentMethod + `'`)
	a.Store, a.DBURL = testdb.Open(t, restoredURL), restoredURL
	a.Store.SetKeys(itestKeys)
	a.sender = q2capp.Sender(a.Config, a.Store)
	rep, err := q2capp.Reconcile(ctx, a.Config, a.Store, a.Client, time.Time{}, newErrorLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Conflicts) > 0 {
		t.Fatalf("reconcile conflicts: %v", rep.Conflicts)
	}
	a.startWorker()
	a.startAPI()

	// 4. The sales go on: the held ones are paid (their invoices came back
	// with the reconciliation), a third is credited (its note must take the
	// next number, not one the restore freed) and paid, and new sales run.
	third := a.shipUnpaid(t, client, "H-3", customer(3))
	a.creditNote(t, client, third, 100)
	for _, h := range append(held, third) {
		a.payRest(t, client, h)
	}
	for i := range drillLater {
		if _, err := client.Sale(fmt.Sprintf("L-%d", i), customer(i), nil); err != nil {
			t.Fatalf("sale after the restore %d: %v", i, err)
		}
	}

	// The campaign came back from its workflow's history, with its frozen
	// audience and what it sent; its messages were not sent again.
	if c, err := a.Store.CampaignByID(ctx, campaign.ID); err != nil || c.Status != models.CampaignCompleted || c.Sent != 2 {
		t.Errorf("the campaign after the restore: %+v, %v; want completed with 2 sent", c, err)
	}

	// 5. The books.
	total := int64(drillSales + 3 + drillLater)
	got := countRows(t, a.DBURL, "orders", "invoices", "credit_notes")
	one := queryOne(t, a.DBURL)
	checks := map[string][2]int64{
		"orders":                     {got["orders"], total},
		"orders completed":           {one(`SELECT count(*) FROM orders WHERE status = 'completed'`), total},
		"duplicate orders per quote": {one(`SELECT count(*) FROM (SELECT quote_id FROM orders GROUP BY quote_id HAVING count(*) > 1) d`), 0},
		"quotes":                     {one(`SELECT count(*) FROM quotes`), total},
		"shipments":                  {one(`SELECT count(*) FROM shipments`), total},
		"invoices":                   {got["invoices"], total},
		"distinct invoice numbers":   {one(`SELECT count(DISTINCT number) FROM invoices`), total},
		"highest invoice number":     {one(`SELECT max(number) FROM invoices`), total},
		"payments":                   {one(`SELECT count(*) FROM payments WHERE method <> '` + store.CreditPaymentMethod + `'`), total},
		"credit applied as payments": {one(`SELECT count(*) FROM payments WHERE method = '` + store.CreditPaymentMethod + `'`), 3},
		"credit notes":               {got["credit_notes"], 3},
		"distinct credit numbers":    {one(`SELECT count(DISTINCT number) FROM credit_notes`), 3},
		"highest credit number":      {one(`SELECT max(number) FROM credit_notes`), 3},
		"campaign recipients":        {one(`SELECT count(*) FROM campaign_recipients`), 2},
		"on hand":                    {one(`SELECT sum(on_hand) FROM stock_levels WHERE sku = '` + drillSKU + `'`), drillStock - total*drillQty},
		"reserved":                   {one(`SELECT sum(reserved) FROM stock_levels WHERE sku = '` + drillSKU + `'`), 0},
		"units shipped":              {one(`SELECT coalesce(sum(qty), 0) FROM shipment_lines WHERE sku = '` + drillSKU + `'`), total * drillQty},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: %d, want %d", name, c[0], c[1])
		}
	}
	// Each order's invoices are the ones its workflow holds: the same
	// numbers the customers were sent.
	conn, err := pgx.Connect(ctx, a.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id, order_id FROM invoices ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	dbInvoices := map[string]string{}
	for rows.Next() {
		var id, order string
		if err := rows.Scan(&id, &order); err != nil {
			t.Fatal(err)
		}
		dbInvoices[order] = id
	}
	for order, id := range dbInvoices {
		v, err := a.Client.QueryWorkflow(ctx, workflows.OrderWorkflowID(order), "", workflows.QueryStatus)
		if err != nil {
			t.Fatal(err)
		}
		var st workflows.OrderState
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		if len(st.Invoices) != 1 || st.Invoices[0].ID != id {
			t.Errorf("order %s: the database holds invoice %s, the workflow %v", order, id, st.Invoices)
		}
	}
	t.Logf("restore drill: the backup held %d orders, %d invoices, %d payments, %d credit notes of the %d, %d, %d and 2 there were when it was restored; "+
		"reconcile read %d workflow runs from %s and applied %d of %d recorded writes again, 0 conflicts; after it, %d sales completed, invoices 1..%d and credit notes 1..3 each once, "+
		"on hand %d = %d − %d shipped, nothing reserved",
		inBackup["orders"], inBackup["invoices"], inBackup["payments"], inBackup["credit_notes"], drillSales+2, drillSales+2, drillSales,
		rep.Runs, rep.Since.Format(time.RFC3339), rep.Applied, rep.Writes, checks["orders completed"][0], checks["highest invoice number"][0],
		checks["on hand"][0], drillStock, checks["units shipped"][0])
}

// heldSale is a sale shipped and invoiced, not yet paid.
type heldSale struct{ orderID, invoiceID string }

// shipUnpaid quotes, accepts and ships one sale, and leaves its invoice open.
func (a *app) shipUnpaid(t *testing.T, c *salesload.Client, name, customerID string) heldSale {
	t.Helper()
	var q, acc workflows.QuoteState
	if err := c.Mutate("POST", "/api/v1/quotes", c.Rep, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":%q,"qty":%d}]}`, customerID, c.SKU, c.Qty), 201, &q); err != nil {
		t.Fatal(err)
	}
	if err := c.Mutate("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", c.Rep, `{"allow_partial":true}`, 200, &acc); err != nil {
		t.Fatal(err)
	}
	if err := c.Until(acc.OrderID, func(o workflows.OrderState) bool { return o.Status == workflows.OrderAllocated }); err != nil {
		t.Fatal(err)
	}
	var o workflows.OrderState
	if err := c.Mutate("POST", "/api/v1/orders/"+acc.OrderID+"/shipments", c.Warehouse,
		fmt.Sprintf(`{"carrier":"UPS","tracking":%q,"lines":[{"line_no":1,"qty":%d}]}`, name, c.Qty), 200, &o); err != nil {
		t.Fatal(err)
	}
	return heldSale{orderID: acc.OrderID, invoiceID: o.Invoices[0].ID}
}

// creditNote issues a price correction of amount on the sale's invoice.
func (a *app) creditNote(t *testing.T, c *salesload.Client, h heldSale, amount int64) {
	t.Helper()
	var cn models.CreditNote
	if err := c.Mutate("POST", "/api/v1/invoices/"+h.invoiceID+"/credit-notes", c.Finance,
		fmt.Sprintf(`{"kind":"price_correction","amount":%d,"reason":"drill"}`, amount), 201, &cn); err != nil {
		t.Fatal(err)
	}
}

// payRest pays what is left on the sale's invoice and waits for the order
// to complete.
func (a *app) payRest(t *testing.T, c *salesload.Client, h heldSale) {
	t.Helper()
	var inv models.Invoice
	if resp := a.call("GET", "/api/v1/invoices/"+h.invoiceID, c.Finance, "", nil, &inv); resp.StatusCode != 200 {
		t.Fatalf("invoice %s after the restore: %d", h.invoiceID, resp.StatusCode)
	}
	var o workflows.OrderState
	if err := c.Mutate("POST", "/api/v1/orders/"+h.orderID+"/payments", c.Finance,
		fmt.Sprintf(`{"invoice_id":%q,"reference":%q,"amount":%d}`, h.invoiceID, "pay-"+h.orderID, inv.Balance()), 200, &o); err != nil {
		t.Fatal(err)
	}
	if err := c.Until(h.orderID, func(o workflows.OrderState) bool { return o.Status == workflows.OrderCompleted }); err != nil {
		t.Fatal(err)
	}
}

// pgDump backs the database up as an operator would (custom format).
func pgDump(dbURL, file string) error {
	if out, err := exec.Command("pg_dump", "-Fc", "-f", file, dbURL).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_dump: %v: %s", err, out)
	}
	return nil
}

// countRows counts each table's rows.
func countRows(t *testing.T, dbURL string, tables ...string) map[string]int64 {
	t.Helper()
	one := queryOne(t, dbURL)
	out := map[string]int64{}
	for _, table := range tables {
		out[table] = one("SELECT count(*) FROM " + table)
	}
	return out
}

// queryOne answers single-number queries on the database.
func queryOne(t *testing.T, dbURL string) func(sql string) int64 {
	return func(sql string) int64 {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int64
		if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
}
