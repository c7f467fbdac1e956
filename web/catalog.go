package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// productView is a catalog entry with what stock can promise now.
type productView struct {
	models.Product
	Available int64 `json:"available"`
}

// productEditRoute is the API route behind every catalog change: the pages
// that add or change a product are for whoever may call it.
const productEditRoute = "PUT /api/v1/products/:sku"

// catalogData is the catalog as its viewer sees it.
type catalogData struct {
	Search            string
	Err               *apiError // a search the API refused
	Products          []productView
	CanQuote, CanEdit bool
	Customer          bool // suppliers are the company's business, not its customers'

	First, Next string
}

// catalogPage lists the catalog: customers see what they can buy, staff
// also the retired products, and the catalog's keepers a link to change
// each one.
func (s *Server) catalogPage(v *visit) error {
	var l store.List[productView]
	q := v.r.URL.Query()
	d := catalogData{Search: q.Get("q"), CanEdit: v.s.mayUse(v.me, productEditRoute), Customer: v.me.IsCustomer(),
		CanQuote: v.me.Roles.Any([]models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager})}
	if err := v.call(http.MethodGet, withQuery("/api/v1/products", url.Values{"q": {d.Search}, "cursor": {q.Get("cursor")}, "limit": {"100"}}), nil, &l); err != nil {
		if d.Err = refusal(err); d.Err == nil {
			return err
		}
		return v.showStatus(d.Err.Status, v.page.Title, catalogView(d))
	}
	d.Products = l.Items
	d.First, d.Next = pages("/catalog", q, l.NextCursor, "q")
	return v.show(catalogView(d))
}

func catalogTable(d catalogData) table {
	t := table{Caption: "Products", Head: []string{"SKU", "Product", "Category", "List price", "Availability"},
		Empty: catalogEmpty(d), Numeric: map[int]bool{3: true}}
	if !d.Customer {
		t.Head = append(t.Head, "Supplier")
	}
	if d.CanQuote {
		t.Head = append(t.Head, "Quote")
	}
	if d.CanEdit {
		t.Head = append(t.Head, "Change")
	}
	for _, p := range d.Products {
		row := []templ.Component{text(p.SKU), text(p.Name), text(p.Category), text(money(p.ListPrice, p.Currency) + " / " + p.UnitOfMeasure),
			availabilityCell(p)}
		if !d.Customer {
			row = append(row, text(p.Supplier))
		}
		if d.CanQuote {
			quote := text("")
			if p.Active {
				quote = link("/quotes/new?sku="+p.SKU, "Quote "+p.SKU)
			}
			row = append(row, quote)
		}
		if d.CanEdit {
			row = append(row, link("/catalog/"+url.PathEscape(p.SKU)+"/edit", "Edit "+p.SKU))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// productFields is the product form's content, from a stored product or
// from what was posted.
type productFields struct {
	SKU, Name, Category, Unit, ListPrice, Currency, Supplier, LeadTime string
	Version                                                            string // the version the edit began from
	MakeToOrder, Active                                                bool
}

func fieldsOfProduct(p models.Product) productFields {
	return productFields{SKU: p.SKU, Name: p.Name, Category: p.Category, Unit: p.UnitOfMeasure, ListPrice: moneyInput(p.ListPrice, p.Currency),
		Currency: string(p.Currency), Supplier: p.Supplier, LeadTime: strconv.Itoa(p.LeadTimeDays), MakeToOrder: p.MakeToOrder, Active: p.Active,
		Version: strconv.Itoa(p.Version)}
}

func postedProduct(r *http.Request) productFields {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return productFields{SKU: strings.ToUpper(f("sku")), Name: f("name"), Category: f("category"), Unit: f("unit_of_measure"),
		ListPrice: f("list_price"), Currency: f("currency"), Supplier: f("supplier"), LeadTime: f("lead_time_days"),
		MakeToOrder: f("make_to_order") != "", Active: f("active") != "", Version: f("version")}
}

func (s *Server) newProductPage(v *visit) error {
	return v.showProductForm(true, productFields{Unit: "each", Currency: "USD", LeadTime: "0", Active: true}, nil)
}

func (s *Server) editProductPage(v *visit) error {
	var p productView
	if err := v.call(http.MethodGet, "/api/v1/products/"+url.PathEscape(v.r.PathValue("sku")), nil, &p); err != nil {
		return err
	}
	return v.showProductForm(false, fieldsOfProduct(p.Product), nil)
}

func (v *visit) showProductForm(isNew bool, p productFields, formErr *apiError) error {
	action, submit, title := "/catalog/"+url.PathEscape(p.SKU), "Save product", p.SKU+" · "+p.Name
	sku := field{Name: "sku", Type: "hidden", Value: p.SKU}
	version := field{Name: "version", Type: "hidden", Value: p.Version}
	if isNew {
		action, submit, title = "/catalog", "Add product", v.page.Title
		sku = field{Name: "sku", Label: "SKU", Required: true, Value: p.SKU,
			Hint: "Upper-case letters, digits, '.', '_' or '-'; it cannot be changed later."}
	}
	f := form{Action: action, Submit: submit, CSRF: v.csrf, Key: randomToken(), Err: formErr, Fields: []field{
		sku, version,
		{Name: "name", Label: "Name", Required: true, Value: p.Name},
		{Name: "category", Label: "Category", Value: p.Category, Hint: "Sales reports group by it."},
		{Name: "list_price", Label: "List price", Type: "money", Required: true, Value: p.ListPrice, Hint: "Per unit, before customer prices and promotions."},
		{Name: "currency", Label: "Currency", Type: "select", Options: currencies, Value: p.Currency},
		{Name: "unit_of_measure", Label: "Unit", Value: p.Unit, Hint: "each, box, metre…"},
		{Name: "supplier", Label: "Supplier", Value: p.Supplier},
		{Name: "lead_time_days", Label: "Lead time (days)", Type: "number", Min: "0", Step: "1", Value: p.LeadTime,
			Hint: "Days from ordering more to having it: what a quote promises once stock runs out."},
		{Name: "make_to_order", Label: "Made to order", Type: "checkbox", Checked: p.MakeToOrder},
		{Name: "active", Label: "On sale", Type: "checkbox", Checked: p.Active, Hint: "Untick to retire it: nobody can quote it, and customers no longer see it."},
	}}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, title, productFormView(f, !isNew && !p.Active))
}

// createProduct adds a new product; a SKU already in the catalog is
// refused beside its field instead of replacing that product.
func (s *Server) createProduct(v *visit) error {
	return v.saveProduct(true, postedProduct(v.r))
}

// updateProduct changes a product; its SKU comes from the address.
func (s *Server) updateProduct(v *visit) error {
	p := postedProduct(v.r)
	p.SKU = v.r.PathValue("sku")
	return v.saveProduct(false, p)
}

func (v *visit) saveProduct(isNew bool, p productFields) error {
	refuse := func(field, message string) error {
		return v.showProductForm(isNew, p, &apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields",
			Errors: []models.FieldError{{Field: field, Message: message}}})
	}
	if p.SKU == "" {
		return refuse("sku", "is required")
	}
	price, err := models.ParseMoney(p.ListPrice, models.Currency(p.Currency))
	if err != nil {
		return refuse("list_price", err.Error())
	}
	lead, err := strconv.Atoi(firstOf(p.LeadTime, "0"))
	if err != nil {
		return refuse("lead_time_days", "must be a whole number of days")
	}
	body := map[string]any{"name": p.Name, "category": p.Category, "list_price": price, "currency": p.Currency, "unit_of_measure": p.Unit,
		"supplier": p.Supplier, "lead_time_days": lead, "make_to_order": p.MakeToOrder, "active": p.Active}
	var only http.Header
	if isNew {
		only = http.Header{"If-None-Match": {"*"}} // create, never replace
	} else if n, err := strconv.Atoi(p.Version); err == nil && n > 0 {
		body["version"] = n // a save since this form was read is refused, not undone
	}
	if err := v.callWith(http.MethodPut, "/api/v1/products/"+url.PathEscape(p.SKU), v.r.PostFormValue(fieldKey), only, body, nil); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showProductForm(isNew, p, ae)
	}
	return v.redirectDone("/catalog", doneSaved)
}

// catalogSearchHint says what the catalog's search looks in; a customer is
// not shown suppliers, so cannot find by them either.
func catalogSearchHint(customer bool) string {
	if customer {
		return "Part of the SKU, the name or the category."
	}
	return "Part of the SKU, the name, the category or the supplier."
}

func catalogEmpty(d catalogData) string {
	if d.Search != "" {
		return "No product matches " + strconv.Quote(d.Search) + "."
	}
	return "The catalog is empty."
}
