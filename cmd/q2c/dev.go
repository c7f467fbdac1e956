//go:build dev

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/devstack"
	"github.com/q2c-dev/q2c/store"
)

func runDev(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	start := time.Now()
	devstack.Version = version
	st, err := devstack.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		st.Stop(sctx)
		fmt.Fprintln(out, "q2c dev stopped; data kept in", cfg.DataDir)
	}()
	db := "SQLite " + cfg.SQLitePath()
	if st.Store.Dialect() == store.Postgres {
		db = "PostgreSQL (Q2C_DATABASE_URL)"
	}
	fmt.Fprintf(out, "\nq2c dev is up in %s\n", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "  web app      %s   (open it in a browser; sign in as a demo user below)\n", st.URL)
	fmt.Fprintf(out, "  API          %s/api/v1   (OpenAPI: %s/api/v1/openapi.json)\n", st.URL, st.URL)
	fmt.Fprintf(out, "  Temporal     %s  namespace %s, task queue %s\n", st.Temporal.Address(), cfg.TemporalNamespace, cfg.TaskQueue)
	if st.TemporalUI != "" {
		fmt.Fprintf(out, "  Temporal UI  %s\n", st.TemporalUI)
	}
	fmt.Fprintf(out, "  database     %s\n", db)
	fmt.Fprintf(out, "  data dir     %s\n", cfg.DataDir)
	if st.Seeded {
		fmt.Fprintln(out, "  seeded demo catalog, stock, customers and users")
	}
	printLogins(out)
	fmt.Fprintln(out, "messages are recorded, not sent: the Outbox page (IT admin, customer service). Ctrl-C stops.")
	select {
	case <-ctx.Done():
		return nil
	case err := <-st.Done():
		return err
	}
}
