package models_test

import (
	"errors"
	"testing"

	"github.com/q2c-dev/q2c/models"
)

func TestTextRefusesControlCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
		max              int
	}{
		{"plain", "Gate B, ring twice", "", 0},
		{"lines and a tab", "Gate B\r\n\tring twice", "", 0},
		{"accents and emoji", "Livraison à l'arrière 📦", "", 0},
		{"NUL", "Gate\x00B", "must not contain control characters (only tab and line breaks)", 0},
		{"escape", "Gate \x1b[31mB", "must not contain control characters (only tab and line breaks)", 0},
		{"C1 control", "Gate \u0085B", "must not contain control characters (only tab and line breaks)", 0},
		{"invalid UTF-8", "Gate \xffB", "must be valid UTF-8 text", 0},
		{"blank but required", "  ", "is required", 0},
		{"too long", "abcdef", "must be at most 5 characters", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v models.Validator
			limit := tc.max
			if limit == 0 {
				limit = models.MaxCommentLen
			}
			v.Text("delivery_instructions", tc.text, true, limit)
			var ve *models.ValidationError
			got := ""
			if err := v.Err(); errors.As(err, &ve) {
				got = ve.Fields[0].Message
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
