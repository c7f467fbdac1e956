package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// eventLoop drives a long-running workflow until done: it waits for the
// state's revision to change (an update was handled) or for the next
// deadline, and at a deadline runs onDeadline holding mu, the mutex update
// handlers take too. With no deadline it waits for a change only. Before
// returning it lets running handlers finish.
func eventLoop(ctx workflow.Context, mu workflow.Mutex, done func() bool, rev func() int,
	next func() (time.Time, bool), onDeadline func(workflow.Context) error) error {
	for !done() {
		seen := rev()
		changed := func() bool { return rev() != seen }
		deadline, ok := next()
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		woke, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), changed)
		if err != nil {
			return err
		}
		if woke {
			continue
		}
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		err = onDeadline(ctx)
		mu.Unlock()
		if err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}
