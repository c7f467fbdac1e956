package ceiling

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what one batch of calls measured: each call's whole time, the
// answer time each call reported (the quote's, in a sale), and calls per
// second over the batch.
type Result struct {
	Calls, Answers []time.Duration
	PerSecond      float64
	Elapsed        time.Duration // the batch's wall time
}

// Merge is batches of the same calls taken together: their calls per
// second over their summed wall time.
func Merge(rs ...Result) Result {
	var m Result
	for _, r := range rs {
		m.Calls, m.Answers, m.Elapsed = append(m.Calls, r.Calls...), append(m.Answers, r.Answers...), m.Elapsed+r.Elapsed
	}
	if m.Elapsed > 0 {
		m.PerSecond = float64(len(m.Calls)) / m.Elapsed.Seconds()
	}
	slices.Sort(m.Calls)
	slices.Sort(m.Answers)
	return m
}

// Call returns the p-th fraction (0.95 for p95) of the calls' times, and
// Answer of the answer times.
func (r Result) Call(p float64) time.Duration   { return pct(r.Calls, p) }
func (r Result) Answer(p float64) time.Duration { return pct(r.Answers, p) }

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[int(float64(len(ds)-1)*p)]
}

// Ms is d in milliseconds, for benchmark metrics.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Run makes n calls with clients at once, each client one call after
// another, and stops at the first error.
func Run(clients, n int, call func() (answer time.Duration, err error)) (Result, error) {
	var (
		mu    sync.Mutex
		r     Result
		left  atomic.Int64
		wg    sync.WaitGroup
		first error
	)
	left.Store(int64(n))
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				t0 := time.Now()
				answer, err := call()
				mu.Lock()
				if err != nil {
					first = cmpOr(first, err)
					left.Store(0)
					mu.Unlock()
					return
				}
				r.Calls, r.Answers = append(r.Calls, time.Since(t0)), append(r.Answers, answer)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.PerSecond = float64(len(r.Calls)) / r.Elapsed.Seconds()
	slices.Sort(r.Calls)
	slices.Sort(r.Answers)
	return r, first
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// Paced makes n calls at a steady rate per second whatever the answers'
// pace, each in its own goroutine (an open loop: how many people quoting
// at once load the server, where Run's clients each wait for their answer
// before asking again and so measure the server flat out). A call's times
// count from when it was due, so a late start counts against it.
func Paced(rate float64, n int, call func() (answer time.Duration, err error)) (Result, error) {
	var (
		mu    sync.Mutex
		r     Result
		wg    sync.WaitGroup
		first error
	)
	every := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := range n {
		due := start.Add(time.Duration(i) * every)
		wg.Go(func() {
			late := time.Since(due)
			answer, err := call()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first = cmpOr(first, err)
				return
			}
			r.Calls, r.Answers = append(r.Calls, time.Since(due)), append(r.Answers, late+answer)
		})
		if i < n-1 {
			<-tick.C
		}
	}
	wg.Wait()
	r.PerSecond = float64(len(r.Calls)) / time.Since(start).Seconds()
	slices.Sort(r.Calls)
	slices.Sort(r.Answers)
	return r, first
}
