// Package api is q2c's REST API (gin). Every route declares the roles that may
// call it; handlers stay thin: decode, authorise, call the store or Temporal,
// answer. Errors become application/problem+json in one place (problem.go).
package api

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/quotes"
	"github.com/q2c-dev/q2c/store"
)

// Deps are what the API needs. Temporal may be nil only in tests that never
// reach a handler which starts or inspects a workflow.
type Deps struct {
	Store        *store.Store
	Temporal     client.Client
	TaskQueue    string
	Tokens       *auth.Tokens
	Logger       *slog.Logger
	MaxBodyBytes int64
	// AnswerWait bounds how long a mutation waits for its workflow's result
	// before answering 202 with an operation to poll (default 5 s).
	AnswerWait time.Duration
	// IdempotencyLease is how long an unanswered Idempotency-Key claim holds
	// before a retry may take it over (default 1 min).
	IdempotencyLease time.Duration
	// TrustedProxies are the addresses (CIDRs) of load balancers whose
	// X-Forwarded-For names the client; with none, the client is the
	// connection's peer (and a forged header cannot dodge login throttling).
	TrustedProxies []string
	// MaxInFlight bounds the API requests in progress (default 256).
	MaxInFlight int
	// MaxOverpayment is how far, in minor units, a payment may exceed what
	// is open on its invoice (the excess becomes credit); 0 allows none.
	MaxOverpayment int64
	// ReportLocation is the time zone reports count days in (default UTC).
	ReportLocation *time.Location
	Version        string
	Webhooks       Webhooks
	// PayloadCodec seals and opens Temporal payloads, for the codec routes
	// the Temporal Web UI and CLI of IT admins call.
	PayloadCodec converter.PayloadCodec
	// MetricsToken is the bearer token /metrics asks for on this router;
	// empty, it answers 404 here (serve Metrics on a listener of its own).
	MetricsToken string
}

// Server is the HTTP API.
type Server struct {
	Deps
	engine   *gin.Engine
	routes   []Route
	metrics  *httpMetrics
	scrape   http.Handler // the Prometheus registry's answer
	inFlight chan struct{}
	// quoteStarts starts the workflows of quotes the API opened.
	quoteStarts *quotes.Starter
}

// New builds the router with every route registered.
func New(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.AnswerWait == 0 {
		d.AnswerWait = DefaultAnswerWait
	}
	if d.IdempotencyLease == 0 {
		d.IdempotencyLease = time.Minute
	}
	if d.ReportLocation == nil {
		d.ReportLocation = time.UTC
	}
	if d.MaxInFlight == 0 {
		d.MaxInFlight = 256
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s := &Server{Deps: d, engine: gin.New(), metrics: newHTTPMetrics(reg), inFlight: make(chan struct{}, d.MaxInFlight),
		quoteStarts: quotes.NewStarter(d.Store, d.Temporal, d.TaskQueue, d.Logger)}
	if err := s.engine.SetTrustedProxies(d.TrustedProxies); err != nil {
		panic(fmt.Sprintf("api: trusted proxies: %v", err)) // config validated them
	}
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	s.engine.Use(s.requestID, s.accessLog, s.recoverer, s.limitBody)
	s.engine.NoRoute(func(c *gin.Context) {
		writeProblem(c, Problem{Type: ProblemNotFound, Title: "No such route", Status: http.StatusNotFound})
	})
	s.engine.NoMethod(func(c *gin.Context) {
		// gin has set Allow to the methods the route takes.
		writeProblem(c, Problem{Type: ProblemMethodNotAllowed, Title: "Method not allowed on this route", Status: http.StatusMethodNotAllowed,
			Detail: c.Request.Method + " is not a method of this route; it takes " + c.Writer.Header().Get("Allow")})
	})
	s.scrape = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	s.routes = s.routeTable()
	for _, r := range s.routes {
		s.register(r)
	}
	return s
}

// DefaultAnswerWait is how long a mutation waits for its result unless told
// otherwise: well inside the HTTP server's write timeout, so an answer for
// work that went through is never cut off.
const DefaultAnswerWait = 5 * time.Second

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Metrics serves the Prometheus metrics without asking who calls: for a
// listener of their own on an internal address (Q2C_METRICS_ADDR).
func (s *Server) Metrics() http.Handler { return s.scrape }

// Routes lists every declared route with its roles.
func (s *Server) Routes() []Route { return s.routes }

// Engine exposes gin's own route list, for the route-protection test.
func (s *Server) Engine() *gin.Engine { return s.engine }

// ListenAndServe serves on addr until ctx ends, then drains for up to grace.
func ListenAndServe(ctx context.Context, srv *http.Server, grace time.Duration, ready func(addr string)) error {
	ln, err := listen(srv.Addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil && len(srv.TLSConfig.Certificates) > 0 {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	return srv.Shutdown(sctx)
}

// UseTLS makes srv serve HTTPS with the certificate and key in these
// files (PEM), TLS 1.2 at least.
func UseTLS(srv *http.Server, certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("Q2C_TLS_CERT/Q2C_TLS_KEY: %w", err)
	}
	srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	return nil
}

// NewHTTPServer wraps h with the timeouts a public server needs.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
	}
}
