package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/devtemporal"
)

// keptVisibilityIndexes are the indexes the dev server's visibility table
// keeps: Temporal's own columns and predefined search attributes. The 35
// on pre-allocated custom and CHASM search attributes, which q2c never
// sets, are dropped (devtemporal/visibility.go).
var keptVisibilityIndexes = []string{
	"by_batcher_user", "by_execution_duration", "by_execution_time", "by_history_length", "by_history_size_bytes",
	"by_parent_run_id", "by_parent_workflow_id", "by_root_run_id", "by_root_workflow_id", "by_state_transition_count",
	"by_status", "by_task_queue", "by_temporal_namespace_division", "by_temporal_pause_info", "by_temporal_schedule_paused",
	"by_temporal_scheduled_by_id", "by_temporal_scheduled_start_time", "by_temporal_worker_deployment",
	"by_temporal_worker_deployment_version", "by_temporal_workflow_versioning_behavior", "by_workflow_id", "by_workflow_type",
	"default_idx",
}

// TestTemporalVisibilityIsAFileOfItsOwn: the dev server keeps its workflow
// lists in temporal-visibility.db with the trimmed indexes, lists a
// workflow from there, and a data directory of an earlier release (the
// lists inside temporal.db) has its records moved across at start, once.
func TestTemporalVisibilityIsAFileOfItsOwn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	main := filepath.Join(dir, "temporal.db")
	vis := devtemporal.VisibilityFile(main)
	if vis != filepath.Join(dir, "temporal-visibility.db") {
		t.Fatalf("visibility file %s", vis)
	}
	start := func(main string) (*devtemporal.Server, client.Client) {
		srv, err := devtemporal.Start(ctx, devtemporal.Options{DBFile: main, LowLatency: true})
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
		if err != nil {
			srv.Stop()
			t.Fatal(err)
		}
		return srv, c
	}
	srv, c := start(main)
	// A workflow no worker serves: it stays open, and listed.
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "listed-1", TaskQueue: "nobody"}, "Nothing")
	if err != nil {
		t.Fatal(err)
	}
	listed(t, c, "listed-1")
	c.Close()
	srv.Stop()
	if got := indexes(t, vis); !slices.Equal(got, keptVisibilityIndexes) {
		t.Errorf("visibility indexes:\n got  %v\n want %v", got, keptVisibilityIndexes)
	}
	if n := count(t, main, "SELECT count(*) FROM executions_visibility"); n != 0 {
		t.Errorf("temporal.db holds %d visibility records, want them all in %s", n, filepath.Base(vis))
	}

	// An earlier release's data directory: the record in temporal.db, no
	// visibility file. The next start moves it across. (Another directory:
	// Temporal's SQLite plugin keeps its connections to the first one's
	// files for the life of the process.)
	old := filepath.Join(t.TempDir(), "temporal.db")
	raw, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db := open(t, old)
	if _, err := db.Exec("ATTACH DATABASE ? AS vis", "file:"+vis); err != nil {
		t.Fatal(err)
	}
	// A record under another workflow ID and run: the server, started on
	// the copy, may record listed-1 again from its own queue, but only the
	// move can list this one.
	if _, err := db.Exec("INSERT INTO executions_visibility (namespace_id, run_id, _version, start_time, execution_time, workflow_id, workflow_type_name, " +
		"status, encoding, task_queue, search_attributes, root_workflow_id, root_run_id) SELECT namespace_id, '" + movedRun + "', _version, start_time, execution_time, " +
		"'moved-1', workflow_type_name, status, encoding, task_queue, search_attributes, 'moved-1', '" + movedRun + "' FROM vis.executions_visibility WHERE workflow_id = 'listed-1'"); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	vis = devtemporal.VisibilityFile(old)
	for i := range 2 { // the second start copies nothing again
		srv, c = start(old)
		listed(t, c, "moved-1")
		c.Close()
		srv.Stop()
		if n := count(t, vis, "SELECT count(*) FROM executions_visibility WHERE run_id = '"+movedRun+"'"); n != 1 {
			t.Errorf("start %d: %d records of the run in %s, want 1", i+2, n, filepath.Base(vis))
		}
	}
}

// movedRun is the run ID of the record an earlier release left in temporal.db.
const movedRun = "00000000-0000-4000-8000-000000000001"

// listed waits, up to 30 s, until the server lists the workflow as running.
func listed(t *testing.T, c client.Client, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = '%s' AND ExecutionStatus = 'Running'", id)})
		if err == nil && len(resp.GetExecutions()) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow %s is not listed as running (%v, %d listed)", id, err, len(resp.GetExecutions()))
		}
		time.Sleep(20 * time.Millisecond) // a poll's interval, not a wait for a result
	}
}

func open(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func indexes(t *testing.T, file string) []string {
	t.Helper()
	db := open(t, file)
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func count(t *testing.T, file, query string) int {
	t.Helper()
	db := open(t, file)
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
