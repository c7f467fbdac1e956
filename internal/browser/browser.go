// Package browser drives Debian's Chromium (chromedp) for q2c's browser
// tests: one browser per test binary, an isolated profile (own cookies) per
// person in a test, helpers that wait for what a person would see, axe-core
// accessibility checks, and screenshots to a folder that is not committed.
//
// A missing Chromium is an error, never a skip: the browser tests are part
// of `make test`, and .ci/run installs Chromium when it is missing.
package browser

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

//go:embed axe/axe.min.js
var axeSource string

// axeSHA256 is the vendored axe-core's checksum (axe/README.md).
const axeSHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

// Browser is one running headless Chromium.
type Browser struct {
	ctx         context.Context
	cancel      func()
	cancelAlloc func()
	// Shots is where screenshots go ("" keeps none).
	Shots string
}

// ExecPath finds Chromium: $Q2C_CHROMIUM, else chromium or chromium-browser
// on the PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("Q2C_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("browser: Chromium not found; install Debian's chromium (apt-get install chromium) or set Q2C_CHROMIUM")
}

// Start launches Chromium headless with the flags this sandbox needs (no
// background networking: the machine has no way out).
func Start(shots string) (*Browser, error) {
	sum := sha256.Sum256([]byte(axeSource))
	if hex.EncodeToString(sum[:]) != axeSHA256 {
		return nil, errors.New("browser: vendored axe-core does not match its checksum")
	}
	path, err := ExecPath()
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1366, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // starts the browser; no deadline, or it would die with it
		cancel()
		cancelAlloc()
		return nil, fmt.Errorf("browser: start %s: %w", path, err)
	}
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			return nil, err
		}
	}
	return &Browser{ctx: ctx, cancel: cancel, cancelAlloc: cancelAlloc, Shots: shots}, nil
}

// Close ends the browser.
func (b *Browser) Close() {
	b.cancel()
	b.cancelAlloc()
}

// Person opens a tab in a browser context of its own: one person's cookies,
// as if on their own computer. It closes when the test ends.
func (b *Browser) Person(t testing.TB, base string) *Tab {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return newTab(t, ctx, base, b.Shots)
}

// newTab creates the tab with no deadline: the first action on a context
// binds the tab's life to it, so a timeout there would close the tab.
func newTab(t testing.TB, ctx context.Context, base, shots string) *Tab {
	t.Helper()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: open a tab: %v", err)
	}
	tab := &Tab{t: t, ctx: ctx, base: base, shots: shots}
	tab.do(chromedp.EmulateViewport(1366, 900))
	return tab
}

// Tab is one browser tab a test drives.
type Tab struct {
	t     testing.TB
	ctx   context.Context
	base  string
	shots string
}

// Wait is how long a step may take before the test fails: generous, because
// a step waits for a workflow on a loaded 2-core machine; a step that is
// ready sooner returns at once.
var Wait = 30 * time.Second

// SecondTab opens another tab in the same person's browser context (same
// cookies), for a dashboard open beside the page they work on.
func (tb *Tab) SecondTab() *Tab {
	ctx, cancel := chromedp.NewContext(tb.ctx)
	tb.t.Cleanup(cancel)
	return newTab(tb.t, ctx, tb.base, tb.shots)
}

func (tb *Tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, Wait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v (page %s: %q)", err, tb.location(), tb.mainText())
	}
}

func run[T any](tb *Tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, Wait)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("browser: %v (page %s)", err, tb.location())
	}
	return v
}

func (tb *Tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	l, _ := chromedp.Run(ctx, chromedp.Location())
	return l
}

func (tb *Tab) mainText() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".error-summary")).map(e => "ERRORS: " + e.innerText).join(" ") + " " + (document.querySelector("main") || document.body || {innerText: ""}).innerText.slice(0, 400)`))
	return s
}

// Open loads path and waits for the page's heading.
func (tb *Tab) Open(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
}

// Fill types value into the field with this id (after clearing it).
func (tb *Tab) Fill(id, value string) {
	tb.t.Helper()
	// Emptied by script: chromedp.Clear cannot empty a textarea that holds
	// no text yet.
	tb.do(chromedp.WaitVisible(chromedp.ID(id)))
	tb.Exec(fmt.Sprintf(`document.getElementById(%q).value = ""; true`, id))
	tb.do(chromedp.SendKeys(chromedp.ID(id), value))
}

// Choose picks the option with this value in the select with this id.
func (tb *Tab) Choose(id, value string) {
	tb.t.Helper()
	tb.do(chromedp.SetValue(chromedp.ID(id), value))
}

// Click clicks the first element matching a CSS selector.
func (tb *Tab) Click(css string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(css)))
}

// Press sends keys to the focused element (kb.Tab, kb.Enter, text).
func (tb *Tab) Press(keys string) {
	tb.t.Helper()
	tb.do(chromedp.KeyEvent(keys))
}

// Until waits for a JavaScript condition to hold. It asks again every
// 50 ms; an evaluation that fails because the page is being replaced (a
// navigation in flight) is asked again too.
func (tb *Tab) Until(js string) {
	tb.t.Helper()
	deadline := time.Now().Add(Wait)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		tick := time.NewTimer(50 * time.Millisecond)
		<-tick.C
	}
	tb.t.Fatalf("browser: waited %s for %s (last error %v) (page %s: %q)", Wait, js, last, tb.location(), tb.mainText())
}

// WaitHeading waits until the page heading contains s: a navigation (full
// or by htmx) has landed.
func (tb *Tab) WaitHeading(s string) {
	tb.t.Helper()
	tb.Until(fmt.Sprintf(`(document.querySelector("h1")?.textContent || "").includes(%q)`, s))
}

// Refresh opens path again and again, as a person pressing reload would,
// until the element matching css contains s: for pages that show a state
// a workflow reaches moments later.
func (tb *Tab) Refresh(path, css, s string) {
	tb.t.Helper()
	cond := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(e => e.textContent.includes(%q))`, css, s)
	deadline := time.Now().Add(Wait)
	for {
		tb.Open(path)
		if run(tb, chromedp.Evaluate[bool](cond)) {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("browser: %s never showed %q in %s: %q", path, s, css, tb.mainText())
		}
		tick := time.NewTimer(100 * time.Millisecond)
		<-tick.C
	}
}

// WaitText waits until the element matching css contains s.
func (tb *Tab) WaitText(css, s string) {
	tb.t.Helper()
	tb.Until(fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(e => e.textContent.includes(%q))`, css, s))
}

// Text is the visible text of the first element matching css.
func (tb *Tab) Text(css string) string {
	tb.t.Helper()
	return run(tb, chromedp.Text(chromedp.CSS(css)))
}

// Has reports whether an element matching css exists now (no waiting).
func (tb *Tab) Has(css string) bool {
	tb.t.Helper()
	return run(tb, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, css)))
}

// Exec runs JavaScript for its effect (filling several fields at once).
func (tb *Tab) Exec(js string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](js))
}

// Eval runs JavaScript and returns its value.
func Eval[T any](tb *Tab, js string) T {
	tb.t.Helper()
	return run(tb, chromedp.Evaluate[T](js))
}

// Await runs JavaScript that returns a promise and returns what it resolves to.
func Await[T any](tb *Tab, js string) T {
	tb.t.Helper()
	return run(tb, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// Location is the tab's URL path and query.
func (tb *Tab) Location() string {
	tb.t.Helper()
	return strings.TrimPrefix(run(tb, chromedp.Location()), tb.base)
}

// Violation is one axe-core finding.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// Axe runs axe-core on the page and fails the test on any serious or
// critical violation; it returns every violation, for the closing tally.
func (tb *Tab) Axe() []Violation {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](axeSource))
	res := run(tb, chromedp.Evaluate[struct {
		Violations []Violation `json:"violations"`
	}](`axe.run(document, {resultTypes: ["violations"]}).then(r => ({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({target: n.target}))}))}))`, chromedp.EvalAwaitPromise))
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Errorf("axe on %s: %s (%s): %s at %v", tb.location(), v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	return res.Violations
}

// Shot saves the page as a laptop (1366 px) and a phone (390 px) would show
// it, whole, to the screenshots folder.
func (tb *Tab) Shot(name string) {
	tb.t.Helper()
	if tb.shots == "" {
		return
	}
	for _, size := range []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"laptop", 1366, 900, false}, {"phone", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		tb.do(chromedp.EmulateViewport(size.w, size.h, opts...))
		// Charts follow their box a moment after a resize (app.js waits for
		// the resizing to settle): shoot once they have.
		tb.Until(`Array.from(document.querySelectorAll(".chart")).every(c => { const cv = c.querySelector("canvas"); return !cv || cv.getBoundingClientRect().width <= c.clientWidth + 1; })`)
		png := run(tb, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(tb.shots, name+"-"+size.suffix+".png"), png, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
	tb.do(chromedp.EmulateViewport(1366, 900))
}
