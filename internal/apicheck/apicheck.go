// Package apicheck holds API answers to the OpenAPI description the server
// publishes: the tests that call the API pass every answer through a
// Checker, so a route whose answer drifts from what it says it returns
// fails the test that saw it, instead of misleading a client generated
// from the description.
package apicheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"sort"
	"strings"
)

// Checker knows the described answers of every route.
type Checker struct {
	routes []route
}

type route struct {
	method  string
	pattern *regexp.Regexp
	params  int // fewer path parameters: a more specific route
	schemas map[string]any
}

// param is a path parameter in a described path; quotedParam the same
// once regexp.QuoteMeta has escaped the path's braces.
var (
	param       = regexp.MustCompile(`\{[^}]+\}`)
	quotedParam = regexp.MustCompile(`\\\{[^}]+\\\}`)
)

// New reads an OpenAPI 3 description (JSON).
func New(doc []byte) (*Checker, error) {
	var d struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("apicheck: the description: %w", err)
	}
	c := &Checker{}
	for path, ops := range d.Paths {
		re := regexp.MustCompile("^" + quotedParam.ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$")
		for method, op := range ops {
			r := route{method: strings.ToUpper(method), pattern: re, params: len(param.FindAllString(path, -1)), schemas: map[string]any{}}
			if ok, found := op.Responses["2XX"]; found {
				if js, found := ok.Content["application/json"]; found {
					r.schemas["2XX"] = js.Schema
				}
			}
			c.routes = append(c.routes, r)
		}
	}
	sort.SliceStable(c.routes, func(i, j int) bool { return c.routes[i].params < c.routes[j].params })
	return c, nil
}

// Check holds one answer to the route's described success body. Only
// 200 and 201 JSON answers are checked: a 202 carries an operation, and
// CSV and other media have no JSON schema.
func (c *Checker) Check(method, path string, status int, contentType string, body []byte) error {
	if status != 200 && status != 201 {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		return nil
	}
	path, _, _ = strings.Cut(path, "?")
	for _, r := range c.routes {
		if r.method != method || !r.pattern.MatchString(path) {
			continue
		}
		schema, ok := r.schemas["2XX"].(map[string]any)
		if !ok {
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s %s: the answer is not JSON: %w", method, path, err)
		}
		if err := conforms(schema, v, "$"); err != nil {
			return fmt.Errorf("%s %s answered what its description does not say: %w", method, path, err)
		}
		return nil
	}
	return fmt.Errorf("%s %s: no such route in the description", method, path)
}

// conforms reports where v departs from schema (the subset of JSON Schema
// that schemaOf in package api writes).
func conforms(schema map[string]any, v any, at string) error {
	if alts, ok := schema["oneOf"].([]any); ok {
		var errs []string
		for _, alt := range alts {
			err := conforms(alt.(map[string]any), v, at)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s matches none of its forms: %s", at, strings.Join(errs, " | "))
	}
	if v == nil {
		if schema["nullable"] == true || schema["type"] == nil {
			return nil
		}
		return fmt.Errorf("%s is null, described as %v and not nullable", at, schema["type"])
	}
	switch schema["type"] {
	case nil:
		return nil // any value
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s is %T, described as a string", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s is %T, described as a boolean", at, v)
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return fmt.Errorf("%s is %v, described as an integer", at, v)
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s is %T, described as an array", at, v)
		}
		item, _ := schema["items"].(map[string]any)
		for i, e := range items {
			if err := conforms(item, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is %T, described as an object", at, v)
		}
		props, _ := schema["properties"].(map[string]any)
		for _, k := range sortedKeys(obj) {
			if p, ok := props[k].(map[string]any); ok {
				if err := conforms(p, obj[k], at+"."+k); err != nil {
					return err
				}
				continue
			}
			switch extra := schema["additionalProperties"].(type) {
			case bool:
				if !extra {
					return fmt.Errorf("%s has %q, which its description does not list", at, k)
				}
			case map[string]any:
				if err := conforms(extra, obj[k], at+"."+k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
