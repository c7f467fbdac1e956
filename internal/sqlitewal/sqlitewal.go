// Package sqlitewal folds a SQLite database's write-ahead log back into the
// database file in the background.
//
// SQLite does this itself by default ("autocheckpoint"): the commit that
// takes the log past 1,000 pages copies them into the database and waits
// for the disk, before its caller hears back. On the dev stack that was
// one Temporal write in every few, and it put a 30-40 ms stall about every
// 100 ms into the instant quote's answer (a tenth of the calls). With the
// autocheckpoint off (NoAutoCheckpoint on every connection) and a
// Checkpointer copying the log every Interval, no commit waits for it.
//
// Durability is unchanged or better: in WAL mode with synchronous=NORMAL a
// commit is durable against a process crash at once and against a power
// cut once a checkpoint has synced it; a checkpoint a second syncs it
// sooner than a 1,000-page threshold does when writes are few.
package sqlitewal

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Interval is how often a Checkpointer copies the log into the database.
const Interval = time.Second

// NoAutoCheckpoint is the connection pragma, as name and value, that stops
// SQLite checkpointing in the committing connection; a database opened
// with it needs a Checkpointer, or its log grows without bound.
const NoAutoCheckpoint, NoAutoCheckpointValue = "wal_autocheckpoint", "0"

// NoAutoCheckpointDSN is the same setting as a query parameter of a DSN
// for the "sqlite" driver (modernc's).
const NoAutoCheckpointDSN = "_pragma=" + NoAutoCheckpoint + "(" + NoAutoCheckpointValue + ")"

// Result is what one checkpoint did, in log frames (pages).
type Result struct {
	Busy         bool // a reader or writer held some frames back; the next checkpoint takes them
	Frames       int  // in the log
	Checkpointed int  // of those, now in the database file
}

// Checkpoint copies what it can of db's log into the database without
// waiting for readers or writers (SQLite's PASSIVE mode). A database not
// in WAL mode reports -1 frames.
func Checkpoint(ctx context.Context, db *sql.DB) (Result, error) {
	return checkpoint(ctx, db, "PASSIVE")
}

// Fold copies the whole log into the database and empties the log file
// (TRUNCATE mode), waiting for readers and writers as the connection's busy
// timeout allows: for a stop, once the writers are done. SQLite folds the
// log itself when the last connection closes; Fold is for a database whose
// other connections may outlive the stop.
func Fold(ctx context.Context, db *sql.DB) (Result, error) {
	return checkpoint(ctx, db, "TRUNCATE")
}

func checkpoint(ctx context.Context, db *sql.DB, mode string) (Result, error) {
	var busy, frames, done int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &done); err != nil {
		return Result{}, fmt.Errorf("sqlitewal: checkpoint (%s): %w", mode, err)
	}
	return Result{Busy: busy != 0, Frames: frames, Checkpointed: done}, nil
}

// Checkpointer runs Checkpoint every Interval until Stop.
type Checkpointer struct {
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// Start checkpoints db in the background. A failed checkpoint is logged (to
// slog's default when log is nil) and tried again at the next tick: the
// log only grows meanwhile.
func Start(db *sql.DB, log *slog.Logger) *Checkpointer {
	if log == nil {
		log = slog.Default()
	}
	c := &Checkpointer{stop: make(chan struct{})}
	c.done.Go(func() {
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), Interval)
				if _, err := Checkpoint(ctx, db); err != nil {
					log.Warn("SQLite checkpoint failed; retried in a second", "error", err)
				}
				cancel()
			}
		}
	})
	return c
}

// Stop ends the background checkpoints and waits for one in progress; it
// may be called more than once. It leaves the log's last pages: see Fold.
func (c *Checkpointer) Stop() {
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
}
