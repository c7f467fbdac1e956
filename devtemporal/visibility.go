package devtemporal

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	tsql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
)

// Temporal's visibility records (the workflow lists of its Web UI and of
// ListWorkflow) are kept on SQLite in a database of their own, beside the
// main one, and with fewer indexes. Temporal's SQLite plugin gives each
// database one connection, and with both in one file every visibility
// write (a workflow started, a workflow closed) queued on the connection
// every workflow step needs: under 16 clients a fifth of the server's time
// went to those writes, one after the other with the rest. In a file of its
// own a visibility write takes its own connection and SQLite's write lock
// of its own, beside the steps, not before them.

// VisibilityFile is where a server persisting to dbFile keeps its
// visibility records: beside it, "-visibility" before the extension.
func VisibilityFile(dbFile string) string {
	ext := filepath.Ext(dbFile)
	return strings.TrimSuffix(dbFile, ext) + "-visibility" + ext
}

// unusedVisibilityIndexes are the indexes of Temporal's SQLite visibility
// table on its pre-allocated custom search attributes (Bool01..Keyword10)
// and CHASM's (TemporalBool01..): 35 of its 58. q2c sets no search
// attribute, yet each index takes an entry for every workflow, so every
// visibility write wrote some 35 more pages than it needs. Lists by those
// attributes still answer, by a scan of the table instead of an index: on
// a dev stack's thousands of workflows, milliseconds. TestVisibilityIndexes
// fails if Temporal's schema renames any of them.
var unusedVisibilityIndexes = []string{
	"by_bool_01", "by_bool_02", "by_bool_03",
	"by_datetime_01", "by_datetime_02", "by_datetime_03",
	"by_double_01", "by_double_02", "by_double_03",
	"by_int_01", "by_int_02", "by_int_03",
	"by_keyword_01", "by_keyword_02", "by_keyword_03", "by_keyword_04", "by_keyword_05",
	"by_keyword_06", "by_keyword_07", "by_keyword_08", "by_keyword_09", "by_keyword_10",
	"by_temporal_bool_01", "by_temporal_bool_02",
	"by_temporal_datetime_01", "by_temporal_datetime_02",
	"by_temporal_double_01", "by_temporal_double_02",
	"by_temporal_int_01", "by_temporal_int_02",
	"by_temporal_keyword_01", "by_temporal_keyword_02", "by_temporal_keyword_03", "by_temporal_keyword_04",
	"by_temporal_low_cardinality_keyword_01",
}

// visibilityColumns are the stored columns of executions_visibility (the
// rest are generated from search_attributes), copied from an older
// dev stack's single file.
const visibilityColumns = "namespace_id, run_id, _version, start_time, execution_time, workflow_id, workflow_type_name, status, " +
	"close_time, history_length, history_size_bytes, execution_duration, state_transition_count, memo, encoding, task_queue, " +
	"search_attributes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id"

// visibilityConfig is the visibility database beside main, created (with
// the records an older dev stack kept in its main file, for a file) and
// trimmed of its unused indexes.
func visibilityConfig(o Options, main *config.SQL) (*config.SQL, error) {
	v := *main
	v.ConnectAttributes = maps.Clone(main.ConnectAttributes)
	if o.DBFile == "" {
		// In memory the plugin creates the schema on the first connection.
		v.DatabaseName = main.DatabaseName + "-visibility"
	} else {
		v.DatabaseName = VisibilityFile(o.DBFile)
		if err := setupIfNew(&v); err != nil {
			return nil, err
		}
	}
	db, err := tsql.NewSQLAdminDB(sqlplugin.DbKindVisibility, &v, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: open visibility: %w", err)
	}
	defer func() { _ = db.Close() }()
	for _, index := range unusedVisibilityIndexes {
		if err := db.Exec("DROP INDEX IF EXISTS " + index); err != nil {
			return nil, fmt.Errorf("devtemporal: drop visibility index %s: %w", index, err)
		}
	}
	if o.DBFile != "" {
		if err := moveVisibility(o.DBFile, v.DatabaseName); err != nil {
			return nil, err
		}
	}
	return &v, nil
}

// moveVisibility copies the visibility records a dev stack of an earlier
// release kept in its main file into the visibility file, once: the copy
// and the mark that it is done commit together, so a stop halfway copies
// again at the next start (over what it had copied, which it keeps). The
// main file's own table is left as it was, and no longer written.
func moveVisibility(mainFile, visFile string) error {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+visFile+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("devtemporal: open %s: %w", visFile, err)
	}
	defer func() { _ = db.Close() }()
	db.SetMaxOpenConns(1) // ATTACH holds for one connection
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS q2c_moved (what TEXT PRIMARY KEY)"); err != nil {
		return fmt.Errorf("devtemporal: visibility move mark: %w", err)
	}
	var done int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM q2c_moved WHERE what = 'executions_visibility'").Scan(&done); err != nil || done > 0 {
		return err
	}
	if _, err := db.ExecContext(ctx, "ATTACH DATABASE ? AS main_file", "file:"+mainFile); err != nil {
		return fmt.Errorf("devtemporal: attach %s: %w", mainFile, err)
	}
	defer func() { _, _ = db.ExecContext(ctx, "DETACH DATABASE main_file") }()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var tables int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM main_file.sqlite_master WHERE type = 'table' AND name = 'executions_visibility'").Scan(&tables); err != nil {
		return err
	}
	if tables > 0 {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO executions_visibility ("+visibilityColumns+") SELECT "+visibilityColumns+
			" FROM main_file.executions_visibility"); err != nil {
			return fmt.Errorf("devtemporal: copy visibility records: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO q2c_moved (what) VALUES ('executions_visibility')"); err != nil {
		return err
	}
	return tx.Commit()
}
