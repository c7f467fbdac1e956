package sqlitewal_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/q2c-dev/q2c/internal/sqlitewal"
)

// open is a database in WAL mode whose commits never checkpoint, as the
// store and the embedded Temporal open theirs.
func open(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&"+sqlitewal.NoAutoCheckpointDSN)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db, path
}

// write commits n transactions of one 4 KB row each: a page or more a
// commit, past SQLite's 1,000-page autocheckpoint threshold when n is.
func write(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS t (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	row := strings.Repeat("x", 4096)
	for range n {
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, row); err != nil {
			t.Fatal(err)
		}
	}
}

func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestCommitsLeaveTheLogToTheCheckpointer(t *testing.T) {
	db, path := open(t)
	write(t, db, 1500)
	ctx := context.Background()
	r, err := sqlitewal.Checkpoint(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// With SQLite's autocheckpoint a commit would have copied the log at
	// 1,000 pages and the writer would have started it again: fewer frames.
	if r.Frames < 3000 || r.Checkpointed != r.Frames || r.Busy {
		t.Fatalf("checkpoint: %+v; want all of 3,000+ frames (1,500 commits of two pages) copied at once", r)
	}
	// The next commit starts the log again from its first frame.
	write(t, db, 1)
	if r, err := sqlitewal.Checkpoint(ctx, db); err != nil || r.Frames > 10 {
		t.Fatalf("after one more commit: %+v (%v); want the log started again", r, err)
	}
	if walSize(t, path) == 0 {
		t.Fatal("log file empty: it is reused, not truncated")
	}
	if _, err := sqlitewal.Fold(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := walSize(t, path); n != 0 {
		t.Fatalf("log file %d bytes after Fold, want 0", n)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&rows); err != nil || rows != 1501 {
		t.Fatalf("rows after the checkpoints: %d (%v), want 1501", rows, err)
	}
}

func TestCheckpointerStops(t *testing.T) {
	db, _ := open(t)
	c := sqlitewal.Start(db, nil)
	c.Stop()
	c.Stop() // twice is harmless
}
