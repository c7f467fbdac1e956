package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// bodyTypes are the request bodies of every route that takes one, by route.
func bodyTypes() map[string]reflect.Type {
	s := &Server{}
	out := map[string]reflect.Type{}
	for _, r := range s.routeTable() {
		if r.Body != nil && r.ContentType == "" {
			out[r.Method+" "+r.Path] = reflect.TypeOf(r.Body)
		}
	}
	return out
}

// FuzzRequestBodies feeds arbitrary bytes to every route's body decoder
// and validation, as bind does: none may panic, and every refusal must be
// a 4xx problem naming a field, never a 500.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{`{}`, `{"lines":[{"sku":"WID-100","qty":2}]}`, `{"qty":-1}`, `{"email":"a@b.c","password":"x"}`,
		`{"amount":9223372036854775807}`, `{"at":"2026-13-40"}`, `{"customer_id":null}`, `[1]`, `null`, `{"a":1}{"b":2}`, "{\"name\":\"\u0000\"}"} {
		f.Add([]byte(seed))
	}
	types := bodyTypes()
	if len(types) < 40 {
		f.Fatalf("only %d routes with a JSON body found: the route table changed shape", len(types))
	}
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, name := range names {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "/", bytes.NewReader(body))
			c.Request.Header.Set("Content-Type", "application/json")
			dst := reflect.New(types[name]).Interface()
			err := decodeJSON(c, dst)
			if err == nil {
				v, ok := dst.(validatable)
				if !ok {
					continue
				}
				if err = v.Validate(); err == nil {
					continue
				}
			}
			p := problemOf(err)
			if p.Status < 400 || p.Status > 499 {
				t.Fatalf("%s: %q answered %d (%s): %v", name, body, p.Status, p.Title, err)
			}
			if len(p.Errors) == 0 && p.Detail == "" {
				t.Fatalf("%s: %q refused without saying why: %+v", name, body, p)
			}
		}
	})
}

// TestDuplicateKeysAreFoundAtAnyDepth: the path names where the key
// repeats; the same key in two different objects is no repeat; keys of an
// object decoded into a struct repeat ignoring case (encoding/json matches
// fields so), a map's keys only exactly.
func TestDuplicateKeysAreFoundAtAnyDepth(t *testing.T) {
	type line struct {
		SKU string `json:"sku"`
		Qty int64  `json:"qty"`
	}
	type inner struct {
		Rates map[string]int64 `json:"rates"`
	}
	type body struct {
		A     any    `json:"a"`
		B     any    `json:"b"`
		C     []line `json:"c"`
		Lines []line `json:"lines"`
		inner
	}
	for _, tc := range []struct{ name, body, want string }{
		{"none", `{"a":1,"b":{"a":2},"c":[{"sku":"A"},{"sku":"B"}]}`, ""},
		{"top level", `{"a":1,"a":2}`, "a"},
		{"top level, another case", `{"a":1,"A":2}`, "A"},
		{"nested object of any type", `{"b":{"x":1,"y":2,"x":3}}`, "b.x"},
		{"inside a list", `{"lines":[{"sku":"A","qty":1},{"sku":"B","qty":1,"qty":9}]}`, "lines[1].qty"},
		{"inside a list, another case", `{"lines":[{"sku":"B","qty":1,"QTY":9}]}`, "lines[0].QTY"},
		{"after a nested value", `{"a":{"b":[1,2,{"c":1}]},"a":0}`, "a"},
		{"a map's keys differ by case", `{"rates":{"us-ca":1,"US-CA":2}}`, ""},
		{"a map's key twice", `{"rates":{"US-CA":1,"US-CA":2}}`, "rates.US-CA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := duplicateKey(json.NewDecoder(strings.NewReader(tc.body)), "", reflect.TypeOf(&body{})); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
