package activities

import (
	"context"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// FreezeAudience fixes a campaign's audience once: the segment's customers
// who consent at that moment.
func (a *Activities) FreezeAudience(ctx context.Context, in workflows.FreezeAudienceInput) (int64, error) {
	return a.Store.FreezeAudience(ctx, in.CampaignID, in.At)
}

// CampaignBatch reads a campaign's next recipients.
func (a *Activities) CampaignBatch(ctx context.Context, in workflows.CampaignBatchInput) ([]models.Contact, error) {
	return a.Store.CampaignBatch(ctx, in.CampaignID, in.After, in.Limit)
}

// SaveCampaign writes a campaign's progress (a newer revision wins).
func (a *Activities) SaveCampaign(ctx context.Context, c models.Campaign) error {
	return a.Store.SaveCampaign(ctx, c)
}
