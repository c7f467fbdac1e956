package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
)

// TestDatabaseOutageAnswers503: with the database unreachable the API used
// to answer 500; now it is 503 with Retry-After and a problem that names no
// host, driver or query, and it answers again once the database is back.
func TestDatabaseOutageAnswers503(t *testing.T) {
	dbURL := testdb.PostgresURL(t)
	proxy := testdb.NewProxy(t, "127.0.0.1:5432")
	st := testdb.Open(t, proxy.Via(t, dbURL))
	tokens, err := auth.NewTokens(strings.Repeat("k", 32), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, srv: api.New(api.Deps{Store: st, Tokens: tokens, Logger: testdb.Quiet, TaskQueue: "test"})}
	h.createUser("admin@q2c.test", "admin-password", models.Roles{models.RoleITAdmin}, nil)
	admin := h.login("admin@q2c.test", "admin-password")

	proxy.Cut()
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/v1/products", ""},
		{"POST", "/api/v1/users", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["finance"]}`},
		{"POST", "/api/v1/auth/login", `{"email":"admin@q2c.test","password":"admin-password"}`},
	} {
		w := h.do(tc.method, tc.path, admin, tc.body, nil)
		body := w.Body.String()
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || w.Header().Get("Content-Type") != api.ProblemContentType {
			t.Errorf("%s %s during the outage: %d %q %s", tc.method, tc.path, w.Code, w.Header().Get("Retry-After"), body)
		}
		for _, internal := range []string{"127.0.0.1", "dial", "pgconn", "SELECT", "INSERT", "EOF", "q2c_t_"} {
			if strings.Contains(body, internal) {
				t.Errorf("%s %s: the problem shows %q: %s", tc.method, tc.path, internal, body)
			}
		}
	}
	if w := h.do("GET", "/readyz", "", "", nil); w.Code != 503 || strings.Contains(w.Body.String(), "127.0.0.1") {
		t.Errorf("readyz during the outage: %d %s", w.Code, w.Body)
	}

	proxy.Restore()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil { // the pool reconnects on the next request
		if w := h.do("GET", "/api/v1/products", admin, "", nil); w.Code == 200 {
			return
		}
	}
	t.Fatal("the API did not recover after the database came back")
}
