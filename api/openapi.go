package api

import (
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
)

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// queryParam is a query parameter as a route's summary names it
// ("?status="): the summary says what it does, the description lists it,
// so clients and generated SDKs know the filters exist.
var queryParam = regexp.MustCompile(`\?([a-z_]+)=`)

// OpenAPIPath turns a gin path (/quotes/:id) into an OpenAPI one (/quotes/{id}).
func OpenAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// openAPI builds the OpenAPI 3.0 description from the route table, so it
// always lists exactly the routes the server serves, with their roles.
func (s *Server) openAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, r := range s.routes {
		op := map[string]any{
			"summary":     r.Summary,
			"operationId": strings.ToLower(r.Method) + strings.NewReplacer("/", "_", ":", "", "-", "_").Replace(r.Path),
			"responses": map[string]any{
				"2XX":     map[string]any{"description": "Success", "content": map[string]any{"application/json": map[string]any{"schema": answerSchema(r.Answer)}}},
				"default": map[string]any{"$ref": "#/components/responses/Problem"},
			},
		}
		if r.Public {
			op["security"] = []any{}
		} else {
			roles := make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = string(role)
			}
			op["x-roles"] = roles
			op["description"] = "Roles: " + strings.Join(roles, ", ") + "."
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/api/") {
			params = append(params,
				map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 200}},
				map[string]any{"name": "cursor", "in": "query", "schema": map[string]any{"type": "string"}})
			seen := map[string]bool{"limit": true, "cursor": true}
			for _, m := range queryParam.FindAllStringSubmatch(r.Summary, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					params = append(params, map[string]any{"name": m[1], "in": "query", "schema": map[string]any{"type": "string"},
						"description": "See the summary."})
				}
			}
		}
		if !r.Public && r.Method != http.MethodGet {
			params = append(params, map[string]any{"name": HeaderIdempotencyKey, "in": "header", "schema": map[string]any{"type": "string", "maxLength": 255},
				"description": "Makes a retried request run once; the first answer is replayed."})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Body != nil {
			ct := r.ContentType
			if ct == "" {
				ct = "application/json"
			}
			schema := schemaOf(reflect.TypeOf(r.Body), 0)
			if req := requiredFields(r.Body); len(req) > 0 {
				schema["required"] = req
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{ct: map[string]any{"schema": schema}}}
		}
		p := OpenAPIPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "q2c API", "version": s.Version,
			"description": "Quote-to-cash and backorder management. Errors are application/problem+json (RFC 9457)."},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"apiKey": []any{}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT or q2c_ API key"},
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key"},
			},
			"responses": map[string]any{"Problem": map[string]any{"description": "An error", "content": map[string]any{
				ProblemContentType: map[string]any{"schema": schemaOf(reflect.TypeOf(Problem{}), 0)}}}},
		},
	}
}

func (s *Server) serveOpenAPI(c *gin.Context) { c.JSON(http.StatusOK, s.openAPI()) }

var timeType = reflect.TypeOf(time.Time{})

// requiredFields are the top-level fields a request body's own validation
// requires: those it names "is required" when given the empty body. The
// description so follows the rule the server applies, instead of a second
// list kept beside it.
func requiredFields(body any) []string {
	v, ok := reflect.Zero(reflect.TypeOf(body)).Interface().(validatable)
	if !ok {
		return nil
	}
	var ve *models.ValidationError
	if !errors.As(v.Validate(), &ve) {
		return nil
	}
	var out []string
	for _, f := range ve.Fields {
		if !strings.ContainsAny(f.Field, "[.") && strings.HasPrefix(f.Message, "is required") && !slices.Contains(out, f.Field) {
			out = append(out, f.Field)
		}
	}
	slices.Sort(out)
	return out
}

// answerSchema describes a route's success body: its Answer's type, one
// of several, or any object when the route does not say.
func answerSchema(answer any) map[string]any {
	switch a := answer.(type) {
	case nil:
		return map[string]any{"type": "object"}
	case oneOf:
		alts := make([]any, len(a))
		for i, t := range a {
			alts[i] = schemaOf(reflect.TypeOf(t), 0)
		}
		return map[string]any{"oneOf": alts}
	}
	return schemaOf(reflect.TypeOf(answer), 0)
}

// schemaOf describes a Go type as a JSON schema, following json tags. A
// pointer, slice or map may be null (encoding/json writes nil so).
func schemaOf(t reflect.Type, depth int) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	out := typeSchema(t, depth)
	if nullable || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		out["nullable"] = true
	}
	return out
}

func typeSchema(t reflect.Type, depth int) map[string]any {
	if depth > 8 {
		return map[string]any{"type": "object"}
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), depth+1)}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), depth+1)}
	case t.Kind() == reflect.Struct:
		props := map[string]any{}
		addFields(t, props, depth)
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any, depth int) {
	jsonFields(t, func(name string, f reflect.StructField) { props[name] = schemaOf(f.Type, depth+1) })
}

// jsonFields calls fn for each field encoding/json reads of struct t, by
// its JSON name; an embedded struct's fields count as t's own.
func jsonFields(t reflect.Type, fn func(name string, f reflect.StructField)) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != timeType {
				jsonFields(ft, fn)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fn(name, f)
	}
}
