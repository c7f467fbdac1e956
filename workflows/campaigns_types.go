package workflows

import (
	"time"

	"github.com/q2c-dev/q2c/models"
)

// Campaign workflow names.
const (
	CampaignWorkflowName = "Campaign"

	UpdateCampaignPause  = "pause"
	UpdateCampaignResume = "resume"
	UpdateCampaignCancel = "cancel"

	ActivityFreezeAudience = "FreezeAudience"
	ActivityCampaignBatch  = "CampaignBatch"
	ActivitySaveCampaign   = "SaveCampaign"
)

// CampaignWorkflowID is a campaign's workflow ID, from its business key.
func CampaignWorkflowID(campaignID string) string { return "Campaign:" + campaignID }

// CampaignSendsPerRun bounds one run's history (about six events and the
// message's figures per send): a campaign continues as new, carrying where
// it got to, at the first batch after this many sends, or sooner when
// Temporal suggests it.
const CampaignSendsPerRun = 1000

// CampaignPace is the throttle's period: at most PerMinute messages go
// out per CampaignPace.
const CampaignPace = time.Minute

// CampaignRequest starts a campaign, or continues it as new: After is the
// last recipient sent to, Frozen says its audience is fixed already.
type CampaignRequest struct {
	Campaign models.Campaign `json:"campaign"`
	After    string          `json:"after,omitempty"`
	Frozen   bool            `json:"frozen,omitempty"`
}

// FreezeAudienceInput fixes a campaign's audience at a moment.
type FreezeAudienceInput struct {
	CampaignID string    `json:"campaign_id"`
	At         time.Time `json:"at"`
}

// CampaignBatchInput reads the next recipients after a customer ID.
type CampaignBatchInput struct {
	CampaignID string `json:"campaign_id"`
	After      string `json:"after"`
	Limit      int    `json:"limit"`
}

// CampaignActionInput pauses, resumes or cancels a campaign.
type CampaignActionInput struct {
	Actor Actor `json:"actor"`
}
