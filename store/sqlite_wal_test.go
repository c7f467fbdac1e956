package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/store"
)

// TestSQLiteLogIsFoldedOnClose: on SQLite no commit checkpoints the
// write-ahead log (the store's Checkpointer does, in the background), and
// a closed store is one file, its log folded in.
func TestSQLiteLogIsFoldedOnClose(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q2c.db")
	s, err := store.Open(ctx, "sqlite:"+path, testdb.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.AutoCheckpoint(ctx); err != nil || n != 0 {
		t.Fatalf("autocheckpoint threshold %d pages (%v), want 0 (off)", n, err)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("after migrating, the log: %v, %v; want the migrations' pages in it", fi, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("the log holds %d bytes after Close, want none", fi.Size())
	}
}
