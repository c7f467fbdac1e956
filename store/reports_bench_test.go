package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/store"
)

// BenchmarkARAging100000Invoices: today's AR aging over 100,000 invoices
// (300 customers, due over the last 150 days and the next 30, a third part
// paid, a quarter paid in full) on Postgres. Target: ≤ 50 ms. Measured on
// 2 cores: see the README (a day past reads the payments received by then).
func BenchmarkARAging100000Invoices(b *testing.B) {
	const n = 100_000
	url := testdb.PostgresURL(b)
	st, err := store.Open(context.Background(), url, testdb.Quiet)
	if err != nil {
		b.Fatal(err)
	}
	st.SetKeys(testdb.Keys)
	b.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`INSERT INTO customers (id, name, email, segment, region, tier, currency, created_at)
		 SELECT 'cust-' || g, 'Customer ' || g, 'c' || g || '@example.com', 'smb', 'R' || (g % 7), 1 + g % 3, 'USD', now()
		 FROM generate_series(1, 300) g`,
		fmt.Sprintf(`INSERT INTO orders (id, quote_id, customer_id, status, rev, currency, total, state, created_at, updated_at)
		 SELECT 'SO-' || g, 'Q-' || g, 'cust-' || (1 + g %% 300), 'shipped', 1, 'USD', 1000 * (1 + g %% 50), '{}', now(), now()
		 FROM generate_series(1, %d) g`, n),
		fmt.Sprintf(`INSERT INTO shipments (id, order_id, carrier, tracking, lines, shipped_by, shipped_at)
		 SELECT 'SO-' || g || '/1', 'SO-' || g, 'UPS', '1Z', '[]', 'user:w', now() FROM generate_series(1, %d) g`, n),
		fmt.Sprintf(`INSERT INTO invoices (id, number, order_id, shipment_id, customer_id, currency, subtotal, discount, tax, total, paid, status, lines, issued_at, due_at)
		 SELECT 'INV-' || g, g, 'SO-' || g, 'SO-' || g || '/1', 'cust-' || (1 + g %% 300), 'USD', 1000 * (1 + g %% 50), 0, 0, 1000 * (1 + g %% 50),
		   CASE WHEN g %% 4 = 0 THEN 1000 * (1 + g %% 50) WHEN g %% 3 = 0 THEN 500 ELSE 0 END,
		   CASE WHEN g %% 4 = 0 THEN 'paid' WHEN g %% 3 = 0 THEN 'partially_paid' ELSE 'open' END, '[]',
		   now() - ((g %% 180) + 30) * interval '1 day', now() - (g %% 180) * interval '1 day' + interval '30 days'
		 FROM generate_series(1, %d) g`, n),
		fmt.Sprintf(`INSERT INTO payments (id, invoice_id, reference, amount, applied, method, recorded_by, received_at)
		 SELECT 'PAY-' || g, 'INV-' || g, 'ref', CASE WHEN g %% 4 = 0 THEN 1000 * (1 + g %% 50) ELSE 500 END,
		   CASE WHEN g %% 4 = 0 THEN 1000 * (1 + g %% 50) ELSE 500 END, 'wire', 'user:f', now() - interval '1 day'
		 FROM generate_series(1, %d) g WHERE g %% 4 = 0 OR g %% 3 = 0`, n),
		`VACUUM ANALYZE`, // as autovacuum would have: a table fresh from a bulk load reads slower until vacuumed
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		day  time.Time
		owe  int
	}{
		// Invoice g is paid in full when g % 4 = 0, and belongs to customer
		// 1 + g % 300: the 75 customers whose invoices all have g % 4 = 0
		// owe nothing today, 225 do. A week ago, before the payments of
		// yesterday, all 300 owed.
		{"today", time.Now().UTC(), 225},
		{"a week ago", time.Now().UTC().AddDate(0, 0, -7), 300},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r, err := st.ARAging(ctx, c.day, time.UTC)
				if err != nil || len(r.Customers) != c.owe {
					b.Fatalf("%d customers, %v", len(r.Customers), err)
				}
			}
		})
	}
	// The same on a database told not to start parallel workers, as the
	// README advises for a database host with 2 cores: there a parallel
	// plan costs more in starting workers than it saves.
	if _, err := conn.Exec(ctx, `DO $$ BEGIN EXECUTE 'ALTER DATABASE ' || quote_ident(current_database()) || ' SET max_parallel_workers_per_gather = 0'; END $$`); err != nil {
		b.Fatal(err)
	}
	serial, err := store.Open(ctx, url, testdb.Quiet)
	if err != nil {
		b.Fatal(err)
	}
	serial.SetKeys(testdb.Keys)
	defer serial.Close()
	b.Run("today, serial plans", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if r, err := serial.ARAging(ctx, time.Now().UTC(), time.UTC); err != nil || len(r.Customers) != 225 {
				b.Fatalf("%d customers, %v", len(r.Customers), err)
			}
		}
	})
}
