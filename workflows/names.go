// Package workflows holds q2c's durable processes. It is deterministic code:
// no clock, randomness, goroutines, map-ordered decisions or I/O. Activities
// do the I/O; this package names them and their inputs, and activities
// implements them.
package workflows

// DefaultTaskQueue is the task queue workers poll unless configured otherwise.
const DefaultTaskQueue = "q2c"

// Workflow type names.
const (
	PingWorkflowName = "Ping"
)

// Activity names: the worker registers activities.Activities under its method
// names, and these constants must match them (a test checks).
const (
	ActivityRecordPing       = "RecordPing"
	ActivitySendNotification = "SendNotification"
)

// Query names.
const (
	QueryStatus = "status"
)

// PingWorkflowID is the workflow ID of a ping, built from its business key.
func PingWorkflowID(pingID string) string { return "Ping:" + pingID }
