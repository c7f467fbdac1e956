package worker_test

import (
	"reflect"
	"testing"

	"github.com/q2c-dev/q2c/activities"
	"github.com/q2c-dev/q2c/workflows"
)

// Workflows call activities by name; the names must be methods of Activities.
func TestActivityNamesMatchMethods(t *testing.T) {
	typ := reflect.TypeOf(&activities.Activities{})
	for _, name := range []string{workflows.ActivityRecordPing, workflows.ActivitySendNotification, workflows.ActivityPriceQuote,
		workflows.ActivitySaveQuote, workflows.ActivityNotifyRole, workflows.ActivitySaveOrder, workflows.ActivityReserveLine, workflows.ActivityReleaseLine,
		workflows.ActivityShipLines, workflows.ActivityIssueInvoice, workflows.ActivityRecordPayment, workflows.ActivityMarkInvoiceOverdue,
		workflows.ActivityReceiveStock, workflows.ActivityBackorderNews, workflows.ActivityMarkAnnounced, workflows.ActivityEscalateOverdue,
		workflows.ActivityWaitingForSKU, workflows.ActivitySKUsNeedingAttention, workflows.ActivityWakeAllocator} {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("workflows name activity %q but Activities has no such method", name)
		}
	}
}
