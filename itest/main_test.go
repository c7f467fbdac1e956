// Package itest holds the integration tests: the real API, worker and store
// against PostgreSQL and the embedded Temporal server, which TestMain starts
// once for the whole package. Each test gets its own database and task queue.
package itest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	q2capp "github.com/q2c-dev/q2c/app"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/devtemporal"
	"github.com/q2c-dev/q2c/internal/apicheck"
	"github.com/q2c-dev/q2c/internal/salesload"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/temporalclient"
)

var temporalServer *devtemporal.Server

// itestPayloadKeys seal every app's Temporal payloads: the replay test's
// key (workflows/testdata/payload-keys), so the histories `make histories`
// records replay there.
var itestPayloadKeys = func() string {
	raw, err := os.ReadFile(filepath.Join("..", "workflows", "testdata", "payload-keys"))
	if err != nil {
		panic(fmt.Sprintf("itest: %v", err))
	}
	return strings.TrimSpace(string(raw))
}()

// itestKeys is itestPayloadKeys parsed: every app's store seals people's
// data with it, as a q2c process given Q2C_PAYLOAD_KEYS does.
var itestKeys = func() *keyring.Ring {
	r, err := keyring.Parse(itestPayloadKeys)
	if err != nil {
		panic(fmt.Sprintf("itest: %v", err))
	}
	return r
}()

// Each app gets a namespace of its own, so workflows whose IDs come from
// shared business keys (Allocator:<sku>) never meet another test's.
var (
	namespaces  []string
	namespaceMu sync.Mutex
	nextNS      int
)

func nextNamespace() string {
	namespaceMu.Lock()
	defer namespaceMu.Unlock()
	ns := namespaces[nextNS%len(namespaces)]
	nextNS++
	return ns
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "q2c-itest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := range 200 {
		namespaces = append(namespaces, fmt.Sprintf("itest-%03d", i))
	}
	opts := devtemporal.Options{LogFile: filepath.Join(dir, "temporal.log"), Namespaces: namespaces,
		LowLatency: os.Getenv(envTemporalLowLatency) == "1"}
	dropTemporalDBs := func() {}
	if os.Getenv(envTemporal) == "postgres" {
		opts.Postgres, dropTemporalDBs = temporalPostgres()
	}
	temporalServer, err = devtemporal.Start(context.Background(), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "itest: start embedded Temporal:", err)
		dropTemporalDBs()
		os.Exit(1)
	}
	code := m.Run()
	closeBrowser()
	temporalServer.Stop()
	dropTemporalDBs()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// The embedded server runs as the dev stack's tests need it: SQLite in
// memory, default queue polling. For benchmarks, Q2C_ITEST_TEMPORAL=postgres
// keeps its state in two fresh databases on the test Postgres server (four
// history shards), as production does, and Q2C_ITEST_TEMPORAL_LOW_LATENCY=1
// polls its queues as the dev stack does (`make bench` runs both).
const (
	envTemporal           = "Q2C_ITEST_TEMPORAL"
	envTemporalLowLatency = "Q2C_ITEST_TEMPORAL_LOW_LATENCY"
)

// temporalPostgres names two new databases on the test server for Temporal
// and returns how to drop them.
func temporalPostgres() (*devtemporal.Postgres, func()) {
	u, err := url.Parse(testdb.AdminURL())
	if err != nil {
		fmt.Fprintln(os.Stderr, "itest:", err)
		os.Exit(1)
	}
	pw, _ := u.User.Password()
	name := "q2c_temporal_" + randomHex(4)
	p := &devtemporal.Postgres{Addr: u.Host, User: u.User.Username(), Password: pw, Database: name, VisibilityDatabase: name + "_vis"}
	return p, func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, testdb.AdminURL())
		if err != nil {
			fmt.Fprintln(os.Stderr, "itest: drop Temporal's databases:", err)
			return
		}
		defer c.Close(ctx)
		for _, db := range []string{p.Database, p.VisibilityDatabase} {
			if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
				fmt.Fprintln(os.Stderr, "itest: drop", db, err)
			}
		}
	}
}

// app is one test's q2c: API over HTTP, worker, store and Temporal client.
type app struct {
	t         testing.TB
	Store     *store.Store
	DBURL     string
	Client    client.Client
	TaskQueue string
	Config    config.Config

	log    *slog.Logger
	mu     sync.Mutex
	api    *httptest.Server
	remote string // an API in a process of its own, when set
	worker sdkworker.Worker
	sender notify.Sender
	check  *apicheck.Checker // the API's own description, which call holds answers to
}

// base is the API's current URL (it changes when the API restarts), or
// the API process's when one runs apart (remote).
func (a *app) base() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.remote != "" {
		return a.remote
	}
	return a.api.URL
}

// startAPI starts an API server on the app's store and Temporal client.
func (a *app) startAPI() {
	a.t.Helper()
	srv, err := q2capp.API(a.Config, a.Store, a.Client, a.log, "itest")
	if err != nil {
		a.t.Fatal(err)
	}
	a.mu.Lock()
	a.api = httptest.NewServer(q2capp.Site(a.Config, srv, a.log, "itest"))
	a.mu.Unlock()
}

// restartAPI drops every connection in flight (their clients see the
// connection close), stops the API and starts a new one with nothing kept
// in memory, as a restarted API process.
func (a *app) restartAPI() {
	a.mu.Lock()
	old := a.api
	a.mu.Unlock()
	old.CloseClientConnections()
	old.Close()
	a.startAPI()
}

// stopWorker stops the app's worker: workflows wait, nothing is lost.
func (a *app) stopWorker() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.worker != nil {
		a.worker.Stop()
		a.worker = nil
	}
}

// startWorker starts a new worker, as a restarted worker process would.
func (a *app) startWorker() {
	a.t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	w := q2capp.Worker(a.Config, a.Store, a.Client, a.sender)
	if err := q2capp.StartWorker(context.Background(), a.Config, a.Store, a.Client, w); err != nil {
		a.t.Fatal(err)
	}
	a.worker = w
}

// appSetup is what options may change before an app starts.
type appSetup struct {
	cfg  *config.Config
	wrap func(notify.Sender) notify.Sender
}

type appOption func(*appSetup)

// withSendGrid sends email through the real SendGrid SDK to base (a capture
// server) instead of the outbox.
func withSendGrid(base string) appOption {
	return func(s *appSetup) {
		s.cfg.EmailProvider, s.cfg.SendGridBaseURL, s.cfg.SendGridAPIKey = "sendgrid", base, "SG.itest"
	}
}

// withTwilio sends SMS through the real Twilio SDK to base.
func withTwilio(base string) appOption {
	return func(s *appSetup) {
		s.cfg.SMSProvider, s.cfg.TwilioBaseURL, s.cfg.TwilioAccountSID, s.cfg.TwilioAuthToken = "twilio", base, "ACitest", "itesttoken0123456789"
	}
}

// withSenderWrap puts w around the configured sender (to inject faults).
func withSenderWrap(w func(notify.Sender) notify.Sender) appOption {
	return func(s *appSetup) { s.wrap = w }
}

// mailCapture stands in for SendGrid on 127.0.0.1 and keeps what arrives.
type mailCapture struct {
	mu    sync.Mutex
	mails []capturedMail
}

type capturedMail struct {
	Auth, To, Subject, Key, Text string
}

func newMailCapture(t testing.TB) (*mailCapture, string) {
	m := &mailCapture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Subject          string
			Personalizations []struct{ To []struct{ Email string } }
			CustomArgs       map[string]string `json:"custom_args"`
			Content          []struct{ Type, Value string }
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" || json.NewDecoder(r.Body).Decode(&body) != nil || len(body.Personalizations) != 1 {
			http.Error(w, `{"errors":[{"message":"bad request"}]}`, http.StatusBadRequest)
			return
		}
		m.mu.Lock()
		text := ""
		for _, c := range body.Content {
			if c.Type == "text/plain" {
				text = c.Value
			}
		}
		m.mails = append(m.mails, capturedMail{Auth: r.Header.Get("Authorization"), To: body.Personalizations[0].To[0].Email,
			Subject: body.Subject, Key: body.CustomArgs["q2c_key"], Text: text})
		m.mu.Unlock()
		w.Header().Set("X-Message-Id", "sg-"+randomHex(4))
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return m, srv.URL
}

// to lists the subjects sent to one address, in order.
func (m *mailCapture) to(addr string) []string {
	return m.sent(addr, func(x capturedMail) string { return x.Subject })
}

// bodies lists the plain-text bodies sent to one address, in order.
func (m *mailCapture) bodies(addr string) []string {
	return m.sent(addr, func(x capturedMail) string { return x.Text })
}

func (m *mailCapture) sent(addr string, part func(capturedMail) string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, x := range m.mails {
		if x.To == addr {
			out = append(out, part(x))
		}
	}
	return out
}

func newApp(t testing.TB, opts ...appOption) *app {
	t.Helper()
	auth.BcryptCost = 4
	ctx := context.Background()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.TemporalAddress, cfg.TemporalNamespace = temporalServer.Address(), nextNamespace()
	cfg.PayloadKeys = config.Secret(itestPayloadKeys)
	cfg.TaskQueue = "itest-" + randomHex(6)
	setup := appSetup{cfg: &cfg, wrap: func(s notify.Sender) notify.Sender { return s }}
	for _, o := range opts {
		o(&setup)
	}
	dbURL := testdb.PostgresURL(t)
	st := testdb.Open(t, dbURL)
	st.SetKeys(itestKeys) // the app's own ring, as q2c api and q2c worker processes have it
	if _, err := seed.Demo(ctx, st); err != nil {
		t.Fatal(err)
	}
	c, err := temporalclient.Dial(ctx, cfg, testdb.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cfg.JWTSecret = config.Secret(auth.RandomSecret(32))
	cfg.JWTTTL = time.Hour
	a := &app{t: t, Store: st, Client: c, TaskQueue: cfg.TaskQueue, Config: cfg, DBURL: dbURL, sender: setup.wrap(q2capp.Sender(cfg, st)), log: newErrorLog(t)}
	a.startWorker()
	t.Cleanup(a.stopWorker)
	a.startAPI()
	t.Cleanup(func() { a.mu.Lock(); defer a.mu.Unlock(); a.api.Close() })
	return a
}

// call sends a JSON request and decodes a JSON answer into out (if not nil).
func (a *app) call(method, path, token, body string, headers map[string]string, out any) *http.Response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base()+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := a.described().Check(method, path, resp.StatusCode, resp.Header.Get("Content-Type"), b); err != nil {
		a.t.Error(err)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp
}

// described is the API's OpenAPI description, read once.
func (a *app) described() *apicheck.Checker {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.check != nil {
		return a.check
	}
	base := a.remote
	if base == "" {
		base = a.api.URL
	}
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := io.ReadAll(resp.Body)
	if a.check, err = apicheck.New(doc); err != nil {
		a.t.Fatal(err)
	}
	return a.check
}

// careful is a client that sends mutations as a careful client does: with
// an Idempotency-Key, again with the same key while the work is still
// running (202) or the service is busy (internal/salesload).
func (a *app) careful() *salesload.Client { return &salesload.Client{Base: a.base} }

func (a *app) login(email string) string {
	a.t.Helper()
	var r struct{ Token string }
	resp := a.call("POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"email":%q,"password":%q}`, email, seed.DemoPassword), nil, &r)
	if resp.StatusCode != 200 || r.Token == "" {
		a.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return r.Token
}

// recordHistory saves a finished workflow's history for the replay test in
// workflows/testdata/histories when Q2C_RECORD_HISTORIES=1 (`make histories`).
func (a *app) recordHistory(workflowID, name string) {
	a.t.Helper()
	if os.Getenv("Q2C_RECORD_HISTORIES") != "1" {
		return
	}
	iter := a.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	h := &historypb.History{}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			a.t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		a.t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", "histories", name+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		a.t.Fatal(err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
