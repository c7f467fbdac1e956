package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/temporalclient"
	"github.com/q2c-dev/q2c/workflows"
)

var (
	// Everyone in the backorder stories reads the dashboard; customers see
	// their own backorders only.
	backorderReaders = []models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager, models.RoleCustomerService, models.RoleServiceManager,
		models.RoleWarehouseManager, models.RoleProductionManager, models.RoleFinance, models.RoleMarketing, models.RoleSupplyChain,
		models.RoleExecutive, models.RoleITAdmin}
	backorderNoters = []models.Role{models.RoleCustomerService, models.RoleServiceManager, models.RoleSalesRep, models.RoleSalesManager, models.RoleWarehouseManager,
		models.RoleProductionManager, models.RoleSupplyChain}
	kpiReaders = []models.Role{models.RoleSalesManager, models.RoleFinance, models.RoleSupplyChain, models.RoleProductionManager,
		models.RoleWarehouseManager, models.RoleMarketing, models.RoleExecutive, models.RoleITAdmin}
	receivers = []models.Role{models.RoleWarehouseManager, models.RoleSupplyChain, models.RoleProductionManager}
)

func (s *Server) backorderRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/inventory/:sku/receipts", Answer: models.ReceiptResult{}, Summary: "Receive goods: stock goes to waiting backorders by priority; answers with the pick list", Roles: receivers, Handler: s.receive, Body: receiptRequest{}},
		{Method: "GET", Path: "/api/v1/backorders", Answer: store.List[backorderView]{}, Summary: "Backorder dashboard: filter (?status=, ?tier=, ?sku=, ?customer_id=, ?region=, ?eta_from=, ?eta_to=, ?min_age_days=, ?max_age_days=, ?overdue=), ?sort=eta|priority|age|value|created, each key in its own order (eta: soonest first; priority: first in line first; age: oldest first; value: largest first; created: newest first), a leading '-' reverses it, paginated; a customer sees their own", Roles: backorderReaders, Handler: s.listBackorders},
		{Method: "GET", Path: "/api/v1/backorders/kpis", Answer: store.BackorderKPIs{}, Summary: "Backorder KPIs: fill rates, open count and value, aging, days to fill, value by expected week, bottlenecks by SKU and supplier, ETA accuracy", Roles: kpiReaders, Handler: s.backorderKPIs},
		{Method: "GET", Path: "/api/v1/backorders/:id", Answer: backorderDetail{}, Summary: "A backorder with its history: allocation decisions and why, ETA changes, escalations, notes", Roles: backorderReaders, Handler: s.getBackorder},
		{Method: "POST", Path: "/api/v1/backorders/:id/notes", Answer: models.BackorderEvent{}, Summary: "Add a note or update to a backorder", Roles: backorderNoters, Handler: s.addBackorderNote, Body: noteRequest{}},
	}
}

type receiptRequest struct {
	// Reference is the delivery's own reference (packing slip, ASN): the
	// same reference received again answers the first receipt.
	Reference     string `json:"reference"`
	Warehouse     string `json:"warehouse"`
	Qty           int64  `json:"qty"`
	SupplyOrderID string `json:"supply_order_id"`
	CloseShort    bool   `json:"close_short"`
}

func (r receiptRequest) input(actor workflows.Actor) workflows.ReceiveInput {
	return workflows.ReceiveInput{Actor: actor, Key: strings.TrimSpace(r.Reference), Warehouse: r.Warehouse, Qty: r.Qty,
		SupplyOrderID: r.SupplyOrderID, CloseShort: r.CloseShort}
}

func (r receiptRequest) Validate() error { return r.input(workflows.Actor{}).Validate() }

// receive records goods received: in one transaction stock goes up and goes
// to the SKU's waiting backorders by priority. Then it wakes the SKU's
// allocator, which tells what the receipt decided (pick lists, orders,
// customers), exactly as after a supply change or a reservation: every
// stock change commits in the store first, then wakes the allocator, and
// the backorder sweep catches a lost wake-up. It answers with the pick
// list: 201 the first time, 200 with the same result for a delivery
// already received.
func (s *Server) receive(c *gin.Context) {
	var req receiptRequest
	if !bind(c, &req) {
		return
	}
	ctx, sku := reqCtx(c), c.Param("sku")
	if _, err := s.Store.ProductBySKU(ctx, sku); err != nil {
		fail(c, err)
		return
	}
	in := req.input(actorOf(c))
	res, err := s.Store.Receive(ctx, store.Receipt{Key: in.Key, SKU: sku, Warehouse: in.Warehouse, Qty: in.Qty,
		ReceivedBy: in.Actor.Subject, SupplyOrderID: in.SupplyOrderID, CloseShort: in.CloseShort})
	if err != nil {
		fail(c, err)
		return
	}
	s.wakeAllocator(ctx, sku)
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	c.JSON(status, res)
}

// wakeAllocator tells the SKU's allocator that its backorders changed (a
// receipt, a supply change). The change is committed already: if Temporal cannot
// be reached, the backorder sweep wakes the allocator later, so the caller
// is not asked to retry a change that happened.
func (s *Server) wakeAllocator(ctx context.Context, sku string) {
	if s.Temporal == nil {
		return
	}
	if err := temporalclient.WakeAllocator(ctx, s.Temporal, s.TaskQueue, sku); err != nil {
		s.Logger.Warn("allocator not woken; the sweep will", "sku", sku, "error", err)
	}
}

// backorderFilter reads the dashboard's query parameters.
func backorderFilter(c *gin.Context, now time.Time) (store.BackorderFilter, store.BackorderSort, error) {
	f := store.BackorderFilter{SKU: c.Query("sku"), CustomerID: c.Query("customer_id"), Region: c.Query("region"), Now: now}
	var v models.Validator
	if st := c.Query("status"); st != "" {
		for _, x := range strings.Split(st, ",") {
			v.Check(slices.Contains(models.BackorderStatuses, x), "status", "must be a comma-separated list of "+strings.Join(models.BackorderStatuses, ", "))
			f.Statuses = append(f.Statuses, x)
		}
	}
	intParam := func(name string, lo, hi int) int {
		q := c.Query(name)
		if q == "" {
			return 0
		}
		n, err := strconv.Atoi(q)
		if err != nil || n < lo || n > hi {
			v.Add(name, "must be a whole number from %d to %d", lo, hi)
		}
		return n
	}
	f.Tier = intParam("tier", 1, 9)
	f.MinAgeDays = intParam("min_age_days", 0, 3650)
	f.MaxAgeDays = intParam("max_age_days", 0, 3650)
	dateParam := func(name string) time.Time {
		q := c.Query(name)
		if q == "" {
			return time.Time{}
		}
		if d, err := time.Parse(time.DateOnly, q); err == nil {
			return d
		}
		d, err := time.Parse(time.RFC3339, q)
		if err != nil {
			v.Add(name, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		return d
	}
	f.ETAFrom, f.ETATo = dateParam("eta_from"), dateParam("eta_to")
	if !f.ETAFrom.IsZero() && !f.ETATo.IsZero() && !f.ETATo.After(f.ETAFrom) {
		v.Add("eta_to", "must be after eta_from")
	}
	switch o := c.Query("overdue"); o {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		v.Add("overdue", "must be true or false")
	}
	sort := store.BackorderSort{Key: strings.TrimPrefix(c.Query("sort"), "-"), Desc: strings.HasPrefix(c.Query("sort"), "-")}
	if sort.Key != "" && !slices.Contains(store.BackorderSorts, sort.Key) {
		v.Add("sort", "must be one of %s, with a leading '-' to reverse its order", strings.Join(store.BackorderSorts, ", "))
	}
	return f, sort, v.Err()
}

// backorderView is a dashboard row: the backorder, how many units still
// wait, and whether it is past its ETA.
type backorderView struct {
	models.Backorder
	Waiting int64 `json:"waiting"`
	Overdue bool  `json:"overdue"`
	AgeDays int   `json:"age_days"`
}

func viewOf(b models.Backorder, now time.Time) backorderView {
	return backorderView{Backorder: b, Waiting: b.Waiting(), Overdue: b.IsWaiting() && b.ETA.Before(now), AgeDays: int(now.Sub(b.CreatedAt).Hours() / 24)}
}

func (s *Server) listBackorders(c *gin.Context) {
	now := time.Now().UTC()
	f, sort, err := backorderFilter(c, now)
	if err != nil {
		fail(c, err)
		return
	}
	if p, _ := principalOf(c); p.IsCustomer() {
		f.CustomerID = p.CustomerID
	}
	listPage(c, func(ctx context.Context, page store.Page) (store.List[backorderView], error) {
		l, err := s.Store.ListBackorders(ctx, f, sort, page)
		out := store.List[backorderView]{Items: make([]backorderView, 0, len(l.Items)), NextCursor: l.NextCursor}
		for _, b := range l.Items {
			out.Items = append(out.Items, viewOf(b, now))
		}
		return out, err
	})
}

// customerEvents are the history entries a customer is shown; decisions
// about other customers' orders, escalations and staff notes stay inside.
var customerEvents = []string{models.BackorderEventCreated, models.BackorderEventAllocated, models.BackorderEventETAChanged,
	models.BackorderEventShipped, models.BackorderEventCancelled}

type backorderDetail struct {
	backorderView
	History []models.BackorderEvent `json:"history"`
}

func (s *Server) getBackorder(c *gin.Context) {
	ctx := reqCtx(c)
	b, err := s.Store.BackorderByID(ctx, c.Param("id"))
	p, _ := principalOf(c)
	if err == nil && p.IsCustomer() && b.CustomerID != p.CustomerID {
		err = models.NotFound("backorder", c.Param("id"))
	}
	if err != nil {
		fail(c, err)
		return
	}
	hist, err := s.Store.BackorderHistory(ctx, b.ID)
	if p.IsCustomer() {
		hist = slices.DeleteFunc(hist, func(e models.BackorderEvent) bool { return !slices.Contains(customerEvents, e.Kind) })
		for i := range hist {
			hist[i].Detail, hist[i].Actor = "", ""
		}
	}
	respond(c, http.StatusOK, backorderDetail{backorderView: viewOf(b, time.Now().UTC()), History: hist}, err)
}

type noteRequest struct {
	Text string `json:"text"`
}

func (r noteRequest) Validate() error {
	var v models.Validator
	v.Text("text", r.Text, true, models.MaxNoteLen)
	return v.Err()
}

func (s *Server) addBackorderNote(c *gin.Context) {
	var req noteRequest
	if !bind(c, &req) {
		return
	}
	e, err := s.Store.AddBackorderNote(reqCtx(c), c.Param("id"), s.subject(c), strings.TrimSpace(req.Text))
	respond(c, http.StatusCreated, e, err)
}

func (s *Server) backorderKPIs(c *gin.Context) {
	k, err := s.Store.BackorderKPIs(reqCtx(c), time.Now())
	respond(c, http.StatusOK, k, err)
}
