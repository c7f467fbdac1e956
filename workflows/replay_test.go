package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/workflows"
)

// TestReplayRecordedHistories replays every history recorded from real runs
// on the embedded server (itest records them with Q2C_RECORD_HISTORIES=1)
// through the current workflow code. A change that breaks determinism for
// workflows already running fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories: run `make histories`")
	}
	// Histories recorded since payloads were sealed need the key they were
	// sealed with (a test key, testdata/payload-keys); older ones are read
	// as they are, as a worker reads them.
	ring := testKeyRing(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: keyring.DataConverter(ring), FailureConverter: keyring.FailureConverter(ring)})
			if err != nil {
				t.Fatal(err)
			}
			workflows.Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

// testKeyRing is the payload key ring the recorded histories are sealed
// with (a key for tests only, committed on purpose).
func testKeyRing(t *testing.T) *keyring.Ring {
	raw, err := os.ReadFile(filepath.Join("testdata", "payload-keys"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keyring.Parse(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return ring
}
