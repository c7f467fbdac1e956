package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Marketing: segments of customers by filters (previewed with a count,
// saved, evaluated again on every use), an export of a segment's consenting
// customers, and campaigns that send the promotion message to them.
var (
	marketers        = []models.Role{models.RoleMarketing}
	marketingReaders = []models.Role{models.RoleMarketing, models.RoleExecutive}
)

func (s *Server) marketingRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/segments/preview", Summary: "Count the customers a segment's filters select now, and how many of them consented to marketing, with the first 20 by name",
			Roles: marketers, Handler: s.previewSegment, Body: models.SegmentFilter{}},
		{Method: "POST", Path: "/api/v1/segments", Summary: "Save a segment: a name and its filters (region, segment, tier, recency, frequency and spend of orders, backorders)", Roles: marketers, Handler: s.createSegment, Body: segmentRequest{}},
		{Method: "GET", Path: "/api/v1/segments", Summary: "Saved segments by name, each counted now", Roles: marketingReaders, Handler: s.listSegments},
		{Method: "GET", Path: "/api/v1/segments/:id", Summary: "A saved segment, counted now, with its first 50 customers by name", Roles: marketingReaders, Handler: s.getSegment},
		{Method: "GET", Path: "/api/v1/segments/:id/export", Summary: "CSV of the segment's customers who consented to marketing, with the date they consented; no one else (audited)", Roles: marketers, Handler: s.exportSegment},
		{Method: "POST", Path: "/api/v1/campaigns", Summary: "Start a campaign: the promotion message (headline, body) to a segment's consenting customers at most per_minute a minute; each customer gets it once, with the one-click unsubscribe", Roles: marketers, Handler: s.createCampaign, Body: campaignRequest{}},
		{Method: "GET", Path: "/api/v1/campaigns", Answer: store.List[models.Campaign]{}, Summary: "Campaigns, newest first", Roles: marketingReaders, Handler: s.listCampaigns},
		{Method: "GET", Path: "/api/v1/campaigns/:id", Summary: "A campaign's progress and results: sent, delivered, bounced (from the provider's webhooks), refused for want of consent, unsubscribed since it started", Roles: marketingReaders, Handler: s.getCampaign},
		{Method: "POST", Path: "/api/v1/campaigns/:id/pause", Summary: "Pause a running campaign (after the batch in flight)", Roles: marketers, Handler: s.campaignAction(workflows.UpdateCampaignPause), Body: campaignActionRequest{}},
		{Method: "POST", Path: "/api/v1/campaigns/:id/resume", Summary: "Resume a paused campaign", Roles: marketers, Handler: s.campaignAction(workflows.UpdateCampaignResume), Body: campaignActionRequest{}},
		{Method: "POST", Path: "/api/v1/campaigns/:id/cancel", Summary: "Cancel a campaign: nothing more is sent", Roles: marketers, Handler: s.campaignAction(workflows.UpdateCampaignCancel), Body: campaignActionRequest{}},
	}
}

type segmentFilterBody struct{ models.SegmentFilter }

func (b *segmentFilterBody) Validate() error { return b.SegmentFilter.Validate() }

// segmentPreview is a filter's count now and its first members.
type segmentPreview struct {
	models.SegmentCount
	Members []models.SegmentMember `json:"members"`
}

func (s *Server) previewSegment(c *gin.Context) {
	var f segmentFilterBody
	if !bind(c, &f) {
		return
	}
	out, err := s.countSegment(reqCtx(c), f.SegmentFilter, 20)
	respond(c, http.StatusOK, out, err)
}

func (s *Server) countSegment(ctx context.Context, f models.SegmentFilter, members int) (segmentPreview, error) {
	now := time.Now()
	n, err := s.Store.CountSegment(ctx, f, now)
	if err != nil {
		return segmentPreview{}, err
	}
	out := segmentPreview{SegmentCount: n}
	out.Members, err = s.Store.SegmentMembers(ctx, f, now, false, members)
	return out, err
}

type segmentRequest struct {
	Name    string               `json:"name"`
	Filters models.SegmentFilter `json:"filters"`
}

func (r segmentRequest) Validate() error {
	var v models.Validator
	v.Text("name", r.Name, true, models.MaxNameLen)
	if err := v.Err(); err != nil {
		return err
	}
	return r.Filters.Validate()
}

// segmentView is a saved segment counted now.
type segmentView struct {
	models.Segment
	segmentPreview
}

func (s *Server) createSegment(c *gin.Context) {
	var req segmentRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	seg := models.Segment{Name: req.Name, Filter: req.Filters, CreatedBy: s.subject(c)}
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateSegment(ctx, &seg); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "segment.create", "segment", seg.ID, seg.Name))
	})
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.countSegment(ctx, seg.Filter, 0)
	respond(c, http.StatusCreated, segmentView{Segment: seg, segmentPreview: p}, err)
}

func (s *Server) listSegments(c *gin.Context) {
	ctx := reqCtx(c)
	segs, err := s.Store.ListSegments(ctx)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]segmentView, len(segs))
	for i, seg := range segs {
		n, err := s.Store.CountSegment(ctx, seg.Filter, time.Now())
		if err != nil {
			fail(c, err)
			return
		}
		out[i] = segmentView{Segment: seg, segmentPreview: segmentPreview{SegmentCount: n, Members: []models.SegmentMember{}}}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) getSegment(c *gin.Context) {
	ctx := reqCtx(c)
	seg, err := s.Store.SegmentByID(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.countSegment(ctx, seg.Filter, 50)
	respond(c, http.StatusOK, segmentView{Segment: seg, segmentPreview: p}, err)
}

// maxExport bounds one export.
const maxExport = 100_000

func (s *Server) exportSegment(c *gin.Context) {
	ctx := reqCtx(c)
	seg, err := s.Store.SegmentByID(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	members, err := s.Store.SegmentMembers(ctx, seg.Filter, time.Now(), true, maxExport)
	if err == nil {
		err = s.Store.AppendAudit(ctx, s.audit(c, "segment.export", "segment", seg.ID, fmt.Sprintf("%s: %d consenting customers", seg.Name, len(members))))
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.writeCSV(c, "segment-"+seg.ID, []string{"customer_id", "name", "email", "region", "segment", "tier", "consented_at"}, func(row func([]string) error) error {
		for _, m := range members {
			at := ""
			if m.ConsentAt != nil {
				at = m.ConsentAt.UTC().Format(time.RFC3339)
			}
			if err := row([]string{m.ID, csvText(m.Name), csvText(m.Email), csvText(m.Region), csvText(m.Segment), strconv.Itoa(m.Tier), at}); err != nil {
				return err
			}
		}
		return nil
	})
}

// csvText neutralises a text cell a spreadsheet would run as a formula
// (it begins with =, +, -, @, a tab or a carriage return) by prefixing an
// apostrophe.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type campaignRequest struct {
	Name      string `json:"name"`
	SegmentID string `json:"segment_id"`
	Headline  string `json:"headline"`
	Body      string `json:"body"`
	PerMinute int    `json:"per_minute"`
}

func (r campaignRequest) Validate() error {
	var v models.Validator
	v.Text("segment_id", r.SegmentID, true, models.MaxCodeLen)
	return v.Err()
}

func (s *Server) createCampaign(c *gin.Context) {
	var req campaignRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	camp := models.Campaign{ID: businessID(c, "CMP-", updateID(c)), Name: req.Name, SegmentID: req.SegmentID, Headline: req.Headline, Body: req.Body,
		PerMinute: req.PerMinute, CreatedBy: s.subject(c)}
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateCampaign(ctx, &camp); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "campaign.start", "campaign", camp.ID, fmt.Sprintf("%s to segment %s", camp.Name, camp.SegmentID)))
	})
	if errors.Is(err, models.ErrConflict) { // a retry: recorded already, perhaps not yet started
		camp, err = s.Store.CampaignByID(ctx, camp.ID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	if s.Temporal == nil {
		fail(c, fmt.Errorf("%w: no workflow engine", errUnavailable))
		return
	}
	// Started once: a retry finds it running (or finished: one run per
	// campaign, never a second walk over its audience).
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CampaignWorkflowID(camp.ID), TaskQueue: s.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		workflows.CampaignWorkflowName, workflows.CampaignRequest{Campaign: camp})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		fail(c, fmt.Errorf("%w: %v", errUnavailable, err))
		return
	}
	c.JSON(http.StatusCreated, camp)
}

func (s *Server) listCampaigns(c *gin.Context) {
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Campaign], error) {
		return s.Store.ListCampaigns(ctx, page)
	})
}

// campaignView is a campaign with its results so far.
type campaignView struct {
	models.Campaign
	Results models.CampaignResults `json:"results"`
}

func (s *Server) getCampaign(c *gin.Context) {
	ctx := reqCtx(c)
	camp, err := s.Store.CampaignByID(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.Store.CampaignResults(ctx, camp)
	respond(c, http.StatusOK, campaignView{Campaign: camp, Results: res}, err)
}

// campaignActionRequest is the empty body of a pause, resume or cancel.
type campaignActionRequest struct{}

func (campaignActionRequest) Validate() error { return nil }

func (s *Server) campaignAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in campaignActionRequest
		if !bind(c, &in) {
			return
		}
		ctx := reqCtx(c)
		if _, err := s.Store.CampaignByID(ctx, c.Param("id")); err != nil {
			fail(c, err)
			return
		}
		var out models.Campaign
		// The update is audited as campaign.<name> when the workflow takes it.
		if s.update(c, workflows.CampaignWorkflowID(c.Param("id")), "/api/v1/campaigns/"+c.Param("id"), name, workflows.CampaignActionInput{Actor: actorOf(c)}, &out) {
			c.JSON(http.StatusOK, out)
		}
	}
}
