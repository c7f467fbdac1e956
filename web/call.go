package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// apiError is an API answer that is not a success: its status and problem.
type apiError struct {
	Status    int                 `json:"status"`
	Title     string              `json:"title"`
	Detail    string              `json:"detail"`
	RequestID string              `json:"request_id"`
	Errors    []models.FieldError `json:"errors"`
	// Location is where a 202's operation can be read.
	Location string `json:"-"`
}

func (e *apiError) Error() string {
	if e.Detail != "" {
		return e.Title + ": " + e.Detail
	}
	return e.Title
}

// Field is the API's message for one form field ("" when it has none).
func (e *apiError) Field(name string) string {
	for _, f := range e.Errors {
		if f.Field == name {
			return f.Message
		}
	}
	return ""
}

// refusal is the API's refusal of what a form asked (a bad field, a
// conflict with the current state, not this person's decision, too many
// attempts): the page shows it beside the form and changes nothing. For any
// other error (signed out, not found, the service failing) it is nil and
// the page fails as a whole.
func refusal(err error) *apiError {
	var ae *apiError
	if !errors.As(err, &ae) {
		return nil
	}
	switch ae.Status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusConflict, http.StatusPreconditionFailed, http.StatusRequestEntityTooLarge,
		http.StatusUnprocessableEntity, http.StatusTooManyRequests:
		return ae
	}
	return nil
}

// notFound reports whether the API answered 404.
func notFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// changeTimeout bounds a change that outlives its browser request; the API
// answers 202 long before (Q2C_ANSWER_WAIT).
const changeTimeout = time.Minute

// errPending is an accepted change whose result is not ready yet (202).
var errPending = errors.New("accepted; still being processed")

// call sends one request to the API in-process with the visitor's token and
// decodes a success into out. A form's Idempotency-Key, when posted, goes
// with it, so a form submitted twice is one change.
func (v *visit) call(method, path string, body, out any) error {
	key := ""
	if method != http.MethodGet {
		key = v.r.PostFormValue(fieldKey)
	}
	return v.callKeyed(method, path, key, body, out)
}

// callKeyed is call with an explicit Idempotency-Key, for a form that makes
// several changes (each gets the form's key plus what it changes).
func (v *visit) callKeyed(method, path, key string, body, out any) error {
	return v.callWith(method, path, key, nil, body, out)
}

// callWith is callKeyed with more headers (a precondition such as
// If-None-Match).
func (v *visit) callWith(method, path, key string, extra http.Header, body, out any) error {
	h := http.Header{"Authorization": {"Bearer " + v.token}}
	if key != "" {
		h.Set("Idempotency-Key", key)
	}
	for k, vs := range extra {
		h[k] = vs
	}
	return v.s.callAPI(v.r, h, method, path, body, out)
}

// callAPI runs the API's handler for one request and decodes a success
// into out.
func (s *Server) callAPI(from *http.Request, h http.Header, method, path string, body, out any) error {
	rec, err := s.roundTrip(from, h, method, path, body)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(rec.body.Bytes(), out)
}

// roundTrip runs the API's handler for one request, as if the browser had
// sent it from the same address, and returns the answer; a 202 is
// errPending and a 4xx or 5xx an *apiError.
func (s *Server) roundTrip(from *http.Request, h http.Header, method, path string, body any) (*recorder, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	ctx := from.Context()
	if method != http.MethodGet {
		// A change the person asked for goes through even if they navigate
		// away or the connection drops before the answer: half a change
		// helps nobody, and a retry with the form's key finds the answer.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), changeTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = from.RemoteAddr
	for _, k := range []string{"X-Forwarded-For", "X-Request-ID", "User-Agent"} {
		if val := from.Header.Get(k); val != "" {
			req.Header.Set(k, val)
		}
	}
	for k, vals := range h {
		req.Header[k] = vals
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.API.ServeHTTP(rec, req)
	switch {
	case rec.status == http.StatusAccepted:
		return nil, fmt.Errorf("%w (%s)", errPending, rec.header.Get("Location"))
	case rec.status >= 400:
		ae := &apiError{Status: rec.status}
		if strings.Contains(rec.header.Get("Content-Type"), "json") {
			_ = json.Unmarshal(rec.body.Bytes(), ae)
		}
		ae.Status = rec.status
		if ae.Title == "" {
			ae.Title = http.StatusText(rec.status)
		}
		return nil, ae
	}
	return rec, nil
}

// download answers with an API file (a CSV export) as the API wrote it:
// its type, its file name, its bytes.
func (v *visit) download(path string) error {
	rec, err := v.s.roundTrip(v.r, http.Header{"Authorization": {"Bearer " + v.token}}, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	for _, k := range []string{"Content-Type", "Content-Disposition"} {
		v.w.Header().Set(k, rec.header.Get(k))
	}
	v.w.WriteHeader(rec.status)
	_, err = v.w.Write(rec.body.Bytes())
	return err
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// recorder is the smallest http.ResponseWriter that keeps an answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// currencyOf reads the currency of the document at an API path (an order,
// an invoice, a customer), which a form's amount is read in: the page
// never takes the currency from the form, where a posted value could make
// 250 yen of 250 dollars.
func (v *visit) currencyOf(path string) (models.Currency, error) {
	var doc struct {
		Currency models.Currency `json:"currency"`
	}
	if err := v.call(http.MethodGet, path, nil, &doc); err != nil {
		return "", err
	}
	return doc.Currency, nil
}
