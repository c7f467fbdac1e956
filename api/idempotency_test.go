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
	send := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/test-panic", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set(HeaderIdempotencyKey, "k-1")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w
	}
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
