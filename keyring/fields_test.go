package keyring

import (
	"strings"
	"testing"
)

func TestSealedFields(t *testing.T) {
	oldKey, newKey := Generate("k1"), Generate("k2")
	before, _ := Parse(oldKey)
	after, _ := Parse(newKey + "," + oldKey)
	other, _ := Parse(Generate("k1"))

	sealed := before.SealField("ana@example.com", "users.email")
	if !IsSealed(sealed) || strings.Contains(sealed, "ana") || sealed == before.SealField("ana@example.com", "users.email") {
		t.Fatalf("sealed %q: must hide the value and differ each time", sealed)
	}
	tests := []struct {
		name, stored, column string
		ring                 *Ring
		want, err            string
	}{
		{"opens with its key", sealed, "users.email", before, "ana@example.com", ""},
		{"opens after a rotation", sealed, "users.email", after, "ana@example.com", ""},
		{"bound to its column", sealed, "customers.email", before, "", "message authentication failed"},
		{"another ring's k1 does not open it", sealed, "users.email", other, "", "message authentication failed"},
		{"a value from before sealing reads as it is", "bob@example.com", "users.email", before, "bob@example.com", ""},
		{"empty stays empty", before.SealField("", "users.phone"), "users.phone", before, "", ""},
		{"malformed", "q2c:s1:k1", "users.email", before, "", "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ring.OpenField(tc.stored, tc.column)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("OpenField = %q, %v; want an error saying %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("OpenField = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	oldKey, newKey := Generate("k1"), Generate("k2")
	before, _ := Parse(oldKey)
	after, _ := Parse(newKey + "," + oldKey)
	h := before.Lookup("email", "ana@example.com")
	switch {
	case h != before.Lookup("email", "ana@example.com"):
		t.Fatal("a lookup hash must be the same each time")
	case h == before.Lookup("phone", "ana@example.com"):
		t.Fatal("kinds must hash apart")
	case strings.Contains(h, "ana"):
		t.Fatal("the hash shows the value")
	}
	got := after.Lookups("email", "ana@example.com")
	if len(got) != 2 || got[1] != h || got[0] != after.Lookup("email", "ana@example.com") || got[0] == h {
		t.Fatalf("after a rotation: %v; want the new key's hash first, then %s", got, h)
	}
}
