package devstack_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/q2c-dev/q2c/devstack"
	"github.com/q2c-dev/q2c/internal/salesload"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// BenchmarkDevStackPages renders, on the dev stack (SQLite, embedded
// Temporal), the backorder dashboard over 10,000 open backorders and a
// customer's order page, through HTTP with a signed-in browser session, and
// reports the p50 and p95 of each request. The target is p95 ≤ 50 ms.
func BenchmarkDevStackPages(b *testing.B) {
	ctx := context.Background()
	s, err := devstack.Start(ctx, devConfig(b, b.TempDir(), false), testdb.Quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(ctx)
	addBackorders(b, strings.TrimPrefix(s.Config.DatabaseURL.Reveal(), "sqlite:"), 10_000)
	addSnapshots(b, strings.TrimPrefix(s.Config.DatabaseURL.Reveal(), "sqlite:"), 365)

	// One real sale for Acme, so the customer has an order page.
	login := func(email string) string {
		var l struct{ Token string }
		post(b, s.URL+"/api/v1/auth/login", "", `{"email":"`+email+`","password":"`+seed.DemoPassword+`"}`, &l)
		return l.Token
	}
	buyer := &salesload.Client{Base: func() string { return s.URL }}
	tok := login("buyer@acme.example")
	var q workflows.QuoteState
	if err := buyer.Mutate("POST", "/api/v1/quotes", tok, `{"lines":[{"sku":"WID-100","qty":3},{"sku":"CAB-050","qty":2}]}`, http.StatusCreated, &q); err != nil {
		b.Fatal(err)
	}
	if err := buyer.Mutate("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", tok, `{"allow_partial":true}`, http.StatusOK, &q); err != nil {
		b.Fatal(err)
	}

	for _, page := range []struct{ name, who, path, want string }{
		{"dashboard-10000-open", "manager@q2c.local", "/backorders", "BENCH"},
		{"customer-order", "buyer@acme.example", "/orders/" + q.OrderID, q.OrderID},
		// The executive's performance page over 12 weeks of a year of daily
		// snapshots (target: ≤ 20 ms).
		{"performance-trends-12-weeks", "exec@q2c.local", "/reports/kpis", "Perfect-order rate"},
	} {
		b.Run(page.name, func(b *testing.B) {
			c := signedIn(b, s.URL, page.who)
			var took []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				body := fetch(b, c, s.URL+page.path)
				took = append(took, time.Since(t0))
				if !strings.Contains(body, page.want) {
					b.Fatalf("%s does not show %q", page.path, page.want)
				}
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[(len(took)*95)/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// addBackorders writes n open backorders of SKU BENCH for the seeded
// customers straight into the dev stack's SQLite file, in batches.
func addBackorders(b *testing.B, path string, n int) {
	b.Helper()
	db := openSQLite(b, path)
	// Only the columns a backorder copies: a customer's email and phone
	// are sealed (store/sealed.go), and this bare connection has no keys.
	var customers []models.Customer
	if err := db.Select("id", "name", "tier", "region").Find(&customers).Error; err != nil || len(customers) == 0 {
		b.Fatalf("customers: %v", err)
	}
	now := time.Now().UTC()
	rows := make([]models.Backorder, 0, n)
	for i := range n {
		c := customers[i%len(customers)]
		short := int64(1 + i%7)
		id := fmt.Sprintf("SO-B%07d", i)
		rows = append(rows, models.Backorder{ID: id + "-L1", OrderID: id, LineNo: 1, CustomerID: c.ID, CustomerName: c.Name, CustomerTier: c.Tier,
			Region: c.Region, SKU: "BENCH", QtyOrdered: short, QtyShort: short, AllowPartial: i%4 != 0, Status: models.BackorderOpen, Currency: "USD",
			LineNet: 1000 * short, ValueOpen: 1000 * short, PromisedAt: now.AddDate(0, 0, i%28), ETA: now.AddDate(0, 0, i%28), ETASource: "lead time",
			OrderedAt: now.AddDate(0, 0, -(i % 90)), CreatedAt: now.AddDate(0, 0, -(i % 90)), UpdatedAt: now})
	}
	if err := db.CreateInBatches(rows, 500).Error; err != nil {
		b.Fatal(err)
	}
}

// openSQLite opens the dev stack's database beside it, closed when b ends.
func openSQLite(b *testing.B, path string) *gorm.DB {
	b.Helper()
	db, err := gorm.Open(sqlite.Open("file:"+path+"?_pragma=busy_timeout(10000)&_txlock=immediate&_time_format=sqlite"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, _ := db.DB()
	b.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// addSnapshots writes days of KPI snapshots ending today, every KPI, as
// the schedule would have taken them.
func addSnapshots(b *testing.B, path string, days int) {
	b.Helper()
	db := openSQLite(b, path)
	today := time.Now().UTC()
	for d := range days {
		day := today.AddDate(0, 0, -d).Format(time.DateOnly)
		for i, k := range store.KPIDefs {
			cur, den := "", int64(1200+d)
			if k.Unit == "money" || k.Kind == store.KPIPoint {
				cur, den = "USD", 0
			}
			if err := db.Exec(`INSERT INTO kpi_daily (day, metric, currency, num, den, taken_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, day, k.Metric, cur, int64(1000+d*7+i), den, today).Error; err != nil {
				b.Fatal(err)
			}
		}
	}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// signedIn is an HTTP client with a session from the sign-in form.
func signedIn(b testing.TB, base, email string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	m := csrfInput.FindStringSubmatch(fetch(b, c, base+"/login"))
	if m == nil {
		b.Fatal("no CSRF token on the login page")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {seed.DemoPassword}, "next": {"/"}})
	if err != nil {
		b.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		b.Fatalf("sign in %s: %d at %s", email, resp.StatusCode, resp.Request.URL)
	}
	return c
}

func fetch(b testing.TB, c *http.Client, u string) string {
	b.Helper()
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %.300s", u, resp.StatusCode, body)
	}
	return string(body)
}
