package itest

import (
	"net/http"
	"testing"

	"github.com/q2c-dev/q2c/internal/browser"
	"github.com/q2c-dev/q2c/workflows"
)

// TestWebDecidingAnEditedQuoteIsRefused: a manager opens a quote waiting
// for approval; the customer edits it before the manager decides. The
// manager's Approve, made on the version the page showed, is refused on
// the page with what happened, the comment typed kept, and the quote
// still waits; on the page
// shown again (the current version) the approval stands.
func TestWebDecidingAnEditedQuoteIsRefused(t *testing.T) {
	a := newApp(t)
	buyer := a.login("buyer@acme.example")
	// 5,000 widgets: above USD 50,000 net, a sales manager's to approve.
	body := `{"lines":[{"sku":"WID-100","qty":5000}]}`
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, body, nil, &q); r.StatusCode != http.StatusCreated || q.Status != workflows.QuotePendingApproval {
		t.Fatalf("quote: %d %s", r.StatusCode, q.Status)
	}
	manager := signIn(t, a, "manager@q2c.local")
	manager.Open("/quotes/" + q.QuoteID)
	manager.WaitText(".tile", "Pending approval")

	var edited quoteView
	if r := a.call("PUT", "/api/v1/quotes/"+q.QuoteID, buyer, `{"lines":[{"sku":"WID-100","qty":4000}]}`, nil, &edited); r.StatusCode != 200 || edited.Version != 2 {
		t.Fatalf("edit: %d version %d", r.StatusCode, edited.Version)
	}

	manager.Fill("f-comment", "fine")
	manager.Click("form[action$='/approve'] button.primary")
	manager.WaitText("main", "it is at version 2, not the version 1 you saw")
	manager.WaitText(".tile", "Pending approval")
	if typed := browser.Eval[string](manager, `document.getElementById("f-comment").value`); typed != "fine" {
		t.Errorf("the comment typed before the refusal reads %q", typed)
	}
	var still quoteView
	if a.call("GET", "/api/v1/quotes/"+q.QuoteID, buyer, "", nil, &still); still.Status != workflows.QuotePendingApproval {
		t.Fatalf("after the refused approval the quote is %s", still.Status)
	}

	manager.Fill("f-comment", "fine at 4,000")
	manager.Click("form[action$='/approve'] button.primary")
	manager.WaitHeading("Approvals inbox")
	if a.call("GET", "/api/v1/quotes/"+q.QuoteID, buyer, "", nil, &still); still.Status != workflows.QuoteApproved || still.Version != 2 {
		t.Fatalf("after approving the page's version: %s version %d", still.Status, still.Version)
	}
}
