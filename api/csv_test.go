package api

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"a formula", "=HYPERLINK(\"http://evil\",\"click\")", "'=HYPERLINK(\"http://evil\",\"click\")"},
		{"a plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"a minus that is not a number", "-2+3", "'-2+3"},
		{"an at", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"a tab", "\t=1", "'\t=1"},
		{"a carriage return", "\r=1", "'\r=1"},
		{"a negative amount stays a number", "-12.50", "-12.50"},
		{"a signed whole number", "+3", "+3"},
		{"a name", "Acme Corp", "Acme Corp"},
		{"an equals sign inside", "a=b", "a=b"},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := csvCell(c.in); got != c.want {
				t.Fatalf("csvCell(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// FuzzCSVCell: whatever a person typed, the written cell reads back as
// csvCell made it, and a spreadsheet never sees it begin a formula.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"=1+1", "-12.50", "Acme, \"Inc\"", "@x", "\t\r\n", "'=already"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := csvCell(s)
		if cell != "" && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r') &&
			!plainNumber.MatchString(cell) {
			t.Fatalf("csvCell(%q) = %q still begins a formula", s, cell)
		}
		if cell != s && cell != "'"+s {
			t.Fatalf("csvCell(%q) = %q changed more than a leading apostrophe", s, cell)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{cell, "next"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		rec, err := csv.NewReader(&buf).Read()
		// encoding/csv turns \r\n inside a quoted field into \n on reading.
		if err != nil || len(rec) != 2 || (rec[0] != cell && rec[0] != bytesReplaceCRLF(cell)) || rec[1] != "next" {
			t.Fatalf("%q wrote and read back as %q, %v", cell, rec, err)
		}
	})
}

func bytesReplaceCRLF(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("\r\n"), []byte("\n")))
}
