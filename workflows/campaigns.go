package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
)

// Campaign sends the promotion message to a segment's consenting customers:
// the audience is fixed when it starts, then it sends at most PerMinute
// messages a minute, each once per customer under its idempotency key (the
// send itself checks consent again and adds the one-click unsubscribe). It
// can be paused, resumed and cancelled; a cancel stops it between two
// messages.
func Campaign(ctx workflow.Context, req CampaignRequest) (models.Campaign, error) {
	c := &req.Campaign
	ctx = withActivityDefaults(ctx)
	if err := registerCampaignHandlers(ctx, c); err != nil {
		return *c, err
	}
	if !req.Frozen {
		if err := workflow.ExecuteActivity(ctx, ActivityFreezeAudience, FreezeAudienceInput{CampaignID: c.ID, At: workflow.Now(ctx)}).Get(ctx, &c.Audience); err != nil {
			return *c, err
		}
		req.Frozen = true
	}
	for sent := 0; ; {
		if err := workflow.Await(ctx, func() bool { return c.Status != models.CampaignPaused }); err != nil {
			return *c, err
		}
		if c.Status == models.CampaignCancelled {
			break
		}
		if sent >= CampaignSendsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return *c, err
			}
			return *c, workflow.NewContinueAsNewError(ctx, CampaignWorkflowName, req)
		}
		var batch []models.Contact
		if err := workflow.ExecuteActivity(ctx, ActivityCampaignBatch, CampaignBatchInput{CampaignID: c.ID, After: req.After, Limit: c.PerMinute}).Get(ctx, &batch); err != nil {
			return *c, err
		}
		if len(batch) == 0 {
			c.Status = models.CampaignCompleted
			break
		}
		for _, to := range batch {
			if c.Status == models.CampaignCancelled {
				break
			}
			if err := workflow.ExecuteActivity(ctx, ActivitySendNotification, Notification{Channel: models.ChannelEmail, To: to.Email, ToName: to.Name,
				IdempotencyKey: models.CampaignMessageKey(c.ID, to.ID), Event: EventPromotion, OwnerKind: models.OwnerCustomer, OwnerID: to.ID,
				Phone: to.Phone, Data: map[string]string{"customer_name": to.Name, "headline": c.Headline, "body": c.Body}}).Get(ctx, nil); err != nil {
				return *c, err
			}
			c.Sent++
			sent++
			req.After = to.ID
		}
		if len(batch) < c.PerMinute && c.Status != models.CampaignCancelled {
			c.Status = models.CampaignCompleted // a short batch was the last: the audience is fixed
			break
		}
		if err := saveCampaign(ctx, c); err != nil {
			return *c, err
		}
		// The throttle: the next batch a minute after this one; a cancel
		// ends the wait.
		if _, err := workflow.AwaitWithTimeout(ctx, CampaignPace, func() bool { return c.Status == models.CampaignCancelled }); err != nil {
			return *c, err
		}
	}
	if err := saveCampaign(ctx, c); err != nil {
		return *c, err
	}
	return *c, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func saveCampaign(ctx workflow.Context, c *models.Campaign) error {
	c.Rev++
	c.UpdatedAt = workflow.Now(ctx)
	return workflow.ExecuteActivity(ctx, ActivitySaveCampaign, *c).Get(ctx, nil)
}

// registerCampaignHandlers answers the campaign's state and moves it
// between running, paused and cancelled; a finished campaign refuses.
func registerCampaignHandlers(ctx workflow.Context, c *models.Campaign) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (models.Campaign, error) { return *c, nil }); err != nil {
		return err
	}
	move := func(name, to string, from ...string) error {
		return workflow.SetUpdateHandlerWithOptions(ctx, name, func(ctx workflow.Context, _ CampaignActionInput) (models.Campaign, error) {
			if c.Status == to {
				return *c, nil
			}
			c.Status = to
			return *c, saveCampaign(withActivityDefaults(ctx), c)
		}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, _ CampaignActionInput) error {
			if c.Status == to {
				return nil // a retry
			}
			for _, f := range from {
				if c.Status == f {
					return nil
				}
			}
			return fmt.Errorf("campaign %s is %s", c.ID, c.Status)
		}})
	}
	if err := move(UpdateCampaignPause, models.CampaignPaused, models.CampaignRunning); err != nil {
		return err
	}
	if err := move(UpdateCampaignResume, models.CampaignRunning, models.CampaignPaused); err != nil {
		return err
	}
	return move(UpdateCampaignCancel, models.CampaignCancelled, models.CampaignRunning, models.CampaignPaused)
}
