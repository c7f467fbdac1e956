package itest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/internal/ceiling"
)

// BenchmarkSaleInProcesses runs the API and the worker as production does,
// `q2c api` and `q2c worker` each in a process of its own (the binary built
// from cmd/q2c), on this benchmark's Postgres database and the embedded
// Temporal server, drives whole sales through the API process with 16
// clients, and reports each process's peak resident memory (VmHWM).
// Target: under 200 MB each.
//
//	go test -run '^$' -bench SaleInProcesses -benchtime 128x ./itest/
func BenchmarkSaleInProcesses(b *testing.B) {
	a, cust, tokens := benchSetup(b) // tokens signed with the secret the API process gets
	a.stopWorker()                   // the worker process takes the task queue alone
	bin := filepath.Join(b.TempDir(), "q2c")
	build := exec.Command("go", "build", "-o", bin, "./cmd/q2c")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build q2c: %v\n%s", err, out)
	}
	addr := freeAddr(b)
	env := append(os.Environ(),
		"Q2C_DATABASE_URL="+a.DBURL, "Q2C_TEMPORAL_ADDRESS="+a.Config.TemporalAddress,
		"Q2C_TEMPORAL_NAMESPACE="+a.Config.TemporalNamespace, "Q2C_TASK_QUEUE="+a.TaskQueue,
		"Q2C_JWT_SECRET="+a.Config.JWTSecret.Reveal(), "Q2C_JWT_TTL=1h", "Q2C_LOG_LEVEL=error", "Q2C_PAYLOAD_KEYS="+a.Config.PayloadKeys.Reveal(),
		"Q2C_HTTP_ADDR="+addr, "Q2C_PUBLIC_URL=http://"+addr)
	worker, api := start(b, bin, env, "worker"), start(b, bin, env, "api")
	a.mu.Lock()
	a.remote = "http://" + addr
	a.mu.Unlock()
	ready(b, a.remote+"/readyz")

	ctx := context.Background()
	const clients = 16
	r := load(b, clients, max(b.N, clients), func() (time.Duration, error) {
		_, _, d := a.sale(ctx, cust, tokens)
		return d, nil
	})
	b.ReportMetric(r.PerSecond, "sales/s")
	b.ReportMetric(ceiling.Ms(r.Answer(0.95)), "quote-p95-ms")
	b.ReportMetric(peakRSSOf(b, strconv.Itoa(api.Process.Pid)), "api-peak-rss-MB")
	b.ReportMetric(peakRSSOf(b, strconv.Itoa(worker.Process.Pid)), "worker-peak-rss-MB")
}

// start runs `q2c <command>` until the benchmark ends, then stops it as an
// orchestrator would (SIGTERM) and waits for it.
func start(b *testing.B, bin string, env []string, command string) *exec.Cmd {
	cmd := exec.Command(bin, command)
	cmd.Env, cmd.Stderr = env, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("q2c %s: %v", command, err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	return cmd
}

// ready waits until url answers 200 (the API process is up and a worker
// polls the task queue), for at most a minute.
func ready(b *testing.B, url string) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		if res, err := http.Get(url); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			b.Fatalf("%s not ready after a minute", url)
		}
	}
}

// freeAddr is a loopback address nothing listens on now.
func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr())
}
