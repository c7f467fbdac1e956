package keyring

import (
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
)

func TestParseRefusesBadRings(t *testing.T) {
	good := Generate("k1")
	for _, c := range []struct{ name, spec, want string }{
		{"empty", "", "want id=base64key"},
		{"no id", strings.TrimPrefix(good, "k1"), "want id=base64key"},
		{"a short key", "k1=c2hvcnQ=", "32 bytes"},
		{"not base64", "k1=***", "32 bytes"},
		{"an id with a space", "k 1=" + strings.SplitN(good, "=", 2)[1], "want id=base64key"},
		{"a key twice", good + "," + good, "appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(c.spec); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse(%q) = %v, want an error saying %q", c.spec, err, c.want)
			}
		})
	}
}

// TestRotation: what the old key sealed opens after a new key is put
// first; the new key seals from then on; a ring without the old key says
// which key is missing.
func TestRotation(t *testing.T) {
	oldKey, newKey := Generate("2026a"), Generate("2026b")
	before, _ := Parse(oldKey)
	after, _ := Parse(newKey + "," + oldKey)
	retired, _ := Parse(newKey)
	in := []*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"Ann Smith"`)}}

	sealed, err := Codec{before}.Encode(in)
	if err != nil || string(sealed[0].Metadata[MetadataKeyID]) != "2026a" || strings.Contains(string(sealed[0].Data), "Ann") {
		t.Fatalf("sealed %v, %v", sealed, err)
	}
	opened, err := Codec{after}.Decode(sealed)
	if err != nil || string(opened[0].Data) != `"Ann Smith"` || string(opened[0].Metadata["encoding"]) != "json/plain" {
		t.Fatalf("after rotation: %v, %v", opened, err)
	}
	if resealed, _ := (Codec{after}).Encode(in); string(resealed[0].Metadata[MetadataKeyID]) != "2026b" {
		t.Fatalf("the new key does not seal: %s", resealed[0].Metadata[MetadataKeyID])
	}
	if _, err := (Codec{retired}).Decode(sealed); !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "2026a") {
		t.Fatalf("without the old key: %v", err)
	}
	// A payload from before the codec passes through as it is.
	if out, err := (Codec{after}).Decode(in); err != nil || out[0] != in[0] {
		t.Fatalf("plain payload: %v, %v", out, err)
	}
	// Tampered ciphertext does not open.
	sealed[0].Data[len(sealed[0].Data)-1] ^= 1
	if _, err := (Codec{after}).Decode(sealed); err == nil {
		t.Fatal("a tampered payload opened")
	}
}
