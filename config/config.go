// Package config reads q2c's settings from the environment into one validated
// struct. Secrets are masked whenever the config is printed or logged.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/backorder"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/models"

	// The zone database is built in, so Q2C_REPORT_TIME_ZONE works on a
	// host (or container) that has none.
	_ "time/tzdata"
)

// Secret is a string that never prints its value.
type Secret string

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "***"
}

// LogValue keeps secrets out of structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps secrets out of JSON dumps.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret's value; call it only where the value is used.
func (s Secret) Reveal() string { return string(s) }

// Config is every setting q2c reads. The env tag names the variable and the
// default tag its value when the variable is unset.
type Config struct {
	HTTPAddr        string        `env:"Q2C_HTTP_ADDR" default:"127.0.0.1:8080"`
	PublicURL       string        `env:"Q2C_PUBLIC_URL" default:"http://127.0.0.1:8080"` // unset: http:// and Q2C_HTTP_ADDR
	TemporalUIURL   string        `env:"Q2C_TEMPORAL_UI_URL"`
	DataDir         string        `env:"Q2C_DATA_DIR" default:"./data"`
	DatabaseURL     Secret        `env:"Q2C_DATABASE_URL"`
	LogLevel        string        `env:"Q2C_LOG_LEVEL" default:"info"`
	MaxBodyBytes    int64         `env:"Q2C_MAX_BODY_BYTES" default:"1048576"`
	ShutdownTimeout time.Duration `env:"Q2C_SHUTDOWN_TIMEOUT" default:"20s"`
	// AnswerWait: how long a mutation waits for its workflow's result before
	// answering 202 with an operation to poll.
	AnswerWait time.Duration `env:"Q2C_ANSWER_WAIT" default:"5s"`
	// TLSCertFile and TLSKeyFile: when both are set the API serves HTTPS
	// (TLS 1.2 and later) and every answer carries HSTS.
	TLSCertFile string `env:"Q2C_TLS_CERT"`
	TLSKeyFile  string `env:"Q2C_TLS_KEY"`
	// MetricsAddr: when set, /metrics is served on this address alone (an
	// internal interface) and not on Q2C_HTTP_ADDR.
	MetricsAddr string `env:"Q2C_METRICS_ADDR"`
	// MetricsToken: the bearer token a scraper shows to read /metrics on
	// Q2C_HTTP_ADDR; with neither this nor Q2C_METRICS_ADDR it is not served.
	MetricsToken Secret `env:"Q2C_METRICS_TOKEN"`
	// TrustedProxies: comma-separated CIDRs of load balancers whose
	// X-Forwarded-For is believed.
	TrustedProxies string `env:"Q2C_TRUSTED_PROXIES"`
	// MaxInFlight: API requests in progress beyond which a request is
	// answered 503 with Retry-After.
	MaxInFlight int `env:"Q2C_MAX_IN_FLIGHT" default:"256"`
	// IdempotencyLease: an Idempotency-Key claim left unanswered this long
	// (its process died) may be taken over by a retry.
	IdempotencyLease time.Duration `env:"Q2C_IDEMPOTENCY_LEASE" default:"1m"`
	// IdempotencyRetention: stored answers and operations are deleted after this.
	IdempotencyRetention time.Duration `env:"Q2C_IDEMPOTENCY_RETENTION" default:"24h"`
	// NotificationRetention: a message's subject and text are emptied after
	// this (its row, recipient and delivery status stay).
	NotificationRetention time.Duration `env:"Q2C_NOTIFICATION_RETENTION" default:"2160h"`
	// WorkerStopTimeout: on stop the worker lets running activities finish
	// for this long before cancelling them.
	WorkerStopTimeout time.Duration `env:"Q2C_WORKER_STOP_TIMEOUT" default:"30s"`
	// MaxOverpayment: how far a payment may exceed its invoice's open
	// balance, in minor units; the excess becomes the customer's credit.
	MaxOverpayment int64 `env:"Q2C_MAX_OVERPAYMENT" default:"10000"`

	JWTSecret Secret        `env:"Q2C_JWT_SECRET"`
	JWTTTL    time.Duration `env:"Q2C_JWT_TTL" default:"15m"`

	// PayloadKeys encrypt every Temporal payload: "id=base64key,…", 32-byte
	// AES-256-GCM keys, the first encrypting and all decrypting (q2c keygen
	// makes one). Required for api and worker; the dev stack keeps its own.
	PayloadKeys Secret `env:"Q2C_PAYLOAD_KEYS"`

	TemporalAddress       string `env:"Q2C_TEMPORAL_ADDRESS" default:"127.0.0.1:7233"`
	TemporalNamespace     string `env:"Q2C_TEMPORAL_NAMESPACE" default:"default"`
	TaskQueue             string `env:"Q2C_TASK_QUEUE" default:"q2c"`
	TemporalAPIKey        Secret `env:"Q2C_TEMPORAL_API_KEY"`
	TemporalTLS           bool   `env:"Q2C_TEMPORAL_TLS" default:"false"`
	TemporalTLSCertFile   string `env:"Q2C_TEMPORAL_TLS_CERT"`
	TemporalTLSKeyFile    string `env:"Q2C_TEMPORAL_TLS_KEY"`
	TemporalTLSCAFile     string `env:"Q2C_TEMPORAL_TLS_CA"`
	TemporalTLSServerName string `env:"Q2C_TEMPORAL_TLS_SERVER_NAME"`
	// TemporalCompression is gRPC compression to Temporal: none or gzip.
	// Every payload q2c sends is ciphertext, which does not compress, so
	// gzip (the SDK's default) spent 7 % of a sale's CPU for little.
	TemporalCompression string `env:"Q2C_TEMPORAL_COMPRESSION" default:"none"`

	EmailProvider   string `env:"Q2C_EMAIL_PROVIDER" default:"outbox"` // outbox | sendgrid
	SendGridAPIKey  Secret `env:"Q2C_SENDGRID_API_KEY"`
	SendGridBaseURL string `env:"Q2C_SENDGRID_BASE_URL" default:"https://api.sendgrid.com"`
	EmailFrom       string `env:"Q2C_EMAIL_FROM" default:"orders@q2c.local"`
	// SendGridWebhookKey verifies SendGrid's signed event webhook (base64 ECDSA public key).
	SendGridWebhookKey string `env:"Q2C_SENDGRID_WEBHOOK_KEY"`
	EmailFromName      string `env:"Q2C_EMAIL_FROM_NAME" default:"q2c"`

	SMSProvider      string `env:"Q2C_SMS_PROVIDER" default:"outbox"` // outbox | twilio
	TwilioAccountSID string `env:"Q2C_TWILIO_ACCOUNT_SID"`
	TwilioAuthToken  Secret `env:"Q2C_TWILIO_AUTH_TOKEN"`
	TwilioBaseURL    string `env:"Q2C_TWILIO_BASE_URL" default:"https://api.twilio.com"`
	SMSFrom          string `env:"Q2C_SMS_FROM" default:"+15005550006"`

	// BackorderPriority orders waiting backorders: keys tier, promised,
	// ordered, value; ties end on order id and line.
	BackorderPriority string `env:"Q2C_BACKORDER_PRIORITY" default:"tier,promised,ordered"`

	// ReportTimeZone is the IANA zone whose calendar days and weeks reports
	// count in (days past due, periods).
	ReportTimeZone string `env:"Q2C_REPORT_TIME_ZONE" default:"UTC"`

	// CreditOverdueDays: a customer with an invoice more than this many
	// days past due needs a credit approval (finance) for a new order.
	CreditOverdueDays int `env:"Q2C_CREDIT_OVERDUE_DAYS" default:"30"`

	// Dev stack only (q2c dev).
	DevTemporalPort int  `env:"Q2C_DEV_TEMPORAL_PORT" default:"7233"`
	DevUIPort       int  `env:"Q2C_DEV_UI_PORT" default:"8233"`
	DevUI           bool `env:"Q2C_DEV_UI" default:"true"`
}

// Load reads the environment through getenv (os.Getenv in production) and
// validates the result.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	if err := fill(&c, getenv); err != nil {
		return Config{}, err
	}
	if getenv("Q2C_PUBLIC_URL") == "" {
		// Links in emails (unsubscribe) reach this process by default:
		// the address it listens on, on loopback when it listens on all.
		host, port, err := net.SplitHostPort(c.HTTPAddr)
		if err == nil {
			if host == "" || host == "0.0.0.0" || host == "::" {
				host = "127.0.0.1"
			}
			c.PublicURL = "http://" + net.JoinHostPort(host, port)
		}
	}
	return c, c.Validate()
}

// FromEnv is Load(os.Getenv).
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Validate checks every setting and returns all problems at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.PayloadKeys != "" {
		if _, err := c.PayloadRing(); err != nil {
			bad("Q2C_PAYLOAD_KEYS", "%v", err)
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		bad("Q2C_TLS_CERT", "and Q2C_TLS_KEY must be set together")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		bad("Q2C_METRICS_TOKEN", "must be at least 16 characters; make one with: openssl rand -base64 24")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("Q2C_METRICS_ADDR", "must be host:port")
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL.Reveal(), "postgres://") && !strings.HasPrefix(c.DatabaseURL.Reveal(), "postgresql://") && !strings.HasPrefix(c.DatabaseURL.Reveal(), "sqlite:") {
		bad("Q2C_DATABASE_URL", "must start with postgres://, postgresql:// or sqlite:")
	}
	if c.JWTSecret != "" {
		if err := strongSecret(c.JWTSecret.Reveal()); err != nil {
			bad("Q2C_JWT_SECRET", "%v; make one with: openssl rand -base64 48", err)
		}
	}
	if _, err := time.LoadLocation(c.ReportTimeZone); err != nil || c.ReportTimeZone == "" {
		bad("Q2C_REPORT_TIME_ZONE", "must be an IANA time zone such as UTC or Europe/Berlin")
	}
	if c.JWTTTL < time.Minute || c.JWTTTL > 24*time.Hour {
		bad("Q2C_JWT_TTL", "must be between 1m and 24h")
	}
	if c.AnswerWait < 100*time.Millisecond || c.AnswerWait > 30*time.Second {
		// Above 30 s an answer could meet the HTTP server's 60 s write timeout.
		bad("Q2C_ANSWER_WAIT", "must be between 100ms and 30s")
	}
	for _, p := range c.TrustedProxyList() {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("Q2C_TRUSTED_PROXIES", "%q is not an IP address or CIDR", p)
		}
	}
	if c.MaxInFlight < 1 {
		bad("Q2C_MAX_IN_FLIGHT", "must be at least 1")
	}
	if c.IdempotencyLease < time.Second {
		bad("Q2C_IDEMPOTENCY_LEASE", "must be at least 1s")
	}
	if c.IdempotencyRetention < time.Hour {
		bad("Q2C_IDEMPOTENCY_RETENTION", "must be at least 1h")
	}
	if c.NotificationRetention < 24*time.Hour {
		bad("Q2C_NOTIFICATION_RETENTION", "must be at least 24h")
	}
	if c.CreditOverdueDays < 1 || c.CreditOverdueDays > models.MaxTermsDays {
		bad("Q2C_CREDIT_OVERDUE_DAYS", "must be between 1 and 365")
	}
	if c.WorkerStopTimeout < 0 {
		bad("Q2C_WORKER_STOP_TIMEOUT", "must not be negative")
	}
	if c.MaxOverpayment < 0 || c.MaxOverpayment > models.MaxAmount {
		bad("Q2C_MAX_OVERPAYMENT", "must be between 0 and %d minor units", models.MaxAmount)
	}
	if c.MaxBodyBytes < 1024 {
		bad("Q2C_MAX_BODY_BYTES", "must be at least 1024")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("Q2C_LOG_LEVEL", "must be debug, info, warn or error")
	}
	if _, err := backorder.ParsePolicy(c.BackorderPriority); err != nil {
		bad("Q2C_BACKORDER_PRIORITY", "%v", err)
	}
	if c.TaskQueue == "" {
		bad("Q2C_TASK_QUEUE", "must not be empty")
	}
	if c.TemporalNamespace == "" {
		bad("Q2C_TEMPORAL_NAMESPACE", "must not be empty")
	}
	if c.TemporalCompression != "none" && c.TemporalCompression != "gzip" {
		bad("Q2C_TEMPORAL_COMPRESSION", "must be none or gzip")
	}
	if (c.TemporalTLSCertFile == "") != (c.TemporalTLSKeyFile == "") {
		bad("Q2C_TEMPORAL_TLS_CERT", "and Q2C_TEMPORAL_TLS_KEY must be set together")
	}
	switch c.EmailProvider {
	case "outbox":
	case "sendgrid":
		if c.SendGridAPIKey == "" {
			bad("Q2C_SENDGRID_API_KEY", "is required when Q2C_EMAIL_PROVIDER=sendgrid")
		}
	default:
		bad("Q2C_EMAIL_PROVIDER", "must be outbox or sendgrid")
	}
	switch c.SMSProvider {
	case "outbox":
	case "twilio":
		if c.TwilioAccountSID == "" || c.TwilioAuthToken == "" {
			bad("Q2C_TWILIO_ACCOUNT_SID", "and Q2C_TWILIO_AUTH_TOKEN are required when Q2C_SMS_PROVIDER=twilio")
		}
	default:
		bad("Q2C_SMS_PROVIDER", "must be outbox or twilio")
	}
	for name, u := range map[string]string{"Q2C_SENDGRID_BASE_URL": c.SendGridBaseURL, "Q2C_TWILIO_BASE_URL": c.TwilioBaseURL, "Q2C_PUBLIC_URL": c.PublicURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad(name, "must be an http(s) URL")
		}
	}
	// Sort for a stable message: map iteration order is random.
	return errors.Join(sortErrs(errs)...)
}

// strongSecret refuses a signing secret anyone could guess: short, the
// example's placeholder, or of low entropy (a repeated character, a word
// repeated to length). The estimate is the secret's length times the Shannon
// entropy of its characters; 128 bits is the floor.
func strongSecret(s string) error {
	if len(s) < 32 {
		return errors.New("must be at least 32 bytes")
	}
	if strings.Contains(strings.ToLower(s), "change_me") || strings.Contains(strings.ToLower(s), "changeme") {
		return errors.New("is the example's placeholder, not a secret")
	}
	counts := map[rune]float64{}
	n := 0.0
	for _, r := range s {
		counts[r]++
		n++
	}
	var bitsPerChar float64
	for _, c := range counts {
		p := c / n
		bitsPerChar -= p * math.Log2(p)
	}
	if bits := bitsPerChar * n; bits < 128 {
		return fmt.Errorf("is too predictable (about %.0f bits; at least 128 needed)", bits)
	}
	return nil
}

// RequireServer adds the checks that a production api or worker process needs
// but the embedded dev stack fills in by itself.
func (c Config) RequireServer() error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("Q2C_DATABASE_URL: is required"))
	}
	if c.JWTSecret == "" {
		errs = append(errs, errors.New("Q2C_JWT_SECRET: is required (32+ random bytes)"))
	}
	if c.PayloadKeys == "" {
		errs = append(errs, errNoPayloadKeys)
	}
	return errors.Join(errs...)
}

// errNoPayloadKeys: api and worker need keys to read and write Temporal.
var errNoPayloadKeys = errors.New("Q2C_PAYLOAD_KEYS: is required: it encrypts what Temporal stores; make one with: q2c keygen")

// PayloadRing is the key ring in PayloadKeys, the one place it is parsed.
func (c Config) PayloadRing() (*keyring.Ring, error) {
	if c.PayloadKeys == "" {
		return nil, errNoPayloadKeys
	}
	return keyring.Parse(c.PayloadKeys.Reveal())
}

// HTTPS reports whether people reach q2c over HTTPS: it serves TLS
// itself, or its public URL is https (a proxy in front ends TLS). Answers
// then carry Strict-Transport-Security.
func (c Config) HTTPS() bool {
	return c.TLSCertFile != "" || strings.HasPrefix(c.PublicURL, "https://")
}

// TrustedProxyList splits TrustedProxies.
func (c Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// BackorderPolicy is the validated priority policy for waiting backorders.
func (c Config) BackorderPolicy() backorder.Policy {
	p, err := backorder.ParsePolicy(c.BackorderPriority)
	if err != nil {
		return backorder.DefaultPolicy
	}
	return p
}

// SQLitePath is the app database file the dev stack uses when no
// Q2C_DATABASE_URL is given.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "q2c.db") }

// LogValue lists every setting with secrets masked.
func (c Config) LogValue() slog.Value {
	var attrs []slog.Attr
	walk(&c, func(f field) {
		attrs = append(attrs, slog.String(f.env, f.display()))
	})
	return slog.GroupValue(attrs...)
}

// Describe returns "NAME=value" lines with secrets masked, for `q2c config`.
func (c Config) Describe() []string {
	var out []string
	walk(&c, func(f field) { out = append(out, f.env+"="+f.display()) })
	return out
}

func parseBool(s string) (bool, error) { return strconv.ParseBool(s) }

// ReportLocation is ReportTimeZone loaded (UTC if it cannot be: Validate
// refuses such a config).
func (c Config) ReportLocation() *time.Location {
	loc, err := time.LoadLocation(c.ReportTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
