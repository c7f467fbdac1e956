package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
)

// publicRoutes is every route anyone may call. Adding one is a security
// decision: it must be made here, on purpose.
var publicRoutes = []string{
	"GET /healthz", "GET /readyz", "GET /metrics", "POST /api/v1/auth/login", "GET /api/v1/openapi.json",
	// Webhooks are public to the network but verify the provider's signature.
	"POST /webhooks/sendgrid", "POST /webhooks/twilio",
	// The unsubscribe link verifies its own signature and can only turn marketing off.
	"GET /unsubscribe", "POST /unsubscribe",
}

func testServer(t *testing.T) (*Server, *auth.Tokens) {
	t.Helper()
	tokens, err := auth.NewTokens(strings.Repeat("k", 32), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Store: testdb.Postgres(t), Tokens: tokens, Logger: testdb.Quiet, TaskQueue: "test"}), tokens
}

// tokenFor issues a token for a stored user holding role (a customer user
// acts for customer c-1), creating both on first use: tokens are checked
// against their user on every request.
func tokenFor(t *testing.T, s *Server, tokens *auth.Tokens, role models.Role) string {
	t.Helper()
	ctx := context.Background()
	u, err := s.Store.UserByID(ctx, "u-"+string(role))
	if errors.Is(err, models.ErrNotFound) {
		u = models.User{ID: "u-" + string(role), Email: string(role) + "@q2c.test", Name: string(role), Roles: models.Roles{role}, PasswordHash: "x", Active: true}
		if role == models.RoleCustomer {
			if _, err := s.Store.CustomerByID(ctx, "c-1"); errors.Is(err, models.ErrNotFound) {
				if err := s.Store.CreateCustomer(ctx, &models.Customer{ID: "c-1", Name: "C1", Email: "c1@example.com", Tier: 2, Currency: "USD"}); err != nil {
					t.Fatal(err)
				}
			}
			cid := "c-1"
			u.CustomerID = &cid
		}
		err = s.Store.CreateUser(ctx, &u)
	}
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := tokens.Issue(u)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestEveryRouteRejectsTheWrongCaller walks the routes gin actually serves, so
// a route added any other way than the declared table also fails here.
func TestEveryRouteRejectsTheWrongCaller(t *testing.T) {
	s, tokens := testServer(t)
	declared := map[string]Route{}
	for _, r := range s.Routes() {
		declared[r.Method+" "+r.Path] = r
	}
	served := s.Engine().Routes()
	if len(served) != len(declared) {
		t.Fatalf("gin serves %d routes but %d are declared", len(served), len(declared))
	}
	for _, ri := range served {
		name := ri.Method + " " + ri.Path
		r, ok := declared[name]
		if !ok {
			t.Errorf("%s is served but not declared with roles in routeTable", name)
			continue
		}
		if r.Public {
			if !slices.Contains(publicRoutes, name) {
				t.Errorf("%s is public but not in publicRoutes", name)
			}
			continue
		}
		path := strings.NewReplacer(":id", "some-id").Replace(r.Path)
		t.Run(name, func(t *testing.T) {
			call := func(token string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(r.Method, path, strings.NewReader(`{}`))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				w := httptest.NewRecorder()
				s.Handler().ServeHTTP(w, req)
				return w
			}
			if w := call(""); w.Code != http.StatusUnauthorized || w.Header().Get("Content-Type") != ProblemContentType {
				t.Errorf("anonymous: %d %s, want 401 problem", w.Code, w.Header().Get("Content-Type"))
			}
			if w := call("forged.token.value"); w.Code != http.StatusUnauthorized {
				t.Errorf("forged token: %d, want 401", w.Code)
			}
			for _, role := range models.AllRoles {
				w := call(tokenFor(t, s, tokens, role))
				allowed := slices.Contains(r.Roles, role)
				refused := w.Code == http.StatusForbidden || w.Code == http.StatusUnauthorized
				if allowed == refused {
					t.Errorf("role %s: got %d; allowed=%v", role, w.Code, allowed)
				}
			}
		})
	}
}

func TestRouteWithoutRolesCannotBeRegistered(t *testing.T) {
	s, _ := testServer(t)
	defer func() {
		if recover() == nil {
			t.Fatal("a route with no roles was registered")
		}
	}()
	s.register(Route{Method: "GET", Path: "/api/v1/oops", Handler: s.healthz})
}

func TestPublicRoutesAreDeclared(t *testing.T) {
	s, _ := testServer(t)
	var public []string
	for _, r := range s.Routes() {
		if r.Public {
			public = append(public, r.Method+" "+r.Path)
		}
	}
	slices.Sort(public)
	want := slices.Clone(publicRoutes)
	slices.Sort(want)
	if !slices.Equal(public, want) {
		t.Fatalf("public routes = %v, want %v", public, want)
	}
}

// TestEveryBodyRefusesNonObjects: a JSON null (or a list, or a bare value)
// decodes into nothing, so without this check approve, withdraw and accept
// ran as if sent {} while ship and pay refused it. Every route with a body
// now refuses them alike, before it touches anything.
func TestEveryBodyRefusesNonObjects(t *testing.T) {
	s, tokens := testServer(t)
	for _, r := range s.Routes() {
		if r.Body == nil || r.Public {
			continue
		}
		path := strings.NewReplacer(":id", "some-id", ":sku", "SKU-1").Replace(r.Path)
		for _, body := range []string{`null`, ` null `, `[]`, `"x"`, `7`, `true`} {
			t.Run(r.Method+" "+r.Path+" "+body, func(t *testing.T) {
				req := httptest.NewRequest(r.Method, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tokenFor(t, s, tokens, r.Roles[0]))
				w := httptest.NewRecorder()
				s.Handler().ServeHTTP(w, req)
				if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"field":"body"`) {
					t.Fatalf("%d %s, want 400 naming body", w.Code, w.Body)
				}
			})
		}
	}
}
