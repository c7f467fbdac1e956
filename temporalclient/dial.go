// Package temporalclient connects to a Temporal frontend: the embedded dev
// server, a self-hosted cluster, or Temporal Cloud (mTLS or API key).
package temporalclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/keyring"
)

// Dial connects using the config's address, namespace, TLS and API key.
// Every payload it sends is sealed with the config's payload keys
// (keyring), so Temporal stores no customer's data in clear; payloads
// written before the keys existed are read as they are.
func Dial(ctx context.Context, cfg config.Config, log *slog.Logger) (client.Client, error) {
	ring, err := cfg.PayloadRing()
	if err != nil {
		return nil, err
	}
	opts := client.Options{
		HostPort:         cfg.TemporalAddress,
		Namespace:        cfg.TemporalNamespace,
		Logger:           sdklog.NewStructuredLogger(log.With("component", "temporal-sdk")),
		DataConverter:    keyring.DataConverter(ring),
		FailureConverter: keyring.FailureConverter(ring),
	}
	opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	if cfg.TemporalCompression == "gzip" {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionGzip{}
	}
	if cfg.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey.Reveal())
	}
	if cfg.TemporalTLS || cfg.TemporalTLSCertFile != "" || cfg.TemporalAPIKey != "" {
		t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TemporalTLSServerName}
		if cfg.TemporalTLSCertFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCertFile, cfg.TemporalTLSKeyFile)
			if err != nil {
				return nil, fmt.Errorf("temporal TLS client certificate: %w", err)
			}
			t.Certificates = []tls.Certificate{cert}
		}
		if cfg.TemporalTLSCAFile != "" {
			pem, err := os.ReadFile(cfg.TemporalTLSCAFile)
			if err != nil {
				return nil, fmt.Errorf("temporal TLS CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("temporal TLS CA %s holds no certificate", cfg.TemporalTLSCAFile)
			}
			t.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = t
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", cfg.TemporalAddress, cfg.TemporalNamespace, err)
	}
	return c, nil
}
