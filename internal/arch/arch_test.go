package arch

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/q2c-dev/q2c/"

// layers is q2c's dependency rule: each package and the q2c packages it may
// import. Read it bottom up:
//
//   - models, atp, backorder, calendar (report periods) and messages import
//     nothing of ours; pricing,
//     approval, auth and notify only models (and pricing): the pure rules
//     and the adapters' vocabulary;
//   - workflows are deterministic: they use the pure rules, never the store,
//     notify, activities or the API;
//   - store is the only database access; it applies the pure rules inside
//     its transactions (allocation, ATP, pricing data) and reads what they
//     decide on (a customer's credit position, for approval);
//   - quotes opens a quote for the API (prices and stores it, then starts
//     its workflow) with the same pricing and read model the quote's
//     activities use;
//   - activities do the I/O workflows ask for (store, notify, messages) and
//     wake allocators through temporalclient;
//   - worker registers workflows and activities; api serves HTTP over the
//     store and the workflows' contract;
//   - web renders pages; it holds no *store.Store and no Temporal client,
//     only the API's http.Handler, and uses the store's and workflows'
//     types to read the API's answers;
//   - app wires api, web and worker from the config, once, for cmd/q2c, the
//     dev stack and the integration tests;
//   - devtemporal, the embedded Temporal server, is imported by devstack
//     alone, and devstack by cmd/q2c alone (in -tags dev builds);
//   - internal/ceiling, the sale with no-op activities for the benchmarks,
//     knows the workflows' names only; internal/sqlitewal, SQLite's log
//     checkpoints, nothing of ours.
//
// A new edge is a design decision: make it here, on purpose.
var layers = map[string][]string{
	"models":             {},
	"atp":                {},
	"backorder":          {},
	"calendar":           {},
	"messages":           {},
	"pricing":            {"models"},
	"approval":           {"models", "pricing"},
	"auth":               {"models"},
	"notify":             {"models"},
	"keyring":            {},
	"config":             {"backorder", "keyring", "models"},
	"workflows":          {"approval", "atp", "models", "pricing"},
	"store":              {"approval", "atp", "backorder", "calendar", "internal/sqlitewal", "models", "pricing"},
	"temporalclient":     {"config", "keyring", "workflows"},
	"quotes":             {"models", "pricing", "store", "workflows"},
	"activities":         {"approval", "calendar", "messages", "models", "notify", "pricing", "quotes", "store", "temporalclient", "workflows"},
	"worker":             {"activities", "auth", "config", "notify", "workflows"},
	"api":                {"atp", "auth", "calendar", "models", "notify", "pricing", "quotes", "store", "temporalclient", "workflows"},
	"web":                {"approval", "atp", "auth", "models", "pricing", "store", "workflows"},
	"reconcile":          {"activities", "workflows"},
	"app":                {"activities", "api", "auth", "config", "keyring", "models", "notify", "quotes", "reconcile", "store", "web", "worker"},
	"seed":               {"auth", "models", "pricing", "store"},
	"devtemporal":        {"internal/sqlitewal"},
	"devstack":           {"api", "app", "auth", "config", "devtemporal", "keyring", "seed", "store", "temporalclient"},
	"cmd/q2c":            {"api", "app", "auth", "config", "devstack", "keyring", "models", "seed", "store", "temporalclient"},
	"internal/testdb":    {"keyring", "store"},
	"internal/salesload": {"workflows"},
	"internal/ceiling":   {"workflows"}, // the sale's names, for its no-op twin
	"internal/arch":      {},
	"internal/browser":   {},
	"internal/apicheck":  {}, // API answers against the OpenAPI description, for tests
	"internal/sqlitewal": {}, // SQLite's log checkpoints, for the store and the embedded Temporal
	"itest":              {},
}

// pure packages compute; they reach nothing outside the process, and
// workflows must replay identically, so none of these may be imported.
var pure = []string{"models", "atp", "backorder", "calendar", "pricing", "approval", "workflows"}

var impure = []string{"os", "net", "net/http", "database/sql", "math/rand", "math/rand/v2", "crypto/rand", "sync",
	"gorm.io/gorm", "go.temporal.io/sdk/client", "go.temporal.io/sdk/activity"}

// TestDependencyRule reads every package's imports (with and without the
// dev build tag) and fails on any edge the rule does not allow.
func TestDependencyRule(t *testing.T) {
	for _, tags := range []string{"", "dev"} {
		for pkg, imports := range listImports(t, tags) {
			allowed, ok := layers[pkg]
			if !ok {
				t.Errorf("package %s is not in the dependency rule (internal/arch): place it", pkg)
				continue
			}
			for _, imp := range imports {
				switch {
				case strings.HasPrefix(imp, module):
					if dep := strings.TrimPrefix(imp, module); !slices.Contains(allowed, dep) {
						t.Errorf("%s imports %s, which the dependency rule does not allow", pkg, dep)
					}
				case strings.HasPrefix(imp, "go.temporal.io/server") && pkg != "devtemporal":
					t.Errorf("%s imports the Temporal server (%s): only devtemporal may", pkg, imp)
				case slices.Contains(pure, pkg) && slices.Contains(impure, imp):
					t.Errorf("%s is pure but imports %s", pkg, imp)
				}
			}
		}
	}
}

// listImports runs `go list` over the module: package → its imports.
func listImports(t *testing.T, tags string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", tags, "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		pkgs[strings.TrimPrefix(f[0], module)] = f[1:]
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}
