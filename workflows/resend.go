package workflows

import "go.temporal.io/sdk/workflow"

// ResendWorkflowName delivers one notification durably: one staff asked to
// send again, or one about a document whose own workflow has finished (a
// credit note on a paid order).
const ResendWorkflowName = "Resend"

// ResendWorkflowID is built from the new message's idempotency key.
func ResendWorkflowID(key string) string { return "Resend:" + key }

// Resend delivers n through the outbox with Temporal's retries.
func Resend(ctx workflow.Context, n Notification) error {
	return workflow.ExecuteActivity(withActivityDefaults(ctx), ActivitySendNotification, n).Get(ctx, nil)
}
