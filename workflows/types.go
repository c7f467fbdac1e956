package workflows

import (
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Event is one step of a quote's or order's timeline.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Stage  string    `json:"stage"`
	Detail string    `json:"detail,omitempty"`
}

// Actor identifies who sends an update; the API fills it from the token.
type Actor struct {
	Subject string       `json:"subject"`
	Roles   models.Roles `json:"roles"`
	// Name is the person's name as their token gave it, for people reading
	// a decision; Subject is what rules compare.
	Name string `json:"name,omitempty"`
}

// RoleMessage is sent to every active user holding Role.
type RoleMessage struct {
	Role           models.Role       `json:"role"`
	Event          string            `json:"event,omitempty"`
	Data           map[string]string `json:"data,omitempty"`
	IdempotencyKey string            `json:"idempotency_key"`
}

// ErrTypeInvalidInput marks an activity error caused by bad input; its
// details are []models.FieldError.
const ErrTypeInvalidInput = "InvalidInput"
