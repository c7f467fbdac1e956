// Package store is q2c's only door to its database. Activities write through
// it and the API reads through it. It speaks PostgreSQL in production and
// SQLite (pure Go) in the embedded dev stack, with one schema for both.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/q2c-dev/q2c/backorder"
	"github.com/q2c-dev/q2c/internal/sqlitewal"
	"github.com/q2c-dev/q2c/models"
)

// Dialect names the SQL engine behind a Store.
type Dialect string

// The supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store wraps a gorm handle. A Store returned by Tx shares its transaction.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	now     func() time.Time
	policy  backorder.Policy
	loc     *time.Location          // the report time zone: days of the sales rollup and KPI snapshots
	keys    Keys                    // seal people's contact data (sealed.go)
	queues  *queueCache             // this process's cached backorder queues (backorder_queue_cache.go)
	pending *txWrites               // inside Tx: what its writes leave to do at its end
	wal     *sqlitewal.Checkpointer // SQLite: folds the write-ahead log in the background
}

// txWrites is what a transaction's writes leave to do at its end: the
// backorder totals they changed and the queues they read or changed.
type txWrites struct {
	totals totalsDelta
	queues map[string]*txQueue
	nested bool // inside another Tx, whose changes this one cannot see in the tokens yet
}

func newTxWrites() *txWrites { return &txWrites{totals: totalsDelta{}, queues: map[string]*txQueue{}} }

// merge takes in a nested transaction's writes. A queue the parent holds
// that the child changed through another copy is stale.
func (w *txWrites) merge(child *txWrites) {
	for k, t := range child.totals {
		w.totals.add(k, t, 1)
	}
	for sku, c := range child.queues {
		p := w.queues[sku]
		switch {
		case p == nil:
			w.queues[sku] = c
		case c.changed:
			p.changed, p.stale = true, p.stale || c.stale || p.q != c.q
		}
	}
}

// Open connects to url: postgres://… or sqlite:<path>. It does not migrate.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	gcfg := &gorm.Config{
		TranslateError: true,
		// A single write is atomic by itself; gorm's default wraps each in
		// BEGIN and COMMIT of its own, two more round trips that were a third
		// of the statements a sale sends. Writes that must go together run in
		// Tx, and nothing here relies on gorm saving associations or hooks
		// atomically (there are none).
		SkipDefaultTransaction: true,
		Logger: logger.New(slog.NewLogLogger(log.Handler(), slog.LevelWarn), logger.Config{
			SlowThreshold:             time.Second,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			// A failed or slow statement is logged with placeholders, not
			// values: they include emails, phones and password hashes.
			ParameterizedQueries: true,
		}),
		NowFunc: func() time.Time { return time.Now().UTC() },
	}
	var (
		dialector gorm.Dialector
		dialect   Dialect
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialector, dialect = postgres.Open(url), Postgres
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
		// WAL lets readers run beside the writer; BEGIN IMMEDIATE takes the
		// write lock up front so two writers queue instead of deadlocking.
		// No commit checkpoints the log: a Checkpointer does, in the
		// background (internal/sqlitewal).
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)" +
			"&" + sqlitewal.NoAutoCheckpointDSN + "&_txlock=immediate&_time_format=sqlite"
		dialector, dialect = sqlite.Open(dsn), SQLite
	default:
		return nil, fmt.Errorf("store: unsupported database URL (want postgres:// or sqlite:)")
	}
	db, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: dialect, now: gcfg.NowFunc, policy: backorder.DefaultPolicy, loc: time.UTC, queues: newQueueCache()}
	if dialect == SQLite {
		// A writer waiting for SQLite's write lock (BEGIN IMMEDIATE, up to
		// the busy timeout) holds a pool connection meanwhile. With four,
		// 64 clients on the dev stack (BenchmarkDevStackCarriedLoad) left
		// reads waiting ~10 s for a connection, writes failing with
		// SQLITE_BUSY and an order retrying past two minutes; with eight,
		// none did.
		sqlDB.SetMaxOpenConns(sqliteMaxConns)
		s.wal = sqlitewal.Start(sqlDB, log)
	} else {
		// As many idle as open: with fewer, a burst's extra connections
		// closed as it ended and the next burst opened them again (a new
		// server process each, its statements prepared afresh): 25 times in
		// one run of BenchmarkSaleAgainstCeiling at 16 clients. Idle ones
		// still close after five minutes.
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// SetBackorderPolicy sets the priority policy for waiting backorders; call
// it before the store is used.
func (s *Store) SetBackorderPolicy(p backorder.Policy) { s.policy = p }

// BackorderPolicy is the priority policy in force.
func (s *Store) BackorderPolicy() backorder.Policy { return s.policy }

// SetReportLocation sets the time zone whose days the sales rollup and the
// KPI snapshots are cut in; call it before the store is used, then
// EnsureReportZone.
func (s *Store) SetReportLocation(loc *time.Location) { s.loc = loc }

// ReportLocation is the report time zone.
func (s *Store) ReportLocation() *time.Location { return s.loc }

// SetClock replaces the clock the store stamps rows with (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Dialect reports the engine.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// sqliteMaxConns bounds a SQLite store's pool: readers in WAL mode run
// beside the one writer, and writers queue for the lock inside SQLite.
const sqliteMaxConns = 8

// Close releases the connection pool. On SQLite the last connection to
// close folds the write-ahead log into the database file.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if s.wal != nil {
		s.wal.Stop()
	}
	return sqlDB.Close()
}

// Tx runs fn in one transaction; fn's Store shares it. An error rolls back.
// The outermost Tx ends with what its writes left to do: new queue tokens
// for the SKUs whose backorders changed, then the backorder totals
// (backorder_queue_cache.go, backorder_totals.go); once committed, it
// caches the queues it kept current. A nested Tx hands its writes to its
// parent if it succeeds.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	var publish func()
	err := s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		tx := s.with(gtx)
		tx.pending = newTxWrites()
		tx.pending.nested = s.pending != nil
		if err := fn(tx); err != nil {
			return err
		}
		if s.pending != nil {
			s.pending.merge(tx.pending)
			return nil
		}
		var err error
		if publish, err = tx.settleQueues(ctx); err != nil {
			return err
		}
		return tx.writeTotals(ctx, tx.pending.totals)
	})
	if err == nil && publish != nil {
		publish()
	}
	return err
}

// with is s on another handle (a transaction), sharing its settings and cache.
func (s *Store) with(db *gorm.DB) *Store {
	return &Store{db: db, dialect: s.dialect, now: s.now, policy: s.policy, loc: s.loc, keys: s.keys, queues: s.queues}
}

// conn is the handle for one statement; its context carries the keys the
// sealed fields need.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	return s.db.WithContext(context.WithValue(ctx, keysKey{}, s.keys))
}

// NewID returns a time-ordered unique id (UUIDv7), so ids sort by creation.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// mapErr turns driver errors into the models' sentinel errors.
func mapErr(err error, what, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.NotFound(what, id)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return models.Conflict("%s %q already exists", what, id)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return models.Conflict("%s %q refers to something that does not exist", what, id)
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
