// Package testdb gives each test its own freshly migrated database: a new
// PostgreSQL database on the server named by Q2C_TEST_DATABASE_URL, or a new
// SQLite file. A missing Postgres fails the test; it never skips.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/store"
)

// Tests check every backorder queue the store serves from its cache
// against the rows; benchmarks (go test -bench) measure the cache as it
// runs in production.
func init() {
	store.VerifyQueueCache(!benchmarking())
}

func benchmarking() bool {
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "-test.bench="); ok && v != "" {
			return true
		}
	}
	return false
}

// DefaultURL is the server the tests use when Q2C_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// AdminURL is the Postgres server the tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("Q2C_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Engine opens a fresh migrated store for one test.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.Store
}

// Engines is every engine q2c supports, for suites that must hold on each.
var Engines = []Engine{{"postgres", Postgres}, {"sqlite", SQLite}}

// Quiet is a logger for tests that discards everything, unless
// Q2C_TEST_LOG=1 asks for the logs on stderr (to read a failing test).
var Quiet = func() *slog.Logger {
	if os.Getenv("Q2C_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()

// PostgresURL creates an empty database and returns its URL; it is dropped
// when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("testdb: PostgreSQL is required for this test and is not reachable at %s: %v\n"+
			"start it (see README, 'Testing') or set Q2C_TEST_DATABASE_URL", AdminURL(), err)
	}
	defer admin.Close(ctx)
	name := "q2c_t_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), AdminURL())
		if err != nil {
			t.Errorf("testdb: drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testdb: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres opens a fresh migrated Postgres database.
func Postgres(t testing.TB) *store.Store { return open(t, PostgresURL(t)) }

// SQLite opens a fresh migrated SQLite file in the test's temp dir.
func SQLite(t testing.TB) *store.Store {
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "q2c.db"))
}

// KeySpec is the key ring (Q2C_PAYLOAD_KEYS) that seals people's data in
// every test store: one per test binary, so a database restored in a test
// opens with the same keys; Keys is it parsed.
var KeySpec = keyring.Generate("test")

var Keys = func() *keyring.Ring {
	r, err := keyring.Parse(KeySpec)
	if err != nil {
		panic(fmt.Sprintf("testdb: %v", err))
	}
	return r
}()

func open(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dbURL, Quiet)
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	s.SetKeys(Keys)
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("testdb: migrate: %v", err)
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("testdb: %v", err))
	}
	return hex.EncodeToString(b)
}
