package models

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that the store and the workflows return and that the API
// turns into HTTP answers in one place.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
)

// FieldError names one invalid input field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError is a list of field errors. It is returned for bad input and
// always leaves state unchanged.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Validator collects field errors; its Err is nil when nothing was added.
type Validator struct{ fields []FieldError }

// Add records that field is invalid.
func (v *Validator) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records message for field when ok is false.
func (v *Validator) Check(ok bool, field, message string) {
	if !ok {
		v.Add(field, "%s", message)
	}
}

// Err returns a *ValidationError, or nil when every check passed.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}

// Invalid is a shorthand for a validation error on a single field.
func Invalid(field, format string, args ...any) error {
	var v Validator
	v.Add(field, format, args...)
	return v.Err()
}

// NotFound wraps ErrNotFound with what was missing.
func NotFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, ErrNotFound) }

// Conflict wraps ErrConflict with why.
func Conflict(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrConflict)
}
