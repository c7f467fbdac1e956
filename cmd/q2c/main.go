// Command q2c runs the quote-to-cash service.
//
//	q2c api      serve the REST API
//	q2c worker   run the Temporal worker
//	q2c migrate  apply database migrations
//	q2c seed     load demo data into an empty database (Postgres: only with --demo)
//	q2c create-admin  make the first IT admin (password from standard input or a file)
//	q2c config   print the effective configuration (secrets masked)
//	q2c dev      everything in one process (binaries built with -tags dev)
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/app"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/temporalclient"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: q2c <command>

commands:
  api       serve the REST API            (needs Q2C_DATABASE_URL, Q2C_JWT_SECRET, Temporal)
  worker    run the Temporal worker       (needs Q2C_DATABASE_URL, Temporal)
  migrate   apply database migrations
  seed      load demo data into an empty database; on Postgres only with
            --demo, since its users share a published password
  create-admin --email E [--name N] [--password-file F]
            make an IT admin; the password is read from F, or standard input
  keygen [--id ID]
            print a new payload key for Q2C_PAYLOAD_KEYS (rotate: put the
            new one first, keep the old ones after it)
  audit verify
            walk the whole audit trail's hash chain; name the first entry
            that was changed, removed or written around q2c (exit 1)
  reseal    after a key rotation: seal people's data in the database again
            under the first key of Q2C_PAYLOAD_KEYS, so the old key can go
  recount   after loading backorders around q2c (by SQL): count the
            backorder KPIs' totals again from the rows
  reconcile [--since TIME]
            after a restore, before the workers start: apply again what
            Temporal recorded since the backup (default: 5 minutes before
            the database's newest change); exit 1 on a conflict
  config    print the effective configuration, secrets masked
  dev       run everything in one process with embedded Temporal and SQLite
  version   print the version

configuration comes from Q2C_* environment variables; see README.md.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "q2c:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(out, usage)
		return errors.New("no command given")
	}
	cmd := args[0]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprintln(out, usage)
		return nil
	case "version":
		fmt.Fprintln(out, version)
		return nil
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg.LogLevel)
	switch cmd {
	case "config":
		for _, line := range cfg.Describe() {
			fmt.Fprintln(out, line)
		}
		return nil
	case "migrate":
		return runMigrate(ctx, cfg, log, out)
	case "seed":
		return runSeed(ctx, cfg, log, args[1:], out)
	case "create-admin":
		return runCreateAdmin(ctx, cfg, log, args[1:], stdin, out)
	case "audit":
		return runAudit(ctx, cfg, log, args[1:], out)
	case "reseal":
		return runReseal(ctx, cfg, log, out)
	case "reconcile":
		return runReconcile(ctx, cfg, log, args[1:], out)
	case "recount":
		return runRecount(ctx, cfg, log, out)
	case "keygen":
		return runKeygen(args[1:], out)
	case "api":
		return runAPI(ctx, cfg, log)
	case "worker":
		return runWorker(ctx, cfg, log)
	case "dev":
		return runDev(ctx, cfg, log, out)
	}
	fmt.Fprintln(out, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("Q2C_DATABASE_URL is required (postgres://… or sqlite:<path>)")
	}
	st, err := store.Open(ctx, cfg.DatabaseURL.Reveal(), log)
	if err != nil {
		return nil, err
	}
	st.SetBackorderPolicy(cfg.BackorderPolicy())
	st.SetReportLocation(cfg.ReportLocation())
	if cfg.PayloadKeys != "" { // without them, the store refuses to seal or open people's data
		ring, err := cfg.PayloadRing()
		if err != nil {
			_ = st.Close()
			return nil, err
		}
		st.SetKeys(ring)
	}
	return st, nil
}

// openCurrentStore opens the database and refuses one whose schema is not
// the version this binary expects: run `q2c migrate` first.
func openCurrentStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	all, err := store.Migrations()
	if err != nil {
		return nil, err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil || v != len(all) {
		_ = st.Close()
		return nil, fmt.Errorf("database schema is at version %d, this binary needs %d: run `q2c migrate` (%v)", v, len(all), err)
	}
	return st, nil
}

// connect opens a current database and a Temporal client, the two things
// both long-running processes need; closeAll releases both.
func connect(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, client.Client, func(), error) {
	st, err := openCurrentStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	tc, err := temporalclient.Dial(ctx, cfg, log)
	if err != nil {
		_ = st.Close()
		return nil, nil, nil, err
	}
	return st, tc, func() { tc.Close(); _ = st.Close() }, nil
}

func runMigrate(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _ := st.SchemaVersion(ctx)
	fmt.Fprintf(out, "applied %d migration(s) %v; schema version %d\n", len(applied), applied, v)
	return nil
}

// runKeygen prints a fresh payload key as a Q2C_PAYLOAD_KEYS entry. Its id
// defaults to the day, so a ring reads oldest last: "k20270301=…,k20261203=…".
func runKeygen(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(out)
	id := fs.String("id", "k"+time.Now().UTC().Format("20060102"), "the key's id (letters, digits, '.', '-', '_')")
	if err := fs.Parse(args); err != nil {
		return err
	}
	entry := keyring.Generate(*id)
	if _, err := keyring.Parse(entry); err != nil {
		return err
	}
	fmt.Fprintln(out, entry)
	return nil
}

// runAudit checks the audit trail's hash chain; a broken chain is an
// error, so scripts and monitors see a non-zero exit.
func runAudit(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: q2c audit verify")
	}
	st, err := openCurrentStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	check, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if b := check.Broken; b != nil {
		return fmt.Errorf("audit trail broken after %d intact entries: entry %d (%s): %s", check.Entries, b.Seq, b.ID, b.Reason)
	}
	fmt.Fprintf(out, "audit trail intact: %d entries; head %s\n", check.Entries, check.Head)
	return nil
}

// runReseal seals every sealed field again under the active key, and
// audits that it did.
func runReseal(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	if cfg.PayloadKeys == "" {
		return errors.New("Q2C_PAYLOAD_KEYS is required: the new key first, the old ones after it")
	}
	st, err := openCurrentStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Reseal(ctx)
	if err != nil {
		return err
	}
	ring, _ := cfg.PayloadRing()
	detail := fmt.Sprintf("%d values sealed again under key %s", n, ring.Active())
	if err := st.AppendAudit(ctx, models.AuditEvent{Actor: "cli:reseal", Action: "keys.reseal", Entity: "keys", EntityID: ring.Active(), Detail: detail}); err != nil {
		return err
	}
	fmt.Fprintln(out, detail)
	return nil
}

// runRecount counts the backorder KPIs' totals again from the rows.
func runRecount(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	st, err := openCurrentStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.RecountBackorderTotals(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "backorder totals counted again from %d backorders\n", n)
	return nil
}

// runReconcile brings a restored database level with Temporal; a conflict
// (an outcome that differs from the one recorded) is an error, for a
// person to look at.
func runReconcile(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(out)
	since := fs.String("since", "", "apply what Temporal recorded from this time (RFC 3339), no later than the backup")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // the usage was asked for and printed
	} else if err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			return fmt.Errorf("--since: want a time such as 2026-12-03T09:00:00Z: %w", err)
		}
		from = t
	}
	st, tc, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := app.Reconcile(ctx, cfg, st, tc, from, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "reconciled from %s: %d workflow runs read, %d recorded writes, %d applied again (what the database held was left as it was)\n",
		rep.Since.Format(time.RFC3339), rep.Runs, rep.Writes, rep.Applied)
	for _, c := range rep.Conflicts {
		fmt.Fprintln(out, "conflict:", c)
	}
	if len(rep.Conflicts) > 0 {
		return fmt.Errorf("%d conflicts: the history and the database disagree; see above", len(rep.Conflicts))
	}
	return nil
}

func runSeed(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(out)
	demo := fs.Bool("demo", false, "load demo users with the published demo password into this Postgres database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openCurrentStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	// The demo users share a password printed in this repository: anyone
	// could log in as admin@q2c.local. SQLite is the dev stack's database;
	// anything else is taken for a real one and needs saying so.
	if st.Dialect() != store.SQLite && !*demo {
		return errors.New("refusing to seed demo users (published password) into a Postgres database; " +
			"for a real one make the first admin with `q2c create-admin --email you@example.com`, " +
			"or pass --demo if this database is a throwaway")
	}
	did, err := seed.Demo(ctx, st)
	if err != nil {
		return err
	}
	if !did {
		fmt.Fprintln(out, "the database already has users; nothing seeded")
		return nil
	}
	printLogins(out)
	return nil
}

// stdin is where create-admin reads a password when given no file.
var stdin io.Reader = os.Stdin

// runCreateAdmin makes an IT admin with a password read from a file or from
// standard input (never from the command line, which other users and shell
// histories can see).
func runCreateAdmin(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(out)
	email := fs.String("email", "", "the admin's email address (required)")
	name := fs.String("name", "IT admin", "the admin's name")
	file := fs.String("password-file", "", "read the password from this file instead of standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	var v models.Validator
	v.Check(models.ValidEmail(models.NormalizeEmail(*email)), "--email", "must be an email address")
	v.Check(len(password) >= auth.MinPasswordLength && len(password) <= 72, "password", fmt.Sprintf("must be %d to 72 characters", auth.MinPasswordLength))
	if err := v.Err(); err != nil {
		return err
	}
	st, err := openCurrentStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := &models.User{Email: *email, Name: *name, Roles: models.Roles{models.RoleITAdmin}, PasswordHash: hash, Active: true}
	err = st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, models.AuditEvent{Actor: "cli:create-admin", Action: "user.create", Entity: "user", EntityID: u.ID, Detail: "roles=it_admin"})
	})
	if errors.Is(err, models.ErrConflict) {
		return fmt.Errorf("a user with the email %s exists already; change it through the API", u.Email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created IT admin %s (%s)\n", u.Email, u.ID)
	return nil
}

func printLogins(out io.Writer) {
	fmt.Fprintf(out, "demo logins (password %q):\n", seed.DemoPassword)
	for _, l := range seed.DemoUsers {
		fmt.Fprintf(out, "  %-24s %s\n", l.Email, l.Roles)
	}
}

func runAPI(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := cfg.RequireServer(); err != nil {
		return err
	}
	st, tc, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	srv, err := app.API(cfg, st, tc, log, version)
	if err != nil {
		return err
	}
	log.Info("starting API", "config", cfg)
	public := api.NewHTTPServer(cfg.HTTPAddr, app.Site(cfg, srv, log, version))
	if cfg.TLSCertFile != "" {
		if err := api.UseTLS(public, cfg.TLSCertFile, cfg.TLSKeyFile); err != nil {
			return err
		}
	}
	if cfg.MetricsAddr == "" {
		return api.ListenAndServe(ctx, public, cfg.ShutdownTimeout, func(addr string) { log.Info("API listening", "addr", addr, "https", cfg.TLSCertFile != "") })
	}
	// Metrics on an internal address of their own, beside the public one;
	// either ending ends both.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		defer stop()
		errc <- api.ListenAndServe(ctx, api.NewHTTPServer(cfg.MetricsAddr, srv.Metrics()), cfg.ShutdownTimeout,
			func(addr string) { log.Info("metrics listening", "addr", addr) })
	}()
	err = api.ListenAndServe(ctx, public, cfg.ShutdownTimeout, func(addr string) { log.Info("API listening", "addr", addr, "https", cfg.TLSCertFile != "") })
	stop()
	return errors.Join(err, <-errc)
}

func runWorker(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	st, tc, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	w := app.Worker(cfg, st, tc, app.Sender(cfg, st))
	log.Info("starting worker", "task_queue", cfg.TaskQueue, "config", cfg)
	if err := app.StartWorker(ctx, cfg, st, tc, w); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
