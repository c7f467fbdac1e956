package apicheck

import (
	"strings"
	"testing"
)

// doc describes two routes the way package api writes its description:
// a thing with a nullable list, and the same path with a literal segment
// that must not be read as the parameter.
const doc = `{"paths":{
 "/things/{id}":{"get":{"responses":{"2XX":{"content":{"application/json":{"schema":
  {"type":"object","additionalProperties":false,"properties":{
   "id":{"type":"string"},"qty":{"type":"integer","format":"int64"},"open":{"type":"boolean"},
   "tags":{"type":"array","nullable":true,"items":{"type":"string"}},
   "by":{"oneOf":[{"type":"string"},{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string"}}}]}}}}}}}}},
 "/things/count":{"get":{"responses":{"2XX":{"content":{"application/json":{"schema":{"type":"integer"}}}}}}}}}`

func TestAnswersAreHeldToTheirDescription(t *testing.T) {
	c, err := New([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		wrong                    string // "" when the answer conforms
	}{
		{"as described", "GET", "/things/7", `{"id":"7","qty":3,"open":true,"tags":["a"],"by":{"name":"Sam"}}`, 200, ""},
		{"a nullable list may be null", "GET", "/things/7?x=1", `{"tags":null}`, 200, ""},
		{"one of the forms", "GET", "/things/7", `{"by":"Sam"}`, 200, ""},
		{"a key not described", "GET", "/things/7", `{"id":"7","colour":"red"}`, 200, `"colour"`},
		{"a string where an integer is", "GET", "/things/7", `{"qty":"3"}`, 200, "$.qty"},
		{"a fraction where an integer is", "GET", "/things/7", `{"qty":3.5}`, 200, "$.qty"},
		{"null where nothing is nullable", "GET", "/things/7", `{"id":null}`, 200, "$.id"},
		{"an item of the wrong type", "GET", "/things/7", `{"tags":["a",1]}`, 200, "$.tags[1]"},
		{"none of the forms", "GET", "/things/7", `{"by":{"email":"x"}}`, 200, "none of its forms"},
		{"the literal path beats the parameter", "GET", "/things/count", `12`, 200, ""},
		{"a refusal is not held to the success body", "GET", "/things/7", `{"title":"Not found"}`, 404, ""},
		{"a route the description lacks", "GET", "/nothing", `{}`, 200, "no such route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Check(tc.method, tc.path, tc.status, "application/json; charset=utf-8", []byte(tc.body))
			switch {
			case tc.wrong == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wrong != "" && (err == nil || !strings.Contains(err.Error(), tc.wrong)):
				t.Fatalf("got %v, want an error naming %s", err, tc.wrong)
			}
		})
	}
}
