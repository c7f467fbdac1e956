package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.Version})
}

// readyz answers 200 only when a request could get through: the database
// answers, Temporal's frontend answers, and a worker polls the task queue
// (without one, every workflow call would hang). Raw errors go to the log
// only: they can name hosts, users and driver internals.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(reqCtx(c), 3*time.Second)
	defer cancel()
	checks, failed := gin.H{}, []string{}
	for _, ch := range s.Ready(ctx) {
		checks[ch.Name] = "ok"
		if ch.Err != nil {
			s.Logger.Warn("not ready", "check", ch.Name, "error", ch.Err)
			checks[ch.Name], failed = "unavailable", append(failed, ch.Name)
		}
	}
	if len(failed) > 0 {
		c.Header("Retry-After", "1")
		writeProblem(c, Problem{Type: ProblemUnavailable, Title: "Not ready", Status: http.StatusServiceUnavailable,
			Detail: strings.Join(failed, ", ") + " not ready", Checks: checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

// Check is one readiness check's outcome; Err is nil when it passed.
type Check struct {
	Name string
	Err  error
}

// Ready runs the readiness checks in order: the database, Temporal's
// frontend, then a worker polling the task queue.
func (s *Server) Ready(ctx context.Context) []Check {
	checks := []Check{{"database", s.Store.Ping(ctx)}}
	if s.Temporal == nil {
		return append(checks, Check{"temporal", errors.New("not configured")})
	}
	_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	checks = append(checks, Check{"temporal", err})
	if err == nil {
		checks = append(checks, Check{"workers", s.workerPolls(ctx)})
	}
	return checks
}

// workerPolls asks Temporal's matching service whether a worker polls the
// task queue. It is the call that hung while a restarted embedded server was
// still joining its previous run's dead members.
func (s *Server) workerPolls(ctx context.Context) error {
	resp, err := s.Temporal.DescribeTaskQueue(ctx, s.TaskQueue, enums.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil {
		return err
	}
	if len(resp.GetPollers()) == 0 {
		return fmt.Errorf("no worker polls task queue %s", s.TaskQueue)
	}
	return nil
}
