package activities

import (
	"context"

	"github.com/q2c-dev/q2c/models"
)

// SaveTicket writes a ticket's read model (a newer revision wins).
func (a *Activities) SaveTicket(ctx context.Context, t models.Ticket) error {
	return a.Store.SaveTicket(ctx, t)
}

// AddTicketComment stores a comment once, by its ID.
func (a *Activities) AddTicketComment(ctx context.Context, c models.TicketComment) error {
	return a.Store.AddTicketComment(ctx, c)
}
