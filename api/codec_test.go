package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/store"
)

// TestCodecForITAdmins: an IT admin's Temporal Web UI seals a payload
// through the API and opens it again; the decode is audited; a body that
// is not payloads is a 400 naming them.
func TestCodecForITAdmins(t *testing.T) {
	ring, err := keyring.Parse(keyring.Generate("k1"))
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(strings.Repeat("k", 32), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Deps{Store: testdb.Postgres(t), Tokens: tokens, Logger: testdb.Quiet, TaskQueue: "test", PayloadCodec: keyring.Codec{Ring: ring}})
	admin := tokenFor(t, s, tokens, "it_admin")
	post := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w
	}
	plain, _ := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{{
		Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`{"email":"ann@example.com"}`)}}})
	sealed := post("/api/v1/codec/encode", string(plain))
	if sealed.Code != http.StatusOK || strings.Contains(sealed.Body.String(), "ann@example.com") || !strings.Contains(sealed.Body.String(), "q2c-key-id") {
		t.Fatalf("encode: %d %s", sealed.Code, sealed.Body)
	}
	opened := post("/api/v1/codec/decode", sealed.Body.String())
	var out commonpb.Payloads
	if opened.Code != http.StatusOK || protojson.Unmarshal(opened.Body.Bytes(), &out) != nil || string(out.Payloads[0].Data) != `{"email":"ann@example.com"}` {
		t.Fatalf("decode: %d %s", opened.Code, opened.Body)
	}
	if w := post("/api/v1/codec/decode", `{"payloads": 7}`); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"payloads"`) {
		t.Fatalf("bad body: %d %s", w.Code, w.Body)
	}
	l, err := s.Store.ListAudit(t.Context(), "temporal", "", store.Page{})
	if err != nil || len(l.Items) != 1 || l.Items[0].Action != "codec.decode" {
		t.Fatalf("audit of decodes: %+v, %v", l.Items, err)
	}
}
