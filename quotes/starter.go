package quotes

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Starter defaults.
const (
	// SweepGrace is how old a waiting quote must be before the sweep
	// (workflows.StartWaitingQuotes) starts it: younger ones are being
	// started by StartSoon.
	SweepGrace = 30 * time.Second
	// startsInFlight bounds StartSoon's starts; past it a quote waits for
	// the sweep rather than piling up goroutines while Temporal is slow.
	startsInFlight = 8
	maxWaiting     = 1024
	sweepBatch     = 100
	startTimeout   = 10 * time.Second
)

// Starter starts the workflows of quotes opened by Open.
type Starter struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	Log       *slog.Logger
	slots     chan struct{}
	waiting   atomic.Int64
}

// NewStarter is a Starter for the task queue.
func NewStarter(st *store.Store, tc client.Client, taskQueue string, log *slog.Logger) *Starter {
	if log == nil {
		log = slog.Default()
	}
	return &Starter{Store: st, Temporal: tc, TaskQueue: taskQueue, Log: log, slots: make(chan struct{}, startsInFlight)}
}

// StartSoon starts a just-opened quote's workflow in the background, at
// most startsInFlight at once, from the state Open answered with. A start
// that fails, or finds maxWaiting others queued before it, is left to the
// sweep or to the quote's next change (Start), so nothing is lost.
func (s *Starter) StartSoon(opened workflows.QuoteState, validDays int) {
	if s.waiting.Add(1) > maxWaiting {
		s.waiting.Add(-1)
		return
	}
	go func() {
		s.slots <- struct{}{}
		s.waiting.Add(-1)
		defer func() { <-s.slots }()
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		if err := s.start(ctx, opened, validDays); err != nil {
			s.Log.Warn("quote workflow not started yet; the sweep will", "quote_id", opened.QuoteID, "error", err)
		}
	}()
}

// Start starts a quote's workflow from its stored state if it waits for
// one; it is a no-op for a quote whose workflow has started (or that was
// never opened by Open). Any number of callers may race: Temporal starts
// one workflow per quote.
func (s *Starter) Start(ctx context.Context, quoteID string) error {
	waiting, err := s.Store.QuoteStartOf(ctx, quoteID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && waiting.StartedAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	rec, err := s.Store.QuoteByID(ctx, quoteID)
	if errors.Is(err, models.ErrNotFound) {
		return s.Store.QuoteStarted(ctx, quoteID) // erased since: nothing to start
	}
	if err != nil {
		return err
	}
	var opened workflows.QuoteState
	if err := json.Unmarshal([]byte(rec.State), &opened); err != nil {
		return err
	}
	return s.start(ctx, opened, waiting.ValidDays)
}

// start starts the workflow of a quote as Open stored it. Until the quote's
// workflow runs nothing else changes the quote, so the state Open answered
// with is the stored one.
func (s *Starter) start(ctx context.Context, opened workflows.QuoteState, validDays int) error {
	req := workflows.QuoteRequest{QuoteID: opened.QuoteID, CustomerID: opened.CustomerID, Lines: opened.Lines, PromoCode: opened.PromoCode,
		CreatedBy: opened.CreatedBy, ValidDays: validDays, ShipToID: opened.ShipToID, Instructions: opened.Instructions, Opened: &opened}
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.QuoteWorkflowID(opened.QuoteID), TaskQueue: s.TaskQueue,
		// A quote's workflow runs once: one that already ended is not
		// started again, one running is this one.
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.QuoteWorkflowName, req)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return err
	}
	return s.Store.QuoteStarted(ctx, opened.QuoteID)
}

// Sweep starts the workflows of quotes opened before until that still
// wait for one, oldest first, and says how many it started.
func (s *Starter) Sweep(ctx context.Context, until time.Time) (int, error) {
	started := 0
	for {
		waiting, err := s.Store.WaitingQuoteStarts(ctx, until, sweepBatch)
		if err != nil || len(waiting) == 0 {
			return started, err
		}
		for _, w := range waiting {
			if err := s.Start(ctx, w.QuoteID); err != nil {
				return started, err
			}
			started++
		}
	}
}
