package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means the database could not be reached,
// dropped the connection or is shutting down, rather than refused the
// statement: the request did not happen and may be retried later. Callers
// answer such errors with 503 and Retry-After; activities retry them.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-03: the server is shutting
		// down, crashed or not yet accepting (pg_terminate_backend is 57P01).
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, context.DeadlineExceeded), pgconn.SafeToRetry(err):
		return true
	}
	msg := err.Error()
	// SQLite's writer lock held past busy_timeout, and connections the pgx
	// driver reports closed without a typed error.
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "connection refused") || strings.Contains(msg, "unexpected EOF")
}
