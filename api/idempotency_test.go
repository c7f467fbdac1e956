package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
)

// TestAPanicReleasesTheIdempotencyKey: a handler panic used to skip the
// release, leaving the key "in progress" so every retry got 409 forever.
func TestAPanicReleasesTheIdempotencyKey(t *testing.T) {
	s, tokens := testServer(t)
	calls := 0
	s.register(Route{Method: "POST", Path: "/api/v1/test-panic", Roles: []models.Role{models.RoleFinance}, Handler: func(c *gin.Context) {
		calls++
		if calls == 1 {
			panic("the first attempt dies")
		}
		c.JSON(http.StatusOK, gin.H{"attempt": calls})
	}})
	tok := tokenFor(t, s, tokens, models.RoleFinance)
	send := func() *httptest.ResponseRecorder { return postWithKey(s, tok, "/api/v1/test-panic", "k-1", `{}`) }
	if w := send(); w.Code != 500 {
		t.Fatalf("the panicking attempt: %d", w.Code)
	}
	if w := send(); w.Code != 200 || !strings.Contains(w.Body.String(), `"attempt":2`) {
		t.Fatalf("the retry: %d %s; want it to run again", w.Code, w.Body)
	}
	if w := send(); w.Code != 200 || w.Header().Get(HeaderIdempotentReplay) != "true" {
		t.Fatalf("a third attempt: %d, replayed %q", w.Code, w.Header().Get(HeaderIdempotentReplay))
	}
}

// TestRefusedInputFreesTheIdempotencyKey: a request refused for its input
// (400 malformed, 422 invalid) changed nothing, so the corrected request
// may carry the same key and runs; it used to be refused as "the key was
// used with a different request".
func TestRefusedInputFreesTheIdempotencyKey(t *testing.T) {
	s, tokens := testServer(t)
	ran := 0
	s.register(Route{Method: "POST", Path: "/api/v1/test-refused", Roles: []models.Role{models.RoleFinance}, Handler: func(c *gin.Context) {
		var req namedRequest
		if !bind(c, &req) {
			return
		}
		ran++
		c.JSON(http.StatusOK, gin.H{"name": req.Name})
	}})
	tok := tokenFor(t, s, tokens, models.RoleFinance)
	send := func(key, body string) *httptest.ResponseRecorder {
		return postWithKey(s, tok, "/api/v1/test-refused", key, body)
	}
	for _, tc := range []struct {
		name, key, refused string
		code               int
	}{
		{"malformed", "k-400", `{"name":`, http.StatusBadRequest},
		{"invalid", "k-422", `{"name":""}`, http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ran
			if w := send(tc.key, tc.refused); w.Code != tc.code {
				t.Fatalf("refused request: %d %s", w.Code, w.Body)
			}
			if w := send(tc.key, `{"name":"Ann"}`); w.Code != 200 || ran != before+1 {
				t.Fatalf("corrected request with the same key: %d %s, ran %d times", w.Code, w.Body, ran-before)
			}
			if w := send(tc.key, `{"name":"Ann"}`); w.Code != 200 || w.Header().Get(HeaderIdempotentReplay) != "true" || ran != before+1 {
				t.Fatalf("its retry: %d, replayed %q, ran %d times", w.Code, w.Header().Get(HeaderIdempotentReplay), ran-before)
			}
		})
	}
}

type namedRequest struct {
	Name string `json:"name"`
}

func (r namedRequest) Validate() error {
	if r.Name == "" {
		return models.Invalid("name", "is required")
	}
	return nil
}

// TestAReplayCarriesTheLocation: a retried create answers with the address
// of what the first request created, as the first answer did; it used to
// replay the status and body without the Location header.
func TestAReplayCarriesTheLocation(t *testing.T) {
	s, tokens := testServer(t)
	calls := 0
	s.register(Route{Method: "POST", Path: "/api/v1/test-create", Roles: []models.Role{models.RoleFinance}, Handler: func(c *gin.Context) {
		calls++
		c.Header("Location", "/api/v1/things/T-1")
		c.JSON(http.StatusCreated, gin.H{"id": "T-1"})
	}})
	tok := tokenFor(t, s, tokens, models.RoleFinance)
	first, retry := postWithKey(s, tok, "/api/v1/test-create", "k-create", `{}`), postWithKey(s, tok, "/api/v1/test-create", "k-create", `{}`)
	if calls != 1 || retry.Code != http.StatusCreated || retry.Header().Get(HeaderIdempotentReplay) != "true" {
		t.Fatalf("the retry: %d, replayed %q, ran %d times", retry.Code, retry.Header().Get(HeaderIdempotentReplay), calls)
	}
	if got, want := retry.Header().Get("Location"), first.Header().Get("Location"); got != want || want == "" {
		t.Fatalf("the retry's Location %q, the first answer's %q", got, want)
	}
}

// postWithKey POSTs a JSON body to path with tok and an Idempotency-Key.
func postWithKey(s *Server, tok, path, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set(HeaderIdempotencyKey, key)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	return w
}
