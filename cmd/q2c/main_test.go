package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func init() { auth.BcryptCost = 4 }

// TestFirstAdminIsSafe: `q2c seed` used to create admin@q2c.local with the
// published demo password on any empty database. On Postgres it now needs
// --demo, and `q2c create-admin` makes a first admin whose password never
// appears on a command line.
func TestFirstAdminIsSafe(t *testing.T) {
	ctx := context.Background()
	dbURL := migrated(t)
	var out bytes.Buffer
	st, err := store.Open(ctx, dbURL, testdb.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetKeys(testdb.Keys)

	if err := run(ctx, []string{"seed"}, &out); err == nil || !strings.Contains(err.Error(), "create-admin") {
		t.Fatalf("seed on Postgres without --demo: %v", err)
	}
	if n, _ := st.CountUsers(ctx); n != 0 {
		t.Fatalf("the refused seed created %d users", n)
	}

	stdin = strings.NewReader("short\n")
	if err := run(ctx, []string{"create-admin", "--email", "it@example.com"}, &out); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a short password: %v", err)
	}
	stdin = strings.NewReader("a-long-enough-secret\n")
	if err := run(ctx, []string{"create-admin", "--email", "IT@example.com", "--name", "Ida"}, &out); err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByEmail(ctx, "it@example.com")
	if err != nil || !u.Roles.Has(models.RoleITAdmin) || !u.Active || auth.CheckPassword(u.PasswordHash, "a-long-enough-secret") != nil {
		t.Fatalf("admin %+v, %v", u, err)
	}
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("another-long-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"create-admin", "--email", "it@example.com", "--password-file", file}, &out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("the same email again: %v", err)
	}
	audit, err := st.ListAudit(ctx, "user", u.ID, store.Page{})
	if err != nil || len(audit.Items) != 1 || audit.Items[0].Actor != "cli:create-admin" {
		t.Fatalf("audit %+v, %v", audit.Items, err)
	}

	// A throwaway database can still have the demo, when asked for.
	if err := run(ctx, []string{"seed", "--demo"}, &out); err != nil {
		t.Fatal(err)
	}
}

// TestAuditVerify: `q2c audit verify` says the trail is intact with its
// entry count, and after a row is edited in the database directly it fails
// naming the entry.
func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	dbURL := migrated(t)
	var out bytes.Buffer
	stdin = strings.NewReader("a-long-enough-secret\n")
	if err := run(ctx, []string{"create-admin", "--email", "it@example.com"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, &out); err != nil || !strings.Contains(out.String(), "intact: 1 entries") {
		t.Fatalf("verify: %q, %v", out.String(), err)
	}
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `UPDATE audit_events SET detail = 'roles=customer' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"audit", "verify"}, &out)
	if err == nil || !strings.Contains(err.Error(), "entry 1") || !strings.Contains(err.Error(), "changed after it was written") {
		t.Fatalf("verify after an edit: %v", err)
	}
}

// migrated is a fresh Postgres database migrated by `q2c migrate`, which
// the commands under test then use (Q2C_DATABASE_URL).
func migrated(t *testing.T) string {
	t.Helper()
	dbURL := testdb.PostgresURL(t)
	t.Setenv("Q2C_DATABASE_URL", dbURL)
	t.Setenv("Q2C_PAYLOAD_KEYS", testdb.KeySpec)
	t.Setenv("Q2C_LOG_LEVEL", "error")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, &out); err != nil {
		t.Fatal(err)
	}
	return dbURL
}

// `q2c reconcile --since` takes an RFC 3339 time and says so when it is
// not one, before it connects to anything.
func TestReconcileSince(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"reconcile", "--since", "yesterday"}, &out)
	if err == nil || !strings.Contains(err.Error(), "--since") {
		t.Fatalf("reconcile --since yesterday: %v", err)
	}
}

// TestRecount: `q2c recount` counts the backorder totals again and says
// from how many backorders.
func TestRecount(t *testing.T) {
	migrated(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"recount"}, &out); err != nil || out.String() != "backorder totals counted again from 0 backorders\n" {
		t.Fatalf("recount: %q, %v", out.String(), err)
	}
}

// TestReseal: after a rotation `q2c reseal` seals what the old key sealed
// under the new one, says how many values, and audits it; again, it has
// nothing left to do.
func TestReseal(t *testing.T) {
	ctx := context.Background()
	migrated(t)
	var out bytes.Buffer
	stdin = strings.NewReader("a-long-enough-secret\n")
	if err := run(ctx, []string{"create-admin", "--email", "it@example.com", "--name", "Ida Admin"}, &out); err != nil {
		t.Fatal(err)
	}
	t.Setenv("Q2C_PAYLOAD_KEYS", keyring.Generate("next")+","+testdb.KeySpec)
	for _, want := range []string{"2 values sealed again under key next", "0 values sealed again under key next"} { // email and name
		out.Reset()
		if err := run(ctx, []string{"reseal"}, &out); err != nil || !strings.Contains(out.String(), want) {
			t.Fatalf("reseal: %q, %v; want %q", out.String(), err, want)
		}
	}
}
