package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestVendoredFilesMatchTheirChecksums reads static/VENDOR.md and checks
// every vendored file against the SHA-256 it records.
func TestVendoredFilesMatchTheirChecksums(t *testing.T) {
	doc, err := staticFS.ReadFile("static/VENDOR.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	sc := bufio.NewScanner(strings.NewReader(string(doc)))
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 7 || !strings.Contains(cells[1], ".") || strings.Contains(cells[1], "---") {
			continue
		}
		name, want := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[5])
		body, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, VENDOR.md says %s", name, got, want)
		}
		checked++
	}
	if checked != 3 {
		t.Fatalf("checked %d vendored files, want 3 (htmx, uPlot js and css)", checked)
	}
}

// pageBudget is the most JavaScript plus CSS any page may load, gzipped.
const pageBudget = 150 << 10

// TestEveryPageStaysWithinItsScriptAndStyleBudget adds up, gzipped, what
// the heaviest page loads: the layout's files plus the chart page's.
func TestEveryPageStaysWithinItsScriptAndStyleBudget(t *testing.T) {
	heaviest := []string{"htmx.min.js", "app.js", "app.css", "uplot.min.js", "uplot.min.css"}
	total := 0
	for _, name := range heaviest {
		f, ok := assets[name]
		if !ok {
			t.Fatalf("no asset %s", name)
		}
		total += len(f.gz)
	}
	t.Logf("heaviest page: %d bytes of JS and CSS gzipped (budget %d)", total, pageBudget)
	if total > pageBudget {
		t.Fatalf("%d bytes gzipped, over the %d budget", total, pageBudget)
	}
}
