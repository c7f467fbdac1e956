package itest

import (
	"context"
	"testing"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

type pingView struct {
	ID         string       `json:"id"`
	WorkflowID string       `json:"workflow_id"`
	Status     string       `json:"status"`
	Ping       *models.Ping `json:"ping"`
}

// TestPingRunsOnEmbeddedTemporal: a workflow started over HTTP runs on the
// embedded server, the worker records it in Postgres, and the API shows it.
func TestPingRunsOnEmbeddedTemporal(t *testing.T) {
	a := newApp(t)
	var ready struct{ Status string }
	if r := a.call("GET", "/readyz", "", "", nil, &ready); r.StatusCode != 200 || ready.Status != "ready" {
		t.Fatalf("readyz: %d %+v", r.StatusCode, ready)
	}
	admin := a.login("admin@q2c.local")
	key := map[string]string{"Idempotency-Key": "ping-1"}
	var started, retried pingView
	if r := a.call("POST", "/api/v1/pings", admin, `{"message":"hello"}`, key, &started); r.StatusCode != 202 {
		t.Fatalf("start: %d", r.StatusCode)
	}
	r := a.call("POST", "/api/v1/pings", admin, `{"message":"hello"}`, key, &retried)
	if r.StatusCode != 202 || retried.ID != started.ID || r.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("retry started another ping: %+v vs %+v", retried, started)
	}

	// Wait on Temporal itself: no sleeps.
	var res workflows.PingResult
	if err := a.Client.GetWorkflow(context.Background(), started.WorkflowID, "").Get(context.Background(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Reply != "pong: hello" {
		t.Fatalf("workflow result %+v", res)
	}
	var got pingView
	a.call("GET", "/api/v1/pings/"+started.ID, admin, "", nil, &got)
	if got.Status != models.PingCompleted || got.Ping == nil || got.Ping.Reply != "pong: hello" || got.Ping.RequestedBy == "" {
		t.Fatalf("API shows %+v", got)
	}
	a.recordHistory(started.WorkflowID, "ping")

	if r := a.call("GET", "/api/v1/pings/no-such-ping", admin, "", nil, nil); r.StatusCode != 404 {
		t.Fatalf("missing ping: %d", r.StatusCode)
	}
}
