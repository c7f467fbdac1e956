package itest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/q2c-dev/q2c/internal/browser"
	"github.com/q2c-dev/q2c/seed"
)

// One Chromium serves every browser test in this binary.
var (
	browserOnce sync.Once
	sharedB     *browser.Browser
	browserErr  error
)

// theBrowser starts Chromium on first use. Without Chromium the test fails:
// browser tests never skip.
func theBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	browserOnce.Do(func() {
		shots := os.Getenv("Q2C_SCREENSHOTS")
		if shots == "" {
			shots = filepath.Join("..", "screenshots")
		}
		sharedB, browserErr = browser.Start(shots)
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return sharedB
}

func closeBrowser() {
	if sharedB != nil {
		sharedB.Close()
	}
}

// signIn opens the login page in a fresh profile and signs in as email.
func signIn(t *testing.T, a *app, email string) *browser.Tab {
	t.Helper()
	tab := theBrowser(t).Person(t, a.base())
	tab.Open("/login")
	// With the keyboard alone: type, Tab, type, Enter.
	tab.Fill("f-email", email)
	tab.Press(kb.Tab)
	tab.Press(seed.DemoPassword)
	tab.Press(kb.Enter)
	tab.Until(`document.querySelector("a[href='/profile']") !== null`)
	return tab
}

// navLinks are the pages the signed-in person's navigation offers.
func navLinks(tab *browser.Tab) []string {
	return browser.Eval[[]string](tab, `Array.from(document.querySelectorAll("nav.side a")).map(a => a.getAttribute("href")).filter(h => h.startsWith("/"))`)
}

// TestWebEveryPageOfEveryRole signs in as each demo user, opens every page
// their navigation offers, checks it renders (no error page) and runs axe
// on it; the main pages are saved as screenshots at laptop and phone width.
func TestWebEveryPageOfEveryRole(t *testing.T) {
	a := newApp(t)
	users := []string{"buyer@acme.example", "rep@q2c.local", "manager@q2c.local", "approver@q2c.local", "warehouse@q2c.local",
		"supply@q2c.local", "production@q2c.local", "finance@q2c.local", "service@q2c.local", "servicelead@q2c.local", "pricing@q2c.local",
		"marketing@q2c.local", "exec@q2c.local", "admin@q2c.local"}
	seen := map[string]bool{}
	var tally []string
	for _, email := range users {
		t.Run(email, func(t *testing.T) {
			tab := signIn(t, a, email)
			links := navLinks(tab)
			if len(links) == 0 {
				t.Fatalf("%s sees no navigation", email)
			}
			// Detail pages reached from a list, once each.
			for _, list := range []string{"/admin/users", "/customers"} {
				if slices.Contains(links, list) {
					tab.Open(list)
					links = append(links, browser.Eval[string](tab, `document.querySelector("main table a").getAttribute("href")`))
				}
			}
			for _, href := range append([]string{"/"}, links...) {
				tab.Open(href)
				if h := tab.Text("h1"); strings.Contains(h, "Something went wrong") || strings.Contains(h, "Not for your role") || strings.Contains(h, "not answering") ||
					h == "Not found" {
					t.Errorf("%s: %s shows %q: %s", email, href, h, tab.Text("main"))
				}
				for _, v := range tab.Axe() {
					tally = append(tally, fmt.Sprintf("%s %s %s", href, v.ID, v.Impact))
				}
				if key := detailKey(href); !seen[key] {
					seen[key] = true
					tab.Shot(key)
				}
			}
		})
	}
	t.Logf("axe: %d pages checked, %d minor or moderate findings: %v", len(seen), len(tally), tally)
}

// detailKey names a page for the tally and its screenshot: detail pages
// by their list ("admin-users-detail").
func detailKey(href string) string {
	for _, list := range []string{"/admin/users/", "/customers/"} {
		if strings.HasPrefix(href, list) {
			return shotName(list) + "-detail"
		}
	}
	return shotName(href)
}

func shotName(href string) string {
	n := strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(strings.Trim(href, "/"))
	if n == "" {
		return "home"
	}
	return n
}
