package itest

import (
	"context"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/keyring"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// TestTemporalHoldsNoPersonalDataInClear: after a whole sale, with its
// messages, the quote's and the order's histories as Temporal stores them,
// read by a client without the payload keys, hold none of the customer's
// name, email, phone or address, nor a message's text; every payload in
// them but the search attributes (workflow versions) is sealed. The same histories read through the keys show the
// customer (the codec is what hides them, not their absence).
func TestTemporalHoldsNoPersonalDataInClear(t *testing.T) {
	a, custID, tokens := benchSetup(t)
	ctx := context.Background()
	cust, err := a.Store.CustomerByID(ctx, custID)
	if err != nil {
		t.Fatal(err)
	}
	quoteID, orderID, _ := a.sale(ctx, custID, tokens)
	secrets := []string{cust.Name, cust.Email}
	if cust.Phone != "" {
		secrets = append(secrets, cust.Phone)
	}
	for _, ad := range cust.Addresses {
		secrets = append(secrets, ad.Line1, ad.City)
	}
	msgs, err := a.Store.ListOutboxMessages(ctx, cust.Email, store.Page{Limit: 50})
	if err != nil || len(msgs.Items) == 0 {
		t.Fatalf("the sale sent the customer nothing: %v", err)
	}
	secrets = append(secrets, msgs.Items[0].Subject)

	plain, err := client.Dial(client.Options{HostPort: a.Config.TemporalAddress, Namespace: a.Config.TemporalNamespace, Logger: sdklog.NewStructuredLogger(testdb.Quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	for _, id := range []string{workflows.QuoteWorkflowID(quoteID), workflows.OrderWorkflowID(orderID)} {
		raw := historyJSON(t, plain, id)
		for _, s := range secrets {
			if strings.Contains(raw, s) {
				t.Errorf("%s holds %q in clear", id, s)
			}
		}
		if !strings.Contains(raw, keyring.EncodingSealed) {
			t.Errorf("%s has no sealed payload", id)
		}
		// Search attributes are indexed by the server, so they stay plain:
		// q2c's hold workflow versions only. Every other payload is sealed.
		for _, e := range history(t, plain, id).Events {
			if e.GetUpsertWorkflowSearchAttributesEventAttributes() == nil && strings.Contains(e.String(), `value:"json/plain"`) {
				t.Errorf("%s: a %s event holds a plain payload", id, e.GetEventType())
			}
		}
	}
	// Through the keys, the same history names the customer.
	ring, err := keyring.Parse(a.Config.PayloadKeys.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	h := history(t, plain, workflows.QuoteWorkflowID(quoteID))
	var found bool
	for _, e := range h.Events {
		attrs := e.GetWorkflowExecutionStartedEventAttributes()
		if attrs == nil {
			continue
		}
		opened, err := (keyring.Codec{Ring: ring}).Decode(attrs.GetInput().GetPayloads())
		if err != nil {
			t.Fatal(err)
		}
		found = len(opened) > 0 && strings.Contains(string(opened[0].GetData()), cust.ID)
	}
	if !found {
		t.Error("the quote's start, decoded with the keys, does not name the customer")
	}
}

func history(t *testing.T, c client.Client, workflowID string) *historypb.History {
	t.Helper()
	iter := c.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	h := &historypb.History{}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}

// historyJSON is a history as JSON, payload data in base64 as stored; the
// customer's strings are searched for in it and in its decoded bytes.
func historyJSON(t *testing.T, c client.Client, workflowID string) string {
	t.Helper()
	h := history(t, c, workflowID)
	b, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	// Payload data is base64 in JSON: search the raw bytes too.
	for _, e := range h.Events {
		out += e.String()
	}
	return out
}
