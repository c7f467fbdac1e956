package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

const (
	ctxRequestID = "q2c.request_id"
	ctxPrincipal = "q2c.principal"
	// HeaderRequestID carries the request id in and out.
	HeaderRequestID = "X-Request-ID"
	// HeaderIdempotencyKey makes a mutation safe to retry.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderIdempotentReplay marks an answer replayed from an earlier request.
	HeaderIdempotentReplay = "Idempotent-Replayed"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,128}$`)

// requestID takes a well-formed X-Request-ID from the caller or makes one.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(HeaderRequestID)
	if !requestIDPattern.MatchString(id) {
		id = store.NewID()
	}
	c.Set(ctxRequestID, id)
	c.Header(HeaderRequestID, id)
	c.Next()
}

// accessLog writes one JSON line per request and records metrics.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.observe(c.Request.Method, route, status, elapsed)
	attrs := []slog.Attr{
		slog.String("request_id", c.GetString(ctxRequestID)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.Int("bytes", c.Writer.Size()),
	}
	if p, ok := principalOf(c); ok {
		attrs = append(attrs, slog.String("principal", p.Subject()))
	}
	level := slog.LevelInfo
	if len(c.Errors) > 0 {
		attrs = append(attrs, slog.String("error", c.Errors.String()))
		level = slog.LevelError
	}
	s.Logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
}

// recoverer turns a panic into a logged 500 problem.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			_ = c.Error(fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			fail(c, errors.New("panic"))
		}
	}()
	c.Next()
}

// limitBody caps every request body; reading past the cap fails with 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.MaxBodyBytes {
		fail(c, &http.MaxBytesError{Limit: s.MaxBodyBytes})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxBodyBytes)
	c.Next()
}

// authenticate accepts a bearer token (people) or an API key (portals).
func (s *Server) authenticate(c *gin.Context) {
	p, err := s.principal(c)
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxPrincipal, p)
	c.Next()
}

func (s *Server) principal(c *gin.Context) (auth.Principal, error) {
	key := c.GetHeader("X-API-Key")
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, cred, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || cred == "" {
			return auth.Principal{}, fmt.Errorf("%w: use 'Authorization: Bearer <token>'", models.ErrUnauthorized)
		}
		if !strings.HasPrefix(cred, auth.APIKeyPrefix) {
			return s.verifyToken(c, cred)
		}
		key = cred
	}
	if key == "" {
		return auth.Principal{}, fmt.Errorf("%w: no credentials; log in at /api/v1/auth/login or send an API key", models.ErrUnauthorized)
	}
	k, err := s.Store.APIKeyByHash(reqCtx(c), auth.HashAPIKey(key))
	if errors.Is(err, models.ErrNotFound) {
		return auth.Principal{}, fmt.Errorf("%w: unknown or revoked API key", models.ErrUnauthorized)
	}
	if err != nil {
		return auth.Principal{}, err
	}
	p := auth.Principal{Kind: auth.KindAPIKey, ID: k.ID, Name: k.Name, Roles: k.Roles}
	if k.CustomerID != nil {
		p.CustomerID = *k.CustomerID
	}
	return p, nil
}

// verifyToken checks a person's token and that it still speaks for them: a
// deactivated user, or one whose roles or password changed since it was
// issued, is refused at once rather than when the token expires.
func (s *Server) verifyToken(c *gin.Context, token string) (auth.Principal, error) {
	p, err := s.Tokens.Verify(token)
	if err != nil {
		return p, err
	}
	active, version, err := s.Store.UserAccess(reqCtx(c), p.ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return auth.Principal{}, fmt.Errorf("%w: the token's user no longer exists", models.ErrUnauthorized)
	case err != nil:
		return auth.Principal{}, err
	case !active:
		return auth.Principal{}, fmt.Errorf("%w: the user is deactivated", models.ErrUnauthorized)
	case version != p.TokenVersion:
		return auth.Principal{}, fmt.Errorf("%w: the user's access changed since this token was issued; log in again", models.ErrUnauthorized)
	}
	return p, nil
}

// authorize lets the request through only if the caller holds one of roles.
func (s *Server) authorize(roles []models.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principalOf(c)
		if !p.Roles.Any(roles) {
			fail(c, fmt.Errorf("%w: this route needs one of the roles %v", models.ErrForbidden, roles))
			return
		}
		c.Next()
	}
}

func principalOf(c *gin.Context) (auth.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return auth.Principal{}, false
	}
	p, ok := v.(auth.Principal)
	return p, ok
}

// idempotent makes a mutation with an Idempotency-Key run once per caller and
// key: a retry gets the first answer back (marked Idempotent-Replayed), the
// same key with another body is refused, and a server-side failure releases
// the key so the retry runs again. The claim is settled whatever becomes of
// the request (a client gone away, a panic); one left open by a process that
// died is taken over once its lease has passed.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader(HeaderIdempotencyKey)
	if key == "" {
		c.Next()
		return
	}
	if len(key) > 255 {
		fail(c, models.Invalid(HeaderIdempotencyKey, "must be at most 255 characters"))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, err)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	p, _ := principalOf(c)
	scope := p.Subject() + " " + c.Request.Method + " " + c.FullPath()
	// The request is its path and body, and a precondition when there is
	// one: a create-only PUT and a plain one are different requests.
	seen := c.Request.URL.Path + "\n"
	if inm := c.GetHeader("If-None-Match"); inm != "" {
		seen = c.Request.URL.Path + "\nIf-None-Match: " + inm + "\n"
	}
	sum := sha256.Sum256(append([]byte(seen), body...))
	rec, err := s.Store.ClaimIdempotencyKey(reqCtx(c), scope, key, hex.EncodeToString(sum[:]), s.IdempotencyLease)
	if err != nil {
		fail(c, err)
		return
	}
	if rec != nil {
		c.Header(HeaderIdempotentReplay, "true")
		if rec.Location != "" {
			c.Header("Location", rec.Location)
		}
		ct := "application/json; charset=utf-8"
		if rec.StatusCode >= 400 {
			ct = ProblemContentType
		}
		c.Abort()
		c.Data(rec.StatusCode, ct, []byte(rec.Response))
		return
	}
	rw := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rw
	defer func() {
		v := recover()
		// The request's context ends with the client; settling must not.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx(c)), settleTimeout)
		defer cancel()
		var err error
		// A server failure may go better next time, and a request refused
		// for its input or a precondition (400, 412, 422) changed nothing:
		// the key is free again, so the corrected request can carry it. Any
		// other answer is the key's for good.
		if st := rw.Status(); v != nil || st >= 500 || st == http.StatusBadRequest || st == http.StatusPreconditionFailed ||
			st == http.StatusUnprocessableEntity {
			err = s.Store.ReleaseIdempotencyKey(ctx, scope, key)
		} else {
			err = s.Store.CompleteIdempotencyKey(ctx, scope, key, rw.Status(), rw.buf.String(), rw.Header().Get("Location"), c.GetString(ctxOperation))
		}
		if err != nil {
			s.Logger.Error("idempotency key not settled; its lease frees it", "error", err)
		}
		if v != nil {
			panic(v)
		}
	}()
	c.Next()
}

// settleTimeout bounds storing or releasing an idempotent answer.
const settleTimeout = 5 * time.Second

// limitInFlight sheds load: past MaxInFlight requests in progress, a request
// is answered 503 with Retry-After at once instead of queueing until the
// server's write timeout drops its connection.
func (s *Server) limitInFlight(c *gin.Context) {
	select {
	case s.inFlight <- struct{}{}:
		defer func() { <-s.inFlight }()
		c.Next()
	default:
		fail(c, errOverloaded)
	}
}

type recordingWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "q2c_http_requests_total", Help: "HTTP requests by route and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "q2c_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}
