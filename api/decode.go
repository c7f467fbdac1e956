package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

var (
	errUnknownField    = errors.New("unknown field")
	errDuplicateField  = errors.New("a field appears twice")
	errMalformed       = errors.New("malformed body")
	errUnsupportedType = errors.New("unsupported media type")
	// errEmptyBody is a request without a body (it is malformed too).
	errEmptyBody = fmt.Errorf("%w: the body is empty; send a JSON object", errMalformed)
)

// validatable is a request body that checks itself.
type validatable interface{ Validate() error }

// bind decodes the JSON body strictly into dst and validates it. On failure it
// answers with a problem and returns false; the handler must then return.
// Strict means: Content-Type JSON, no unknown fields, exactly one value.
func bind(c *gin.Context, dst validatable) bool {
	err := decodeJSON(c, dst)
	if errors.Is(err, errEmptyBody) && dst.Validate() == nil {
		// An action whose fields are all optional (accept, withdraw,
		// approve) needs no body: none is the empty object.
		err = nil
	}
	if err != nil {
		fail(c, err)
		return false
	}
	if err := dst.Validate(); err != nil {
		fail(c, err)
		return false
	}
	return true
}

func decodeJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return fmt.Errorf("%w: %q", errUnsupportedType, ct)
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return err // *http.MaxBytesError for oversize bodies
	}
	switch trimmed := bytes.TrimSpace(body); {
	case len(trimmed) == 0:
		return errEmptyBody
	case trimmed[0] != '{':
		// null, a list or a bare value would decode into nothing (encoding/json
		// leaves a struct untouched for null), so every route would see an
		// empty request; refuse them all the same way instead.
		return fmt.Errorf("%w: send a JSON object, not %s", errMalformed, jsonKind(trimmed[0]))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return fmt.Errorf("%w: %s", errUnknownField, strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return &json.SyntaxError{Offset: int64(len(body))}
		}
		var pe *time.ParseError
		if errors.As(err, &pe) {
			return badTime(body, pe)
		}
		if strings.Contains(err.Error(), "Time.UnmarshalJSON") {
			// A date given as a number, a list or an object: what was sent
			// is wrong, never the server (the fuzz target found {"at": 0}).
			return badTimeKind(body, dst)
		}
		var typeErr *json.UnmarshalTypeError
		var syntax *json.SyntaxError
		if errors.As(err, &typeErr) || errors.As(err, &syntax) {
			return err // problemOf names the field, or the byte
		}
		// Whatever else the decoder refuses, the body is at fault.
		return fmt.Errorf("%w: %v", errMalformed, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: more than one JSON value", errMalformed)
	}
	if path := duplicateKey(json.NewDecoder(bytes.NewReader(body)), "", reflect.TypeOf(dst)); path != "" {
		return &duplicateField{path: path}
	}
	return nil
}

// duplicateField is a key given twice in one object, which encoding/json
// would settle silently by taking the last: a client that sent
// {"qty":1,"qty":100} meant one of them, and q2c cannot know which.
type duplicateField struct{ path string }

func (e *duplicateField) Error() string { return errDuplicateField.Error() + ": " + e.path }
func (e *duplicateField) Unwrap() error { return errDuplicateField }

// duplicateKey walks the next JSON value (already decoded once into t, so
// well formed) and returns the path of the first key its object repeats
// ("lines[1].qty"), or "". An object decoded into a struct matches its
// keys to fields ignoring case, as encoding/json does, so "qty" and "QTY"
// are one field given twice; a map's keys are its own.
func duplicateKey(dec *json.Decoder, path string, t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return ""
	}
	switch tok {
	case json.Delim('{'):
		isStruct := t != nil && t.Kind() == reflect.Struct
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			key, ok := k.(string)
			if err != nil || !ok {
				return ""
			}
			at := key
			if path != "" {
				at = path + "." + key
			}
			same, child := key, reflect.Type(nil)
			switch {
			case isStruct:
				same, child = strings.ToLower(key), jsonFieldType(t, key)
			case t != nil && t.Kind() == reflect.Map:
				child = t.Elem()
			}
			if seen[same] {
				return at
			}
			seen[same] = true
			if d := duplicateKey(dec, at, child); d != "" {
				return d
			}
		}
		_, _ = dec.Token() // the closing brace
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if d := duplicateKey(dec, fmt.Sprintf("%s[%d]", path, i), elem); d != "" {
				return d
			}
		}
		_, _ = dec.Token()
	}
	return ""
}

// jsonFieldType is the type of struct t's field that JSON key decodes
// into (encoding/json matches names ignoring case), or nil.
func jsonFieldType(t reflect.Type, key string) reflect.Type {
	var out reflect.Type
	jsonFields(t, func(name string, f reflect.StructField) {
		if out == nil && strings.EqualFold(name, key) {
			out = f.Type
		}
	})
	return out
}

// unknownFieldName pulls the field name out of an unknown-field error.
func unknownFieldName(err error) string {
	msg := strings.TrimPrefix(err.Error(), errUnknownField.Error()+": ")
	if s, uerr := strconv.Unquote(msg); uerr == nil {
		return s
	}
	return msg
}

// pageParams reads ?limit= and ?cursor=.
func pageParams(c *gin.Context) (store.Page, error) {
	var p store.Page
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			n = -1
		}
		p.Limit = n
	}
	p.Cursor = c.Query("cursor")
	return p, p.Validate()
}

// jsonKind names the kind of JSON value that starts with b, for messages.
func jsonKind(b byte) string {
	switch b {
	case 'n':
		return "null"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a bare value"
}

// badTime names the field of a date or time that is not RFC 3339: the JSON
// decoder says only which value failed, so the top-level field holding that
// value is looked up.
func badTime(body []byte, pe *time.ParseError) error {
	var top map[string]json.RawMessage
	field := "body"
	if json.Unmarshal(body, &top) == nil {
		quoted, _ := json.Marshal(pe.Value)
		for k, v := range top {
			if bytes.Equal(bytes.TrimSpace(v), quoted) {
				field = k
				break
			}
		}
	}
	return models.Invalid(field, "must be a date and time like 2026-06-30T00:00:00Z (RFC 3339)")
}

// badTimeKind names the date and time field sent as something other than a
// string: the first top-level field of dst's type that is a time.Time (or
// *time.Time) and whose value in the body is not a JSON string.
func badTimeKind(body []byte, dst any) error {
	var top map[string]json.RawMessage
	_ = json.Unmarshal(body, &top)
	field := "body"
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		timeType := reflect.TypeOf(time.Time{})
		for i := range t.NumField() {
			f := t.Field(i)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if ft != timeType || name == "" || name == "-" {
				continue
			}
			for k, v := range top {
				if strings.EqualFold(k, name) && len(bytes.TrimSpace(v)) > 0 && bytes.TrimSpace(v)[0] != '"' && string(bytes.TrimSpace(v)) != "null" {
					field = name
				}
			}
		}
	}
	return models.Invalid(field, "must be a date and time like 2026-06-30T00:00:00Z (RFC 3339), as a string")
}
