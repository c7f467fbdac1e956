// Package messages renders what q2c tells people: for each event a subject,
// a plain-text and an HTML email body, and a short SMS, from the figures the
// workflow passes. Templates live in templates/<event>.tmpl; a missing
// figure is an error, never a blank in a customer's email.
package messages

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var files embed.FS

// Data holds an event's figures, already formatted (money, dates).
type Data map[string]string

// Rendered is a message ready for a channel.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	SMS     string
}

var (
	byEvent = map[string]*template.Template{}
	layout  = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;line-height:1.4">
{{range .Paragraphs}}<p>{{range $i, $l := .}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
{{end}}{{if .Unsubscribe}}<p style="color:#666;font-size:small">You receive this because you agreed to hear about offers. <a href="{{.Unsubscribe}}">Unsubscribe</a>.</p>
{{else}}<p style="color:#666;font-size:small">q2c · this message is about your account and orders.</p>
{{end}}</body></html>`))
)

func init() {
	entries, err := files.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		event := strings.TrimSuffix(e.Name(), ".tmpl")
		byEvent[event] = template.Must(template.New(event).Option("missingkey=error").ParseFS(files, "templates/"+e.Name()))
	}
}

// Marketing lists the events that need marketing consent and carry an
// unsubscribe link; everything else is transactional.
var Marketing = map[string]bool{"promotion": true}

// Has reports whether event has templates.
func Has(event string) bool { _, ok := byEvent[event]; return ok }

// Render fills event's templates with d.
func Render(event string, d Data) (Rendered, error) {
	t, ok := byEvent[event]
	if !ok {
		return Rendered{}, fmt.Errorf("messages: no templates for event %q", event)
	}
	part := func(name string) (string, error) {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, map[string]string(d)); err != nil {
			return "", fmt.Errorf("messages: %s %s: %w", event, name, err)
		}
		return strings.TrimSpace(b.String()), nil
	}
	var r Rendered
	var err error
	if r.Subject, err = part("subject"); err != nil {
		return Rendered{}, err
	}
	if r.Text, err = part("text"); err != nil {
		return Rendered{}, err
	}
	if r.SMS, err = part("sms"); err != nil {
		return Rendered{}, err
	}
	var paragraphs [][]string
	for _, p := range strings.Split(r.Text, "\n\n") {
		paragraphs = append(paragraphs, strings.Split(p, "\n"))
	}
	var h bytes.Buffer
	if Marketing[event] && d["unsubscribe_url"] == "" {
		return Rendered{}, fmt.Errorf("messages: %s is marketing and needs an unsubscribe_url", event)
	}
	view := struct {
		Paragraphs  [][]string
		Unsubscribe string
	}{Paragraphs: paragraphs}
	if Marketing[event] {
		view.Unsubscribe = d["unsubscribe_url"]
		// The plain-text link is already in the last paragraph; the HTML has its own.
		view.Paragraphs = paragraphs[:len(paragraphs)-1]
	}
	if err := layout.Execute(&h, view); err != nil {
		return Rendered{}, err
	}
	r.HTML = h.String()
	return r, nil
}
