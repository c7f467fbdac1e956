package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one forward-only schema step, numbered by its file name.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(rest, ".sql") {
			return nil, fmt.Errorf("migration %q: want NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration versions must run 1..n without gaps; found %d at position %d", m.Version, i+1)
		}
	}
	return out, nil
}

// render fills the dialect placeholders of a migration.
func (s *Store) render(sql string) string {
	r := map[Dialect]*strings.Replacer{
		Postgres: strings.NewReplacer("{{ts}}", "TIMESTAMPTZ", "{{now}}", "now()"),
		SQLite:   strings.NewReplacer("{{ts}}", "TIMESTAMP", "{{now}}", "CURRENT_TIMESTAMP"),
	}[s.dialect]
	return r.Replace(sql)
}

// migrationSteps are work in Go that a migration does after its SQL, in
// the same transaction.
var migrationSteps = map[int]func(context.Context, *Store) error{
	// Entries from before the audit chain join it in the order they were
	// written, once, when the chain begins: a row that turns up outside it
	// later was written around q2c, and VerifyAudit finds it.
	auditChainMigration: func(ctx context.Context, s *Store) error { _, err := s.sealAudit(ctx); return err },
	// People's contact data written before sealing began is sealed in place.
	sealedPeopleMigration: func(ctx context.Context, s *Store) error { return s.sealPeople(ctx) },
	// The backorder KPIs' totals begin with what the backorders already count.
	backorderTotalsMigration: func(ctx context.Context, s *Store) error { _, err := s.RecountBackorderTotals(ctx); return err },
}

// Migrate applies every migration not yet applied, each in its own
// transaction. On Postgres an advisory lock keeps replicas that start at
// once from racing; SQLite's write lock does the same there.
func (s *Store) Migrate(ctx context.Context) (applied []int, err error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	db := s.conn(ctx)
	if err := db.Exec(s.render(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{ts}} NOT NULL)`)).Error; err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range all {
		err := db.Transaction(func(tx *gorm.DB) error {
			if s.dialect == Postgres {
				if err := tx.Exec(`SELECT pg_advisory_xact_lock(7290014)`).Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(s.render(m.SQL)) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w\n-- in statement:\n%s", err, stmt)
				}
			}
			if step := migrationSteps[m.Version]; step != nil {
				if err := step(ctx, s.with(tx)); err != nil {
					return err
				}
			}
			applied = append(applied, m.Version)
			return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return applied, nil
}

// SchemaVersion is the highest applied migration, 0 for an empty database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := s.conn(ctx).Raw(`SELECT max(version) FROM schema_migrations`).Scan(&v).Error
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}

// splitStatements cuts a migration at semicolons that end a line, dropping
// comment-only lines. Migrations keep one statement per semicolon-terminated
// block and no semicolons inside string literals.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}
