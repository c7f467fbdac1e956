//go:build !dev

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/q2c-dev/q2c/config"
)

// The production binary does not link the embedded Temporal server (about
// 150 MB); `make run` builds with -tags dev.
func runDev(context.Context, config.Config, *slog.Logger, io.Writer) error {
	return errors.New("this binary was built without the dev stack: build with `go build -tags dev ./cmd/q2c` or use `make run`")
}
