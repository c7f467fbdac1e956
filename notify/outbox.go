package notify

import (
	"context"

	"github.com/q2c-dev/q2c/models"
)

// Recorder keeps outbox messages; the store implements it.
type Recorder interface {
	RecordOutboxMessage(ctx context.Context, m models.OutboxMessage) (models.OutboxMessage, error)
}

// Outbox records messages instead of sending them: the dev stack's default,
// readable at GET /api/v1/outbox.
type Outbox struct{ Recorder Recorder }

// Send implements Sender. A retry with the same idempotency key records once.
func (o Outbox) Send(ctx context.Context, m Message) (Receipt, error) {
	rec, err := o.Recorder.RecordOutboxMessage(ctx, models.OutboxMessage{
		IdempotencyKey: m.IdempotencyKey, Channel: m.Channel, Recipient: m.To,
		Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML,
	})
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Provider: "outbox", MessageID: rec.ID}, nil
}
