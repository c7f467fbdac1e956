package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/internal/testdb"
)

// TestSecurityHeaders: every answer carries the headers, and HSTS only
// when people reach q2c over HTTPS.
func TestSecurityHeaders(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, c := range []struct {
		name  string
		https bool
		hsts  string
	}{
		{"over HTTP", false, ""},
		{"over HTTPS", true, "max-age=31536000; includeSubDomains"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			SecurityHeaders(ok, c.https).ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/me", nil))
			h := w.Header()
			want := map[string]string{
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", "Strict-Transport-Security": c.hsts,
			}
			for name, v := range want {
				if got := h.Get(name); got != v {
					t.Errorf("%s = %q, want %q", name, got, v)
				}
			}
		})
	}
}

// TestMetricsAskForTheScrapersToken: without a token configured /metrics is
// not served on the public router; with one, only its holder reads them.
func TestMetricsAskForTheScrapersToken(t *testing.T) {
	tokens, err := auth.NewTokens(strings.Repeat("k", 32), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := testdb.Postgres(t)
	closed := New(Deps{Store: st, Tokens: tokens, Logger: testdb.Quiet, TaskQueue: "test"})
	open := New(Deps{Store: st, Tokens: tokens, Logger: testdb.Quiet, TaskQueue: "test", MetricsToken: "scraper-secret-0123"})
	for _, c := range []struct {
		name   string
		s      *Server
		header string
		status int
	}{
		{"no token configured", closed, "Bearer anything", http.StatusNotFound},
		{"no token shown", open, "", http.StatusUnauthorized},
		{"a wrong token", open, "Bearer scraper-secret-0124", http.StatusUnauthorized},
		{"a person's token is not the scraper's", open, "Bearer " + tokenFor(t, open, tokens, "it_admin"), http.StatusUnauthorized},
		{"the scraper's token", open, "Bearer scraper-secret-0123", http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/metrics", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			w := httptest.NewRecorder()
			c.s.Handler().ServeHTTP(w, req)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if c.status == http.StatusOK && !strings.Contains(w.Body.String(), "go_goroutines") {
				t.Fatalf("no metrics in the answer:\n%.300s", w.Body)
			}
		})
	}
	// The internal listener's handler asks nothing.
	w := httptest.NewRecorder()
	closed.Metrics().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "go_goroutines") {
		t.Fatalf("internal metrics: %d", w.Code)
	}
}

// TestServesHTTPS: with a certificate the server answers over TLS 1.2 or
// later and refuses TLS 1.1.
func TestServesHTTPS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	srv := NewHTTPServer("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "over tls") }))
	if err := UseTLS(srv, certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	srv.ErrorLog = log.New(io.Discard, "", 0) // the refused TLS 1.1 handshake is expected
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, srv, time.Second, func(addr string) { addrc <- addr }) }()
	addr := <-addrc
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
	res, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if string(body) != "over tls" || res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("answer %q over %+v", body, res.TLS)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get("https://" + addr + "/"); err == nil {
		t.Fatal("a TLS 1.1 client was served")
	}
}

// selfSigned writes a certificate for localhost and its key as PEM files and
// returns a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}
