package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// campaignEnv runs a campaign over n recipients C01…; saved records every
// state the workflow wrote.
func campaignEnv(f *fakes, n int, saved *[]models.Campaign, frozen *int) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger)
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	env.RegisterWorkflowWithOptions(workflows.Campaign, workflow.RegisterOptions{Name: workflows.CampaignWorkflowName})
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in workflows.FreezeAudienceInput) (int64, error) {
		*frozen++
		return int64(n), nil
	}, workflows.ActivityFreezeAudience)
	reg(func(_ context.Context, in workflows.CampaignBatchInput) ([]models.Contact, error) {
		var out []models.Contact
		for i := 1; i <= n && len(out) < in.Limit; i++ {
			if id := fmt.Sprintf("C%02d", i); id > in.After {
				out = append(out, models.Contact{ID: id, Name: "Customer " + id, Email: id + "@example.com"})
			}
		}
		return out, nil
	}, workflows.ActivityCampaignBatch)
	reg(func(_ context.Context, c models.Campaign) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		*saved = append(*saved, c)
		return nil
	}, workflows.ActivitySaveCampaign)
	f.registerMessages(env)
	return env
}

func campaignOf(perMinute int) workflows.CampaignRequest {
	return workflows.CampaignRequest{Campaign: models.Campaign{ID: "CMP-1", Headline: "10% off", Body: "This week.", PerMinute: perMinute, Status: models.CampaignRunning}}
}

// TestCampaignSendsOncePerCustomerThrottledAndPausable: five recipients at
// two a minute go in three batches a minute apart, each customer once
// under its own key, with the promotion's figures. Paused after the first
// batch and resumed an hour later, it finishes an hour later.
func TestCampaignSendsOncePerCustomerThrottledAndPausable(t *testing.T) {
	f := &fakes{}
	var saved []models.Campaign
	frozen := 0
	env := campaignEnv(f, 5, &saved, &frozen)
	act := func(at time.Duration, name string) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(name, name, &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Errorf("%s rejected: %v", name, err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
			}, workflows.CampaignActionInput{})
		}, at)
	}
	act(30*time.Second, workflows.UpdateCampaignPause)
	act(time.Hour, workflows.UpdateCampaignResume)
	env.ExecuteWorkflow(workflows.CampaignWorkflowName, campaignOf(2))
	var c models.Campaign
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&c); err != nil {
		t.Fatal(err)
	}
	if c.Status != models.CampaignCompleted || c.Sent != 5 || c.Audience != 5 || frozen != 1 {
		t.Fatalf("campaign %+v (audience frozen %d times); want completed, 5 sent of 5", c, frozen)
	}
	keys := map[string]int{}
	for _, n := range f.notes {
		keys[n.IdempotencyKey]++
		if n.Event != workflows.EventPromotion || n.OwnerKind != models.OwnerCustomer || n.Data["headline"] != "10% off" {
			t.Errorf("message %+v", n)
		}
	}
	for i := 1; i <= 5; i++ {
		if k := fmt.Sprintf("Campaign:CMP-1/C%02d", i); keys[k] != 1 {
			t.Errorf("%s sent %d times", k, keys[k])
		}
	}
	// Batches at 0, then (paused at 30 s, resumed at 1 h) at 1 h and 1 h 1
	// min; the last, short, ends it.
	if took := env.Now().Sub(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)); took != time.Hour+time.Minute {
		t.Errorf("finished after %s; the pause and the throttle take 1h1m", took)
	}
	// The resume's save and the next batch run at once, so they may land
	// in either order; the store keeps the higher revision, so the
	// progress is read in revision order.
	slices.SortFunc(saved, func(a, b models.Campaign) int { return a.Rev - b.Rev })
	var sent []int64
	for _, s := range saved {
		sent = append(sent, s.Sent)
	}
	if fmt.Sprint(sent) != "[2 2 2 4 5]" {
		t.Errorf("saved progress %v; want each batch's count, the pause and the resume (the last batch saves the end)", sent)
	}
}

// TestCampaignCancelStopsIt: cancelled during the throttle's wait after the
// first batch, the campaign sends nothing more and says so.
func TestCampaignCancelStopsIt(t *testing.T) {
	f := &fakes{}
	var saved []models.Campaign
	frozen := 0
	env := campaignEnv(f, 5, &saved, &frozen)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateCampaignCancel, "c", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("cancel rejected: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, workflows.CampaignActionInput{})
	}, 30*time.Second)
	env.ExecuteWorkflow(workflows.CampaignWorkflowName, campaignOf(2))
	var c models.Campaign
	if err := env.GetWorkflowResult(&c); err != nil {
		t.Fatal(err)
	}
	if c.Status != models.CampaignCancelled || c.Sent != 2 || len(f.notes) != 2 {
		t.Fatalf("campaign %+v, %d sent; want cancelled after 2", c, len(f.notes))
	}
}
