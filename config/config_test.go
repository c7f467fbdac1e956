package config_test

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.JWTTTL != 15*time.Minute || c.EmailProvider != "outbox" || c.TaskQueue != "q2c" {
		t.Fatalf("defaults: %+v", c)
	}
	if err := c.RequireServer(); err == nil {
		t.Fatal("a production server without a database URL or JWT secret was accepted")
	}
}

func TestInvalidSettingsAreNamed(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad duration", map[string]string{"Q2C_JWT_TTL": "soon"}, "Q2C_JWT_TTL"},
		{"ttl too long", map[string]string{"Q2C_JWT_TTL": "48h"}, "Q2C_JWT_TTL"},
		{"short secret", map[string]string{"Q2C_JWT_SECRET": "abc"}, "Q2C_JWT_SECRET"},
		{"the example's secret", map[string]string{"Q2C_JWT_SECRET": "CHANGE_ME_TO_48_RANDOM_BYTES_openssl_rand_base64_48"}, "openssl rand"},
		{"one character repeated", map[string]string{"Q2C_JWT_SECRET": strings.Repeat("j", 40)}, "too predictable"},
		{"a word repeated", map[string]string{"Q2C_JWT_SECRET": "password123password123password123"}, "too predictable"},
		{"bad db url", map[string]string{"Q2C_DATABASE_URL": "mysql://x"}, "Q2C_DATABASE_URL"},
		{"sendgrid without key", map[string]string{"Q2C_EMAIL_PROVIDER": "sendgrid"}, "Q2C_SENDGRID_API_KEY"},
		{"twilio without token", map[string]string{"Q2C_SMS_PROVIDER": "twilio", "Q2C_TWILIO_ACCOUNT_SID": "AC1"}, "Q2C_TWILIO_ACCOUNT_SID"},
		{"unknown provider", map[string]string{"Q2C_SMS_PROVIDER": "pigeon"}, "Q2C_SMS_PROVIDER"},
		{"bad base url", map[string]string{"Q2C_TWILIO_BASE_URL": "ftp://x"}, "Q2C_TWILIO_BASE_URL"},
		{"bad number", map[string]string{"Q2C_MAX_BODY_BYTES": "lots"}, "Q2C_MAX_BODY_BYTES"},
		{"half a TLS pair", map[string]string{"Q2C_TEMPORAL_TLS_CERT": "/c.pem"}, "Q2C_TEMPORAL_TLS_CERT"},
		{"unknown Temporal compression", map[string]string{"Q2C_TEMPORAL_COMPRESSION": "zstd"}, "Q2C_TEMPORAL_COMPRESSION"},
		{"half of the API's TLS pair", map[string]string{"Q2C_TLS_KEY": "/k.pem"}, "Q2C_TLS_CERT"},
		{"a guessable metrics token", map[string]string{"Q2C_METRICS_TOKEN": "prom"}, "Q2C_METRICS_TOKEN"},
		{"a payload key that is not 32 bytes", map[string]string{"Q2C_PAYLOAD_KEYS": "k1=c2hvcnQ="}, "Q2C_PAYLOAD_KEYS"},
		{"a metrics address without a port", map[string]string{"Q2C_METRICS_ADDR": "10.0.0.5"}, "Q2C_METRICS_ADDR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	secrets := map[string]string{
		"Q2C_JWT_SECRET":        "jY3vN8qLw2ZxR5tK9mB4pHs7dF1gC6eUaQ0oWiXr",
		"Q2C_DATABASE_URL":      "postgres://app:hunter2@db/q2c",
		"Q2C_SENDGRID_API_KEY":  "SG.very-secret",
		"Q2C_EMAIL_PROVIDER":    "sendgrid",
		"Q2C_TWILIO_AUTH_TOKEN": "twilio-secret",
		"Q2C_TEMPORAL_API_KEY":  "temporal-secret",
		"Q2C_METRICS_TOKEN":     "metrics-secret-0123456",
		"Q2C_PAYLOAD_KEYS":      "k1=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	}
	c, err := config.Load(env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String() + strings.Join(c.Describe(), "\n")
	for _, s := range []string{"jY3vN8qLw2ZxR5tK", "hunter2", "SG.very-secret", "twilio-secret", "temporal-secret", "metrics-secret", "AAECAwQFBgcI"} {
		if strings.Contains(out, s) {
			t.Fatalf("secret %q printed:\n%s", s, out)
		}
	}
	if c.SendGridAPIKey.Reveal() != "SG.very-secret" {
		t.Fatal("Reveal lost the value")
	}
}

// The README's configuration table must list every variable q2c reads.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := config.Load(env(nil))
	for _, line := range c.Describe() {
		name, _, _ := strings.Cut(line, "=")
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("README.md does not document %s", name)
		}
	}
}

// TestPublicURLFollowsTheListenAddress: links in emails reach the process
// by default; a configured public URL wins.
func TestPublicURLFollowsTheListenAddress(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"default", nil, "http://127.0.0.1:8080"},
		{"another port", map[string]string{"Q2C_HTTP_ADDR": "127.0.0.1:18080"}, "http://127.0.0.1:18080"},
		{"all interfaces", map[string]string{"Q2C_HTTP_ADDR": ":9090"}, "http://127.0.0.1:9090"},
		{"configured", map[string]string{"Q2C_HTTP_ADDR": ":9090", "Q2C_PUBLIC_URL": "https://q2c.example.com"}, "https://q2c.example.com"},
	} {
		c, err := config.Load(env(tc.env))
		if err != nil || c.PublicURL != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.name, c.PublicURL, err, tc.want)
		}
	}
}
