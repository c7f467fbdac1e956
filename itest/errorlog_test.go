package itest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// errorLog keeps the API's warnings and errors (a 5xx's cause) and prints
// them if the test fails, so that a failure in CI says why.
type errorLog struct {
	mu    sync.Mutex
	lines []string
}

func newErrorLog(t testing.TB) *slog.Logger {
	e := &errorLog{}
	t.Cleanup(func() {
		if t.Failed() {
			e.mu.Lock()
			defer e.mu.Unlock()
			for _, l := range e.lines {
				t.Log("api log: " + l)
			}
		}
	})
	return slog.New(errorHandler{log: e})
}

type errorHandler struct {
	log   *errorLog
	attrs []slog.Attr
}

func (errorHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h errorHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	h.log.mu.Lock()
	h.log.lines = append(h.log.lines, b.String())
	h.log.mu.Unlock()
	return nil
}

func (h errorHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return errorHandler{log: h.log, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h errorHandler) WithGroup(string) slog.Handler { return h }
