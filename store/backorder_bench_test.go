package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// benchQueue makes a Postgres store holding n waiting backorders of SKU
// "HOT" (1 to 7 units short, a quarter shipping whole, tiers 1-3, promised
// over four weeks) for 300 customers, written in bulk by SQL.
func benchQueue(b *testing.B, n int) *store.Store {
	b.Helper()
	url := testdb.PostgresURL(b)
	st, err := store.Open(context.Background(), url, testdb.Quiet)
	if err != nil {
		b.Fatal(err)
	}
	st.SetKeys(testdb.Keys)
	b.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	stockUp(b, st, "HOT", map[string]int64{"A": 0})
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`INSERT INTO customers (id, name, email, segment, region, tier, currency, created_at)
		 SELECT 'cust-' || g, 'Customer ' || g, 'c' || g || '@example.com', 'smb', 'R' || (g % 7), 1 + g % 3, 'USD', now()
		 FROM generate_series(1, 300) g`,
		fmt.Sprintf(`INSERT INTO allocations (order_id, line_no, sku, requested, reserved, created_at)
		 SELECT 'SO-' || lpad(g::text, 7, '0'), 1, 'HOT', 1 + g %% 7, 0, now() FROM generate_series(1, %d) g`, n),
		fmt.Sprintf(`INSERT INTO backorders (id, order_id, line_no, customer_id, customer_name, customer_tier, region, sku, qty_ordered, qty_short,
		   allow_partial, status, currency, line_net, value_open, promised_at, eta, eta_source, ordered_at, created_at, updated_at)
		 SELECT 'SO-' || lpad(g::text, 7, '0') || '-L1', 'SO-' || lpad(g::text, 7, '0'), 1, 'cust-' || (1 + g %% 300), 'Customer ' || (1 + g %% 300),
		   1 + (1 + g %% 300) %% 3, 'R' || ((1 + g %% 300) %% 7), 'HOT', 1 + g %% 7, 1 + g %% 7, g %% 4 <> 0, 'open', 'USD', 1000 * (1 + g %% 7), 1000 * (1 + g %% 7),
		   now() + (g %% 28) * interval '1 day', now() + (g %% 28) * interval '1 day', 'lead time', now() - (g %% 90) * interval '1 day',
		   now() - (g %% 90) * interval '1 day', now()
		 FROM generate_series(1, %d) g`, n),
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	// Loaded around q2c, so the KPIs' totals are counted from the rows.
	if _, err := st.RecountBackorderTotals(ctx); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkReceiptOver10000Waiting: one receipt of 40 units for a SKU with
// 10,000 waiting backorders: lock, rank the queue, reserve for the ~10
// lines served, record the pick list, and recompute every waiting ETA
// (writing those that changed).
func BenchmarkReceiptOver10000Waiting(b *testing.B) {
	st := benchQueue(b, 10_000)
	ctx := context.Background()
	receive := func(key string) {
		r, err := st.Receive(ctx, store.Receipt{Key: key, SKU: "HOT", Warehouse: "A", Qty: 40, ReceivedBy: "bench"})
		if err != nil || r.Run == nil {
			b.Fatalf("receipt: %+v %v", r, err)
		}
	}
	receive("warm-up") // the bulk-loaded ETAs are rewritten once by the plan
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		receive(fmt.Sprintf("bench-%d", i))
	}
}

// BenchmarkSupplyMoveOver10000Waiting: a purchase order covering all
// 10,000 waiting backorders moves by a day, so every ETA changes: the
// worst case of the living ETA (10,000 rows and events written).
func BenchmarkSupplyMoveOver10000Waiting(b *testing.B) {
	st := benchQueue(b, 10_000)
	ctx := context.Background()
	at := time.Now().AddDate(0, 0, 10)
	po := &models.SupplyOrder{Kind: models.SupplyPurchase, SKU: "HOT", WarehouseCode: "A", Qty: 100_000, ExpectedAt: at, CreatedBy: "bench"}
	if err := st.CreateSupplyOrder(ctx, po); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		at = at.AddDate(0, 0, 1)
		if _, _, err := st.MoveSupplyETA(ctx, po.ID, at); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBackorderDashboard100000: first pages of the dashboard and the
// KPIs with 100,000 open backorders.
func BenchmarkBackorderDashboard100000(b *testing.B) {
	st := benchQueue(b, 100_000)
	ctx := context.Background()
	now := time.Now()
	deep, err := st.ListBackorders(ctx, store.BackorderFilter{Now: now}, store.BackorderSort{Key: store.SortETA}, store.Page{Limit: 200})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		f    store.BackorderFilter
		o    store.BackorderSort
		p    store.Page
	}{
		{"waiting by priority", store.BackorderFilter{Statuses: []string{models.BackorderOpen, models.BackorderPartiallyFilled}}, store.BackorderSort{Key: store.SortPriority}, store.Page{}},
		{"all by ETA", store.BackorderFilter{}, store.BackorderSort{Key: store.SortETA}, store.Page{}},
		{"all by ETA, page 5", store.BackorderFilter{}, store.BackorderSort{Key: store.SortETA}, store.Page{Cursor: deep.NextCursor}},
		{"one customer by age", store.BackorderFilter{CustomerID: "cust-17"}, store.BackorderSort{Key: store.SortAge}, store.Page{}},
		{"ETA range by value", store.BackorderFilter{ETAFrom: now.AddDate(0, 0, 7), ETATo: now.AddDate(0, 0, 14)}, store.BackorderSort{Key: store.SortValue, Desc: true}, store.Page{}},
		{"tier 1 in a region, oldest first", store.BackorderFilter{Tier: 1, Region: "R3", MinAgeDays: 30}, store.BackorderSort{Key: store.SortAge}, store.Page{}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c.f.Now = now
			b.ReportAllocs()
			for b.Loop() {
				l, err := st.ListBackorders(ctx, c.f, c.o, c.p)
				if err != nil || len(l.Items) == 0 {
					b.Fatalf("%d rows, %v", len(l.Items), err)
				}
			}
		})
	}
	b.Run("KPIs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k, err := st.BackorderKPIs(ctx, now)
			if err != nil || k.Open.Count != 100_000 {
				b.Fatalf("%d open, %v", k.Open.Count, err)
			}
		}
	})
}
