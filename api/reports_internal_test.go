package api

import "testing"

func TestTenthsAreWrittenExactly(t *testing.T) {
	for v, want := range map[int64]string{2756: "275.6", 0: "0.0", 5: "0.5", -15: "-1.5", -4: "-0.4", 30: "3.0"} {
		if got := tenths(v); got != want {
			t.Errorf("tenths(%d) = %q, want %q", v, got, want)
		}
	}
}
