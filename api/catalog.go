package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// productView is a catalog entry with what can be promised from stock now,
// summed over warehouses (lead_time_days says when more would come).
type productView struct {
	models.Product
	Available int64 `json:"available"`
}

func (s *Server) listProducts(c *gin.Context) {
	p, _ := principalOf(c)
	// Customers see only what they can buy; staff also see retired SKUs,
	// and find products by supplier, which customers are not shown.
	f := store.ProductFilter{ActiveOnly: !p.Roles.IsStaff(), Search: c.Query("q"), BySupplier: p.Roles.IsStaff()}
	var v models.Validator
	v.Text("q", f.Search, false, models.MaxNameLen)
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	listPage(c, func(ctx context.Context, page store.Page) (store.List[productView], error) {
		l, err := s.Store.ListProducts(ctx, f, page)
		if err != nil {
			return store.List[productView]{}, err
		}
		skus := make([]string, len(l.Items))
		for i, it := range l.Items {
			skus[i] = it.SKU
		}
		avail, err := s.Store.AvailableBySKU(ctx, skus)
		out := store.List[productView]{NextCursor: l.NextCursor, Items: make([]productView, len(l.Items))}
		for i, it := range l.Items {
			out.Items[i] = productFor(p, it, avail[it.SKU])
		}
		return out, err
	})
}

// getProduct is one catalog entry; customers see only what they can buy.
func (s *Server) getProduct(c *gin.Context) {
	ctx := reqCtx(c)
	sku := c.Param("sku")
	p, _ := principalOf(c)
	prod, err := s.Store.ProductBySKU(ctx, sku)
	if err == nil && !prod.Active && !p.Roles.IsStaff() {
		err = models.NotFound("product", sku)
	}
	if err != nil {
		fail(c, err)
		return
	}
	avail, err := s.Store.AvailableBySKU(ctx, []string{sku})
	respond(c, http.StatusOK, productFor(p, prod, avail[sku]), err)
}

// productFor is a product as the caller may see it: who supplies it is the
// company's business, not its customers'.
func productFor(p auth.Principal, prod models.Product, available int64) productView {
	if p.IsCustomer() {
		prod.Supplier = ""
	}
	return productView{Product: prod, Available: available}
}

// productRequest is a product's whole record: PUT replaces it. Active and
// the list price have no default: a client that leaves one out would
// otherwise retire the product, or give it away, without meaning to.
type productRequest struct {
	Name          string          `json:"name"`
	UnitOfMeasure string          `json:"unit_of_measure"`
	ListPrice     *int64          `json:"list_price"`
	Currency      models.Currency `json:"currency"`
	Category      string          `json:"category"`
	Supplier      string          `json:"supplier"`
	LeadTimeDays  int             `json:"lead_time_days"`
	MakeToOrder   bool            `json:"make_to_order"`
	Active        *bool           `json:"active"`
	// Version, when given, is the version the edit was made from: the
	// product is changed only if nobody saved it since (409 otherwise).
	Version int `json:"version,omitempty"`
}

func (r productRequest) Validate() error {
	var v models.Validator
	v.Text("name", r.Name, true, models.MaxNameLen)
	v.Text("unit_of_measure", r.UnitOfMeasure, false, models.MaxCodeLen)
	v.Text("category", r.Category, false, models.MaxCodeLen)
	v.Text("supplier", r.Supplier, false, models.MaxNameLen)
	if r.ListPrice == nil {
		v.Add("list_price", "is required, in minor units (0 for a product given away)")
	} else {
		v.Check(*r.ListPrice >= 0 && *r.ListPrice <= models.MaxUnitPrice, "list_price", fmt.Sprintf("must be between 0 and %d minor units", models.MaxUnitPrice))
	}
	if r.Currency == "" {
		v.Add("currency", "is required")
	} else if err := r.Currency.Validate(); err != nil {
		v.Add("currency", "%v", err)
	}
	v.Check(r.LeadTimeDays >= 0 && r.LeadTimeDays <= models.MaxLeadTimeDays, "lead_time_days", fmt.Sprintf("must be between 0 and %d", models.MaxLeadTimeDays))
	v.Check(r.Active != nil, "active", "is required: true to sell the product, false to retire it")
	v.Check(r.Version >= 0, "version", "must be the version the edit was made from")
	return v.Err()
}

var skuPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,63}$`)

// putProduct creates or replaces a product. Quotes already issued keep the
// prices they were issued with. With If-None-Match: * it only creates: a
// SKU already in the catalog is refused with 412 and left as it is, so two
// people adding the same new SKU cannot overwrite each other.
func (s *Server) putProduct(c *gin.Context) {
	var req productRequest
	if !bind(c, &req) {
		return
	}
	sku := c.Param("sku")
	if !skuPattern.MatchString(sku) {
		fail(c, models.Invalid("sku", "must be 1-64 upper-case letters, digits, '.', '_' or '-'"))
		return
	}
	uom := strings.TrimSpace(req.UnitOfMeasure)
	if uom == "" {
		uom = "each"
	}
	p := &models.Product{SKU: sku, Name: strings.TrimSpace(req.Name), UnitOfMeasure: uom, ListPrice: *req.ListPrice, Currency: req.Currency,
		Category: strings.TrimSpace(req.Category), Supplier: strings.TrimSpace(req.Supplier), LeadTimeDays: req.LeadTimeDays,
		MakeToOrder: req.MakeToOrder, Active: *req.Active}
	ctx := reqCtx(c)
	inm := c.GetHeader("If-None-Match")
	if inm != "" && inm != "*" {
		// Products carry no entity tags: a condition on one cannot be
		// checked, and ignoring it would overwrite what it meant to protect.
		fail(c, models.Invalid("If-None-Match", "only * is supported (create the product only if its SKU is new)"))
		return
	}
	createOnly := inm == "*"
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		switch {
		case createOnly:
			err = tx.CreateProduct(ctx, p)
		case req.Version > 0:
			err = tx.UpdateProduct(ctx, p, req.Version)
		default:
			err = tx.UpsertProduct(ctx, p)
		}
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "product.put", "product", sku,
			fmt.Sprintf("list %s category=%q active=%v", models.NewMoney(p.ListPrice, p.Currency), p.Category, p.Active)))
	})
	if createOnly && errors.Is(err, models.ErrConflict) {
		err = &preconditionFailed{title: "The product already exists", field: "sku", message: "is already in the catalog",
			detail: sku + " is already in the catalog; without If-None-Match the request replaces it"}
	}
	respond(c, http.StatusOK, p, err)
}
