package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// withBackdoor opens a fresh store on each engine and a second way into
// the same database around q2c, as someone with database access has.
func withBackdoor(t *testing.T, fn func(t *testing.T, s *store.Store, exec func(sql string, args ...any))) {
	engines := map[string]func(t *testing.T) (string, func(sql string, args ...any)){
		"postgres": func(t *testing.T) (string, func(string, ...any)) {
			url := testdb.PostgresURL(t)
			return url, func(sql string, args ...any) {
				c, err := pgx.Connect(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(context.Background())
				if _, err := c.Exec(context.Background(), sql, args...); err != nil {
					t.Fatalf("backdoor: %v", err)
				}
			}
		},
		"sqlite": func(t *testing.T) (string, func(string, ...any)) {
			path := filepath.Join(t.TempDir(), "q2c.db")
			return "sqlite:" + path, func(sql string, args ...any) {
				db, err := gorm.Open(sqlite.Open("file:"+path), &gorm.Config{})
				if err != nil {
					t.Fatal(err)
				}
				defer func() { d, _ := db.DB(); _ = d.Close() }()
				sql = strings.NewReplacer("$1", "?", "$2", "?").Replace(sql)
				if err := db.Exec(sql, args...).Error; err != nil {
					t.Fatalf("backdoor: %v", err)
				}
			}
		},
	}
	for _, name := range []string{"postgres", "sqlite"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, exec := engines[name](t)
			s, err := store.Open(context.Background(), url, testdb.Quiet)
			if err != nil {
				t.Fatal(err)
			}
			s.SetKeys(testdb.Keys)
			t.Cleanup(func() { _ = s.Close() })
			if _, err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			fn(t, s, exec)
		})
	}
}

// TestAuditChainFindsTampering: three entries verify; then each way of
// tampering with the table directly is found at the entry it touched.
func TestAuditChainFindsTampering(t *testing.T) {
	cases := []struct {
		name     string
		tamper   string
		seq      int64 // where the check must stop (0: a row outside the chain)
		reason   string
		straysID bool
	}{
		{"a changed detail", `UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 2`, 2, "changed after it was written", false},
		{"a changed actor", `UPDATE audit_events SET actor = 'user:someone-else' WHERE seq = 3`, 3, "changed after it was written", false},
		{"a removed entry", `DELETE FROM audit_events WHERE seq = 2`, 2, "entry 2 is missing", false},
		{"a relinked entry", `UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE seq = 1) WHERE seq = 3`, 3, "does not link", false},
		{"a row written around q2c", `INSERT INTO audit_events (id, at, actor, action, entity, entity_id, detail) VALUES ('slipped-in', $1, 'user:x', 'price_list.create', 'price_list', 'pl', '')`, 0, "written around q2c", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			withBackdoor(t, func(t *testing.T, s *store.Store, exec func(string, ...any)) {
				ctx := context.Background()
				for i := range 3 {
					if err := s.AppendAudit(ctx, models.AuditEvent{Actor: "user:ann", Action: "price_list.create", Entity: "price_list", EntityID: fmt.Sprint("pl-", i), Detail: fmt.Sprint("list ", i)}); err != nil {
						t.Fatal(err)
					}
				}
				ok, err := s.VerifyAudit(ctx)
				if err != nil || !ok.OK || ok.Entries != 3 || len(ok.Head) != 64 {
					t.Fatalf("before tampering: %+v, %v", ok, err)
				}
				var args []any
				if strings.Contains(c.tamper, "$1") {
					args = append(args, "2026-12-01 10:00:00")
				}
				exec(c.tamper, args...)
				got, err := s.VerifyAudit(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got.OK || got.Broken == nil {
					t.Fatalf("after %s the check passed: %+v", c.name, got)
				}
				if got.Broken.Seq != c.seq || !strings.Contains(got.Broken.Reason, c.reason) || (c.straysID && got.Broken.ID != "slipped-in") {
					t.Fatalf("broken = %+v; want seq %d, reason with %q", *got.Broken, c.seq, c.reason)
				}
			})
		})
	}
}

// TestAuditChainUnderConcurrentAppends: 24 appends at once from separate
// transactions make one chain, no fork (two entries linking to the same
// one) and no gap.
func TestAuditChainUnderConcurrentAppends(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 24)
		for i := range 24 {
			wg.Go(func() {
				errs <- s.Tx(ctx, func(tx *store.Store) error {
					return tx.AppendAudit(ctx, models.AuditEvent{Actor: "user:ann", Action: "tax_rate.set", Entity: "tax_rate", EntityID: fmt.Sprint("R", i)})
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.VerifyAudit(ctx)
		if err != nil || !got.OK || got.Entries != 24 {
			t.Fatalf("after 24 concurrent appends: %+v, %v", got, err)
		}
	})
}

// TestAuditChainTakesInEarlierEntries: entries written before the chain
// existed join it, in the order they were written, when its migration runs.
func TestAuditChainTakesInEarlierEntries(t *testing.T) {
	withBackdoor(t, func(t *testing.T, s *store.Store, exec func(string, ...any)) {
		ctx := context.Background()
		// Back to the schema before the chain, with three entries of then.
		for _, q := range []string{
			`DROP INDEX audit_events_seq`,
			`DROP INDEX audit_events_ref`,
			`ALTER TABLE audit_events DROP COLUMN ref`,
			`ALTER TABLE audit_events DROP COLUMN seq`,
			`ALTER TABLE audit_events DROP COLUMN prev_hash`,
			`ALTER TABLE audit_events DROP COLUMN hash`,
			`DELETE FROM schema_migrations WHERE version = 17`,
			`INSERT INTO audit_events (id, at, actor, action, entity, entity_id, detail) VALUES ('b', '2026-11-02 09:00:00', 'user:ann', 'user.create', 'user', 'u2', '')`,
			`INSERT INTO audit_events (id, at, actor, action, entity, entity_id, detail) VALUES ('a', '2026-11-03 09:00:00', 'user:ann', 'user.create', 'user', 'u3', '')`,
			`INSERT INTO audit_events (id, at, actor, action, entity, entity_id, detail) VALUES ('c', '2026-11-01 09:00:00', 'user:ann', 'user.create', 'user', 'u1', '')`,
		} {
			exec(q)
		}
		applied, err := s.Migrate(ctx)
		if err != nil || fmt.Sprint(applied) != "[17]" {
			t.Fatalf("migrate: %v, %v", applied, err)
		}
		got, err := s.VerifyAudit(ctx)
		if err != nil || !got.OK || got.Entries != 3 {
			t.Fatalf("after the migration: %+v, %v", got, err)
		}
		l, err := s.ListAudit(ctx, "user", "", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		order := map[string]int64{}
		for _, e := range l.Items {
			order[e.EntityID] = e.Seq
		}
		if fmt.Sprint(order) != "map[u1:1 u2:2 u3:3]" {
			t.Fatalf("places in the chain: %v; want them in the order written", order)
		}
	})
}

// TestAuditRefRecordsOnce: an entry with a ref is recorded once, however
// often the request behind it is retried.
func TestAuditRefRecordsOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ref := "Order:SO-1/upd-1"
		for range 3 {
			if err := s.AppendAudit(ctx, models.AuditEvent{Actor: "user:wh", Action: "order.ship", Entity: "order", EntityID: "SO-1", Ref: &ref}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.VerifyAudit(ctx)
		if err != nil || !got.OK || got.Entries != 1 {
			t.Fatalf("three appends of one ref: %+v, %v", got, err)
		}
	})
}
