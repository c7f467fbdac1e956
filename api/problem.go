package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Problem is an RFC 9457 problem document, q2c's only error answer.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []models.FieldError `json:"errors,omitempty"`
	// Checks says which readiness checks failed (readyz only).
	Checks map[string]any `json:"checks,omitempty"`

	retryAfter string // seconds, sent as the Retry-After header
}

// ProblemContentType is the media type of error answers.
const ProblemContentType = "application/problem+json"

// Problem type URIs, relative to the API.
const (
	ProblemValidation       = "/problems/validation"
	ProblemMalformed        = "/problems/malformed-request"
	ProblemTooLarge         = "/problems/request-too-large"
	ProblemUnauthenticated  = "/problems/unauthenticated"
	ProblemForbidden        = "/problems/forbidden"
	ProblemNotFound         = "/problems/not-found"
	ProblemMethodNotAllowed = "/problems/method-not-allowed"
	ProblemConflict         = "/problems/conflict"
	ProblemPrecondition     = "/problems/precondition-failed"
	ProblemIdempotency      = "/problems/idempotency-key"
	ProblemUnavailable      = "/problems/unavailable"
	ProblemThrottled        = "/problems/too-many-attempts"
	ProblemInternal         = "/problems/internal"
	ProblemUnsupportedType  = "/problems/unsupported-media-type"
)

// preconditionFailed is a request whose condition (If-None-Match) does not
// hold: nothing was changed. field is what the condition was about.
type preconditionFailed struct{ title, detail, field, message string }

func (e *preconditionFailed) Error() string { return e.detail }

// writeProblem sends p and stops the handler chain.
func writeProblem(c *gin.Context, p Problem) {
	p.Instance = c.Request.URL.Path
	p.RequestID = c.GetString(ctxRequestID)
	body, _ := json.Marshal(p)
	c.Abort()
	c.Data(p.Status, ProblemContentType, body)
}

// fail answers err as a problem. It is the one place that maps errors to
// HTTP answers (problemOf decides which).
func fail(c *gin.Context, err error) {
	p := problemOf(err)
	switch p.Status {
	case http.StatusInternalServerError, http.StatusServiceUnavailable:
		_ = c.Error(err) // logged by the access log with the request id; never shown
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="q2c"`)
	}
	if p.retryAfter != "" {
		c.Header("Retry-After", p.retryAfter)
	}
	writeProblem(c, p)
}

// problemOf is the problem that answers err.
func problemOf(err error) Problem {
	var (
		ve        *models.ValidationError
		maxErr    *http.MaxBytesError
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		throttled *tooManyAttempts
		dup       *duplicateField
		precond   *preconditionFailed
	)
	switch {
	case errors.As(err, &ve):
		return Problem{Type: ProblemValidation, Title: "The request has invalid fields", Status: http.StatusUnprocessableEntity,
			Detail: ve.Error(), Errors: ve.Fields}
	case errors.As(err, &maxErr):
		return Problem{Type: ProblemTooLarge, Title: "The request body is too large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("bodies are limited to %d bytes", maxErr.Limit)}
	case errors.As(err, &syntax):
		return Problem{Type: ProblemMalformed, Title: "The request body is not valid JSON", Status: http.StatusBadRequest,
			Detail: syntaxDetail(syntax), Errors: []models.FieldError{{Field: "body", Message: "is not valid JSON"}}}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		want := jsonTypeName(typeErr.Type)
		return Problem{Type: ProblemMalformed, Title: "A field has the wrong type", Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("%s: got %s, want %s", field, typeErr.Value, want), Errors: []models.FieldError{{Field: field, Message: "must be " + want}}}
	case errors.As(err, &precond):
		return Problem{Type: ProblemPrecondition, Title: precond.title, Status: http.StatusPreconditionFailed, Detail: precond.detail,
			Errors: []models.FieldError{{Field: precond.field, Message: precond.message}}}
	case errors.As(err, &dup):
		return Problem{Type: ProblemMalformed, Title: "A field appears twice", Status: http.StatusBadRequest,
			Detail: dup.path + " is given more than once in the same object; send it once", Errors: []models.FieldError{{Field: dup.path, Message: "appears twice"}}}
	case errors.Is(err, errUnknownField):
		return Problem{Type: ProblemMalformed, Title: "The request has an unknown field", Status: http.StatusBadRequest,
			Detail: err.Error(), Errors: []models.FieldError{{Field: unknownFieldName(err), Message: "is not a field of this request"}}}
	case errors.Is(err, errMalformed):
		return Problem{Type: ProblemMalformed, Title: "The request body is malformed", Status: http.StatusBadRequest,
			Detail: err.Error(), Errors: []models.FieldError{{Field: "body", Message: strings.TrimPrefix(err.Error(), errMalformed.Error()+": ")}}}
	case errors.Is(err, errUnsupportedType):
		return Problem{Type: ProblemUnsupportedType, Title: "Send JSON", Status: http.StatusUnsupportedMediaType,
			Detail: err.Error(), Errors: []models.FieldError{{Field: "Content-Type", Message: "must be application/json"}}}
	case errors.Is(err, models.ErrUnauthorized):
		return Problem{Type: ProblemUnauthenticated, Title: "Authentication required", Status: http.StatusUnauthorized, Detail: err.Error()}
	case errors.Is(err, models.ErrForbidden):
		return Problem{Type: ProblemForbidden, Title: "Not allowed", Status: http.StatusForbidden, Detail: err.Error()}
	case errors.Is(err, models.ErrNotFound):
		return Problem{Type: ProblemNotFound, Title: "Not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, models.ErrConflict):
		// The detail says what conflicts; the sentinel's own word adds nothing.
		return Problem{Type: ProblemConflict, Title: "Conflict", Status: http.StatusConflict, Detail: strings.TrimSuffix(err.Error(), ": "+models.ErrConflict.Error())}
	case errors.Is(err, store.ErrIdempotencyMismatch):
		return Problem{Type: ProblemIdempotency, Title: "Idempotency-Key reused", Status: http.StatusUnprocessableEntity, Detail: err.Error(),
			Errors: []models.FieldError{{Field: "Idempotency-Key", Message: "was already used with a different request"}}}
	case errors.Is(err, store.ErrIdempotencyInProgress):
		return Problem{Type: ProblemIdempotency, Title: "The first request with this Idempotency-Key is still running", Status: http.StatusConflict,
			Detail: err.Error(), retryAfter: "1"}
	case errors.As(err, &throttled):
		return Problem{Type: ProblemThrottled, Title: "Too many failed logins", Status: http.StatusTooManyRequests, Detail: err.Error(),
			retryAfter: fmt.Sprint(int(throttled.retryAfter.Seconds() + 0.999))}
	case errors.Is(err, errOverloaded):
		return Problem{Type: ProblemUnavailable, Title: "q2c is at capacity", Status: http.StatusServiceUnavailable,
			Detail: "too many requests are in progress; retry after the time in Retry-After", retryAfter: "1"}
	case errors.Is(err, context.Canceled):
		// The request's context ended (its client went away, or the server
		// is shutting down) before the work did: nothing to blame the
		// request for, and a retry with the same key is safe.
		return Problem{Type: ProblemUnavailable, Title: "The request was cut short", Status: http.StatusServiceUnavailable,
			Detail: "the request ended before its work did; retry it with the same Idempotency-Key", retryAfter: "1"}
	case errors.Is(err, errUnavailable), store.Unavailable(err):
		// Which dependency, and how it failed, is logged, never shown: a
		// driver's message can name hosts, users and query values.
		return Problem{Type: ProblemUnavailable, Title: "A dependency is unavailable", Status: http.StatusServiceUnavailable,
			Detail:     "the database or the workflow engine did not answer; retry after the time in Retry-After, with the same Idempotency-Key",
			retryAfter: "5"}
	}
	return Problem{Type: ProblemInternal, Title: "Internal error", Status: http.StatusInternalServerError,
		Detail: "the error was logged with this request id"}
}

var (
	errUnavailable = errors.New("unavailable")
	errOverloaded  = errors.New("overloaded")
)

// syntaxDetail says where a body stops being JSON; a body cut short has no
// message of its own from the decoder.
func syntaxDetail(e *json.SyntaxError) string {
	if e.Error() == "" {
		return fmt.Sprintf("the body ends at byte %d before its JSON is complete", e.Offset)
	}
	return fmt.Sprintf("syntax error at byte %d: %v", e.Offset, e)
}

// jsonTypeName names a Go type as the JSON a client should send, not as Go
// spells it ("a whole number", not "int64").
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "another type"
}
