package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// serveMetrics answers /metrics on the public listener only to a scraper
// holding MetricsToken: the figures name routes, rates and the process's
// resources, which are nobody else's business. Without a token configured
// the metrics are not served here at all (Q2C_METRICS_ADDR serves them on an
// internal address instead).
func (s *Server) serveMetrics(c *gin.Context) {
	if s.MetricsToken == "" {
		writeProblem(c, Problem{Type: ProblemNotFound, Title: "No such route", Status: http.StatusNotFound,
			Detail: "metrics are served on Q2C_METRICS_ADDR, or here with Q2C_METRICS_TOKEN"})
		return
	}
	got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.MetricsToken)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
		writeProblem(c, Problem{Type: ProblemUnauthenticated, Title: "Metrics need the scraper's token", Status: http.StatusUnauthorized})
		return
	}
	s.scrape.ServeHTTP(c.Writer, c.Request)
}
