package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"

	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/devstack"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/seed"
	"github.com/q2c-dev/q2c/workflows"
)

func devConfig(t *testing.T, dataDir string, ui bool) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"Q2C_DATA_DIR": dataDir, "Q2C_HTTP_ADDR": "127.0.0.1:0",
			"Q2C_DEV_TEMPORAL_PORT": "0", "Q2C_DEV_UI": fmt.Sprint(ui), "Q2C_DEV_UI_PORT": "0",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func post(t *testing.T, url, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req, out)
}

func get(t *testing.T, url, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req, out)
}

func do(t *testing.T, req *http.Request, out any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestDevStackKeepsItsDataAcrossRestarts is `make run`'s promise: with no
// external service the stack becomes ready, the demo login works, and after a
// restart the seeded data, the app's rows and Temporal's history are all
// still there.
func TestDevStackKeepsItsDataAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s1, err := devstack.Start(ctx, devConfig(t, dir, false), testdb.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	if !s1.Seeded {
		t.Fatal("first start did not seed")
	}
	if code := get(t, s1.URL+"/readyz", "", nil); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	var login struct{ Token string }
	if code := post(t, s1.URL+"/api/v1/auth/login", "", `{"email":"admin@q2c.local","password":"`+seed.DemoPassword+`"}`, &login); code != 200 {
		t.Fatalf("demo login: %d", code)
	}
	var ping struct {
		ID         string `json:"id"`
		WorkflowID string `json:"workflow_id"`
	}
	if code := post(t, s1.URL+"/api/v1/pings", login.Token, `{"message":"before restart"}`, &ping); code != 202 {
		t.Fatalf("ping: %d", code)
	}
	if err := s1.Client.GetWorkflow(ctx, ping.WorkflowID, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	s1.Stop(ctx)

	s2, err := devstack.Start(ctx, devConfig(t, dir, true), testdb.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop(ctx)
	if s2.Seeded {
		t.Fatal("restart seeded again")
	}
	// The token from before the restart is still valid: the signing secret persists.
	var got struct{ Status string }
	if code := get(t, s2.URL+"/api/v1/pings/"+ping.ID, login.Token, &got); code != 200 || got.Status != "completed" {
		t.Fatalf("ping after restart: %d %+v", code, got)
	}
	d, err := s2.Client.DescribeWorkflowExecution(ctx, workflows.PingWorkflowID(ping.ID), "")
	if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("Temporal lost the workflow across the restart: %v %v", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	// The Temporal Web UI runs beside the stack and reaches the embedded server.
	var nss struct {
		Namespaces []struct {
			NamespaceInfo struct{ Name string } `json:"namespaceInfo"`
		}
	}
	if s2.TemporalUI == "" {
		t.Fatal("Temporal Web UI did not start")
	}
	if code := get(t, s2.TemporalUI+"/api/v1/namespaces", "", &nss); code != 200 || len(nss.Namespaces) == 0 || nss.Namespaces[0].NamespaceInfo.Name != "default" {
		t.Fatalf("Temporal UI: %d %+v", code, nss)
	}
	var products struct{ Items []struct{ SKU string } }
	if code := get(t, s2.URL+"/api/v1/products", login.Token, &products); code != 200 || len(products.Items) == 0 {
		t.Fatalf("products after restart: %d %d", code, len(products.Items))
	}
}
