package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// Recorded is one activity run as Temporal's history keeps it: its input
// and its result, each decoded on demand.
type Recorded struct {
	Activity string
	Input    func(into any) error // nil for a local activity (its input is not kept)
	Result   func(into any) error // nil when it returned nothing
}

// Reapplied says what applying a recorded run again did.
type Reapplied struct {
	Applied bool // false: the activity writes nothing (a read or a message)
	// Conflict says how the outcome now differs from the one recorded, which
	// the workflow went on with; empty when they agree.
	Conflict string
}

// Reapplier applies recorded activity runs again, through the same code the
// worker runs, after a restore took the app database back behind Temporal
// (package reconcile). Every writer here is idempotent by its business key
// (order line, shipment, payment reference, receipt key, credit-note key,
// revision), so a run the database already holds changes nothing. Numbers
// Temporal remembers (invoices, credit notes) are issued again as recorded,
// so none is reused. It is a type of its own, not methods of Activities, so
// the worker does not register it.
type Reapplier struct{ A *Activities }

// Messages are not sent again: the people were told, and the workflow does
// not need the log row to go on. Reads and housekeeping write nothing to
// restore.
var notReapplied = map[string]bool{
	workflows.ActivitySendNotification: true, workflows.ActivityNotifyRole: true,
	workflows.ActivityPriceQuote:    true,
	workflows.ActivityBackorderNews: true, workflows.ActivityWaitingForSKU: true,
	workflows.ActivitySKUsNeedingAttention: true, workflows.ActivityWakeAllocator: true,
	workflows.ActivityCampaignBatch: true,
	workflows.ActivityRecordPing:    true, workflows.ActivityPurgeExpired: true,
	workflows.ActivityTakeKPISnapshots: true, workflows.ActivityStartWaitingQuotes: true,
}

// CampaignStarted names the start of a Campaign workflow among recorded
// writes: its input is the campaign the API recorded before starting it.
const CampaignStarted = "Campaign started"

// Apply applies one recorded run again.
func (r Reapplier) Apply(ctx context.Context, rec Recorded) (Reapplied, error) {
	if notReapplied[rec.Activity] {
		return Reapplied{}, nil
	}
	if rec.Activity == workflows.ActivitySaveQuote && rec.Input == nil {
		// A local activity: the state saved is its answer, from this
		// release on; before, the history kept no trace of it.
		if rec.Result == nil {
			return Reapplied{Conflict: "a quote saved by an earlier release: the history does not hold what it saved; the quote's next change saves it"}, nil
		}
		return applyIn(rec.Result, func(st workflows.QuoteState) (string, error) { return "", r.A.saveQuote(ctx, st) })
	}
	a := r.A
	if rec.Activity == workflows.ActivityCheckCredit {
		// Its answer holds the commitment it made (if it made one).
		var got workflows.CreditCheck
		if err := decode(rec.Result, &got); err != nil || got.Committed == nil {
			return Reapplied{}, err
		}
		committed := *got.Committed
		committed.Approved = true // commit what was committed, whatever the figures say now
		return applyIn(func(into any) error { *into.(*workflows.CheckCreditInput) = committed; return nil },
			func(in workflows.CheckCreditInput) (string, error) { _, err := a.CheckCredit(ctx, in); return "", err })
	}
	switch rec.Activity {
	case workflows.ActivitySaveQuote:
		return applyIn(rec.Input, func(st workflows.QuoteState) (string, error) { return "", a.saveQuote(ctx, st) })
	case workflows.ActivitySaveOrder:
		return applyIn(rec.Input, func(st workflows.OrderState) (string, error) { return "", a.SaveOrder(ctx, st) })
	case workflows.ActivityReserveLine:
		return applyIn(rec.Input, func(in workflows.ReserveLineInput) (string, error) {
			got, err := a.ReserveLine(ctx, in)
			var want models.Allocation
			if err != nil || decode(rec.Result, &want) != nil {
				return "", err
			}
			if got.Reserved != want.Reserved {
				return fmt.Sprintf("order %s line %d: %d units reserved now, %d when it first ran", in.OrderID, in.LineNo, got.Reserved, want.Reserved), nil
			}
			return "", nil
		})
	case workflows.ActivityReleaseLine:
		return applyIn(rec.Input, func(in workflows.ReleaseLineInput) (string, error) { _, err := a.ReleaseLine(ctx, in); return "", err })
	case workflows.ActivityShipLines:
		return applyIn(rec.Input, func(in workflows.ShipLinesInput) (string, error) { return "", a.ShipLines(ctx, in) })
	case workflows.ActivityIssueInvoice:
		return applyIn(rec.Input, func(in workflows.IssueInvoiceInput) (string, error) {
			var want workflows.InvoiceRef
			if err := decode(rec.Result, &want); err != nil {
				return "", err
			}
			got, err := a.issueInvoice(ctx, in, want.Number)
			if err == nil && got.ID != want.ID {
				return fmt.Sprintf("shipment %s: invoice %s now, %s when it was issued", in.ShipmentID, got.ID, want.ID), nil
			}
			return "", err
		})
	case workflows.ActivityRecordPayment:
		return applyIn(rec.Input, func(in workflows.RecordPaymentInput) (string, error) {
			_, err := a.RecordPayment(ctx, in)
			return "", err
		})
	case workflows.ActivityMarkInvoiceOverdue:
		return applyIn(rec.Input, func(id string) (string, error) { return "", a.MarkInvoiceOverdue(ctx, id) })
	case workflows.ActivityIssueCreditNote:
		return applyIn(rec.Input, func(in workflows.IssueCreditNoteInput) (string, error) {
			var want models.CreditNote
			if err := decode(rec.Result, &want); err != nil {
				return "", err
			}
			got, err := a.issueCreditNote(ctx, in, want.Number)
			if err == nil && got.ID != want.ID {
				return fmt.Sprintf("credit note key %s: %s now, %s when it was issued", in.Key, got.ID, want.ID), nil
			}
			return "", err
		})
	case workflows.ActivityReceiveStock:
		return applyIn(rec.Input, func(in workflows.ReceiveStockInput) (string, error) {
			_, err := a.ReceiveStock(ctx, in)
			return "", err
		})
	case workflows.ActivityMarkAnnounced:
		return applyIn(rec.Input, func(in models.Announced) (string, error) { return "", a.MarkAnnounced(ctx, in) })
	case workflows.ActivityEscalateOverdue:
		return applyIn(rec.Input, func(in workflows.EscalateInput) (string, error) { _, err := a.EscalateOverdue(ctx, in); return "", err })
	case CampaignStarted:
		// The API records a campaign, then starts its workflow with it:
		// the start is the record.
		return applyIn(rec.Input, func(in workflows.CampaignRequest) (string, error) {
			if _, err := a.Store.CampaignByID(ctx, in.Campaign.ID); !errors.Is(err, models.ErrNotFound) {
				return "", err
			}
			c := in.Campaign
			return "", a.Store.CreateCampaign(ctx, &c)
		})
	case workflows.ActivityFreezeAudience:
		return applyIn(rec.Input, func(in workflows.FreezeAudienceInput) (string, error) {
			_, err := a.FreezeAudience(ctx, in)
			return "", err
		})
	case workflows.ActivitySaveCampaign:
		return applyIn(rec.Input, func(in models.Campaign) (string, error) { return "", a.SaveCampaign(ctx, in) })
	case workflows.ActivitySaveTicket:
		return applyIn(rec.Input, func(in models.Ticket) (string, error) { return "", a.SaveTicket(ctx, in) })
	case workflows.ActivityAddTicketComment:
		return applyIn(rec.Input, func(in models.TicketComment) (string, error) { return "", a.AddTicketComment(ctx, in) })
	}
	return Reapplied{}, fmt.Errorf("reapply: activity %q is not known: say whether it writes and how to apply it again", rec.Activity)
}

// applyIn decodes a recorded value into T and applies it.
func applyIn[T any](payload func(any) error, apply func(T) (string, error)) (Reapplied, error) {
	var in T
	if err := decode(payload, &in); err != nil {
		return Reapplied{}, err
	}
	conflict, err := apply(in)
	if refused(err) {
		// It was done once; a refusal now means the database holds
		// something else than the history says: a person must look.
		return Reapplied{Applied: true, Conflict: "refused now: " + err.Error()}, nil
	}
	return Reapplied{Applied: true, Conflict: conflict}, err
}

// refused says whether err is a business refusal (no retry would change
// it), as against a failure to reach the database.
func refused(err error) bool {
	var app *temporal.ApplicationError
	var ve *models.ValidationError
	return errors.As(err, &app) && app.NonRetryable() || errors.As(err, &ve) ||
		errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrNotFound)
}

func decode(payload func(any) error, into any) error {
	if payload == nil {
		return fmt.Errorf("reapply: the history holds no value to apply")
	}
	return payload(into)
}
