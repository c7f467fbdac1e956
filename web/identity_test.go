package web

import (
	"context"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/seed"
)

// TestSignInListsEveryDemoUser: the dev sign-in page names every login the
// demo seeds (marketing@ was missing from it).
func TestSignInListsEveryDemoUser(t *testing.T) {
	var b strings.Builder
	if err := loginView(loginForm{Demo: true}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	for _, u := range seed.DemoUsers {
		if !strings.Contains(b.String(), "<code>"+u.Email+"</code>") {
			t.Errorf("the sign-in page does not list %s", u.Email)
		}
	}
}
