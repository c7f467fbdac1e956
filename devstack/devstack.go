// Package devstack runs all of q2c in one process with no external service:
// embedded Temporal (SQLite file), the worker, the API, and the app database
// (SQLite under the data directory, or Postgres when Q2C_DATABASE_URL is
// set). It backs `q2c dev`.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/app"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/devtemporal"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/temporalclient"
)

// Stack is a running dev stack.
type Stack struct {
	Config   config.Config
	Temporal *devtemporal.Server
	Client   client.Client
	Store    *store.Store
	Worker   sdkworker.Worker
	API      *api.Server
	// URL is where the API listens; TemporalUI where the Web UI does ("" if off).
	URL        string
	TemporalUI string
	// Seeded is true when this start filled an empty database with demo data.
	Seeded bool

	httpSrv *http.Server
	ui      interface{ Stop() }
	serveCh chan error
}

// Version is what the stack's /healthz and pages report; `q2c dev` sets it
// to its build's version before Start.
var Version = "dev"

// Start brings the stack up. Stop it with Stop.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *Stack, err error) {
	s := &Stack{Config: cfg}
	defer func() {
		if err != nil {
			s.Stop(context.Background())
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if s.Config.JWTSecret == "" {
		secret, err := persistentSecret(filepath.Join(cfg.DataDir, "jwt-secret"))
		if err != nil {
			return nil, err
		}
		s.Config.JWTSecret = config.Secret(secret)
	}
	if s.Config.PayloadKeys == "" {
		keys, err := persistentPayloadKeys(filepath.Join(cfg.DataDir, "payload-keys"))
		if err != nil {
			return nil, err
		}
		s.Config.PayloadKeys = config.Secret(keys)
	}
	if s.Config.DatabaseURL == "" {
		s.Config.DatabaseURL = config.Secret("sqlite:" + cfg.SQLitePath())
	}

	s.Temporal, err = devtemporal.Start(ctx, devtemporal.Options{
		DBFile: filepath.Join(cfg.DataDir, "temporal.db"), Port: cfg.DevTemporalPort,
		Namespaces: []string{cfg.TemporalNamespace}, LogFile: filepath.Join(cfg.DataDir, "temporal.log"),
		LowLatency: true, // one process, idle cores: no reason to make each step wait for a poll
		Logger:     log,
	})
	if err != nil {
		return nil, err
	}
	s.Config.TemporalAddress = s.Temporal.Address()
	if cfg.DevUI {
		ring, rerr := s.Config.PayloadRing()
		if rerr != nil {
			return nil, rerr
		}
		s.TemporalUI, s.ui, err = startUI(s.Temporal.Address(), cfg.DevUIPort, keyring.HTTPHandler(ring))
		if err != nil {
			log.Warn("Temporal Web UI not started", "error", err)
		}
		if s.Config.TemporalUIURL == "" {
			s.Config.TemporalUIURL = s.TemporalUI
		}
	}

	if s.Store, err = store.Open(ctx, s.Config.DatabaseURL.Reveal(), log); err != nil {
		return nil, err
	}
	s.Store.SetBackorderPolicy(cfg.BackorderPolicy())
	s.Store.SetReportLocation(cfg.ReportLocation())
	ring, err := s.Config.PayloadRing()
	if err != nil {
		return nil, err
	}
	s.Store.SetKeys(ring)
	if _, err := s.Store.Migrate(ctx); err != nil {
		return nil, err
	}
	if s.Seeded, err = seed.Demo(ctx, s.Store); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}

	if s.Client, err = temporalclient.Dial(ctx, s.Config, log); err != nil {
		return nil, err
	}
	w := app.Worker(s.Config, s.Store, s.Client, app.Sender(s.Config, s.Store))
	if err := app.StartWorker(ctx, s.Config, s.Store, s.Client, w); err != nil {
		return nil, err
	}
	s.Worker = w
	if s.API, err = app.API(s.Config, s.Store, s.Client, log, Version); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("API listen on %s: %w", cfg.HTTPAddr, err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = api.NewHTTPServer(cfg.HTTPAddr, app.Site(s.Config, s.API, log, Version))
	s.serveCh = make(chan error, 1)
	go func() { s.serveCh <- s.httpSrv.Serve(ln) }()
	return s, nil
}

// waitReady returns once the API's readiness checks pass (the worker polls
// its task queue), so that the stack's first request does not wait.
func (s *Stack) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyWithin)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var failed []string
		for _, ch := range s.API.Ready(ctx) {
			if ch.Err != nil {
				failed = append(failed, ch.Name+": "+ch.Err.Error())
			}
		}
		if len(failed) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready within %s: %s", readyWithin, strings.Join(failed, ", "))
		case <-tick.C:
		}
	}
}

// readyWithin bounds the wait for readiness at start.
const readyWithin = 30 * time.Second

// Done reports the API server stopping on its own (for example a fatal error).
func (s *Stack) Done() <-chan error { return s.serveCh }

// Stop shuts down in reverse order: API, worker, client, UI, Temporal, store.
func (s *Stack) Stop(ctx context.Context) {
	if s.httpSrv != nil {
		_ = s.httpSrv.Shutdown(ctx)
	}
	if s.Worker != nil {
		s.Worker.Stop()
	}
	if s.Client != nil {
		s.Client.Close()
	}
	if s.ui != nil {
		s.ui.Stop()
	}
	if s.Temporal != nil {
		s.Temporal.Stop()
	}
	if s.Store != nil {
		_ = s.Store.Close()
	}
}

// persistentSecret reads a secret from path, creating it on first use, so
// tokens stay valid across dev restarts.
// persistentPayloadKeys is the dev stack's payload key ring, made on the
// first start and kept beside its data (the histories it encrypted need it).
func persistentPayloadKeys(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		keys := strings.TrimSpace(string(b))
		if _, perr := keyring.Parse(keys); perr != nil {
			return "", fmt.Errorf("%s: %w", path, perr)
		}
		return keys, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	keys := keyring.Generate("dev1")
	if err := os.WriteFile(path, []byte(keys+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return keys, nil
}

func persistentSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	secret := auth.RandomSecret(48)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return secret, nil
}
