package devtemporal

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, the one Temporal's plugin uses

	"github.com/q2c-dev/q2c/internal/sqlitewal"
)

// walFile checkpoints Temporal's SQLite file from a connection of its own,
// beside the server's pool: the server opens the file with SQLite's
// autocheckpoint off (sqlConfig), so none of its commits waits for one.
type walFile struct {
	db   *sql.DB
	path string
	ckpt *sqlitewal.Checkpointer
	log  *slog.Logger
}

func openWAL(path string, log *slog.Logger) (*walFile, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("devtemporal: open %s for checkpoints: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if log == nil {
		log = slog.Default()
	}
	return &walFile{db: db, path: path, ckpt: sqlitewal.Start(db, log), log: log}, nil
}

// close stops the checkpoints and, the server being stopped, folds the
// whole log into the file: the server's pool is not closed by its Stop, so
// SQLite's fold at the last close would not come.
func (w *walFile) close() {
	w.ckpt.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), foldTimeout)
	defer cancel()
	if _, err := sqlitewal.Fold(ctx, w.db); err != nil {
		w.log.Warn("Temporal's SQLite log not folded at stop; the next start reads it", "file", w.path, "error", err)
	}
	_ = w.db.Close()
}

// foldTimeout bounds the last checkpoint at stop.
const foldTimeout = 10 * time.Second
