package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/q2c-dev/q2c/models"
)

// customerForm is the master data form, new or edit. Rows are numbered in
// their field names (contact_0_name) so unticked boxes cannot shift them,
// and the API's field errors (contacts[0].name) land beside the row.
type customerForm struct {
	Action, Submit, Cancel, CSRF, Key string
	Err                               *apiError
	Version                           string
	Name, LegalName, Email, Phone     string
	Segment, Region, TaxRegion        string
	Tier, Currency                    string
	Contacts                          []contactRow
	Addresses                         []addressRow
}

type contactRow struct{ ID, Name, Email, Phone, Role string }

type addressRow struct {
	ID, Kind, Label, Line1, Line2, City, Region, PostalCode, Country string
	Default                                                          bool
}

func (r contactRow) blank() bool { return r.Name+r.Email+r.Phone+r.Role == "" }
func (r addressRow) blank() bool {
	return r.Label+r.Line1+r.Line2+r.City+r.Region+r.PostalCode+r.Country == ""
}

func formOfCustomer(c models.Customer) customerForm {
	f := customerForm{Version: strconv.Itoa(c.Version), Name: c.Name, LegalName: c.LegalName, Email: c.Email, Phone: c.Phone,
		Segment: c.Segment, Region: c.Region, TaxRegion: c.TaxRegion, Tier: strconv.Itoa(c.Tier), Currency: string(c.Currency)}
	for _, p := range c.Contacts {
		f.Contacts = append(f.Contacts, contactRow{p.ID, p.Name, p.Email, p.Phone, p.Role})
	}
	for _, a := range c.Addresses {
		f.Addresses = append(f.Addresses, addressRow{a.ID, a.Kind, a.Label, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, a.IsDefault})
	}
	return f
}

// read takes the posted form: blank and removed rows are dropped; adding
// names the row kind a button asked for ("contact" or "address").
func (f *customerForm) read(r *http.Request) (adding string) {
	v := r.PostFormValue
	f.Version, f.Name, f.LegalName, f.Email, f.Phone = v("version"), v("name"), v("legal_name"), v("email"), v("phone")
	f.Segment, f.Region, f.TaxRegion, f.Tier, f.Currency = v("segment"), v("region"), v("tax_region"), v("tier"), v("currency")
	f.Contacts, f.Addresses = nil, nil
	for i := range min(atoiOr(v("contacts_n"), 0), models.MaxContacts+1) {
		g := func(name string) string { return strings.TrimSpace(v(fmt.Sprintf("contact_%d_%s", i, name))) }
		row := contactRow{g("id"), g("name"), g("email"), g("phone"), g("role")}
		if g("remove") == "" && !row.blank() {
			f.Contacts = append(f.Contacts, row)
		}
	}
	for i := range min(atoiOr(v("addresses_n"), 0), models.MaxAddresses+1) {
		g := func(name string) string { return strings.TrimSpace(v(fmt.Sprintf("address_%d_%s", i, name))) }
		row := addressRow{g("id"), g("kind"), g("label"), g("line1"), g("line2"), g("city"), g("region"), g("postal_code"), g("country"), g("default") != ""}
		if g("remove") == "" && !row.blank() {
			f.Addresses = append(f.Addresses, row)
		}
	}
	return v("add")
}

// withBlankRows adds an empty contact and address to fill in.
func (f customerForm) withBlankRows(contacts, addresses int) customerForm {
	for range contacts {
		f.Contacts = append(f.Contacts, contactRow{})
	}
	for range addresses {
		f.Addresses = append(f.Addresses, addressRow{Kind: models.AddressShipping})
	}
	return f
}

func (f customerForm) body() map[string]any {
	contacts, addresses := []map[string]any{}, []map[string]any{}
	for _, c := range f.Contacts {
		contacts = append(contacts, map[string]any{"id": c.ID, "name": c.Name, "email": c.Email, "phone": c.Phone, "role": c.Role})
	}
	for _, a := range f.Addresses {
		addresses = append(addresses, map[string]any{"id": a.ID, "kind": a.Kind, "label": a.Label, "line1": a.Line1, "line2": a.Line2,
			"city": a.City, "region": a.Region, "postal_code": a.PostalCode, "country": a.Country, "is_default": a.Default})
	}
	b := map[string]any{"name": f.Name, "legal_name": f.LegalName, "email": f.Email, "phone": f.Phone, "segment": f.Segment,
		"region": f.Region, "tax_region": f.TaxRegion, "tier": atoiOr(f.Tier, 0), "currency": f.Currency, "contacts": contacts, "addresses": addresses}
	if f.Version != "" {
		b["version"] = atoiOr(f.Version, 0)
	}
	return b
}

func (s *Server) newCustomerPage(v *visit) error {
	f := customerForm{Tier: "2", Currency: "USD"}.withBlankRows(1, 0)
	f.Addresses = []addressRow{{Kind: models.AddressBilling}, {Kind: models.AddressShipping, Default: true}}
	return v.showCustomerForm(f, "/customers", "Create customer", "/customers", http.StatusOK)
}

func (s *Server) createCustomer(v *visit) error {
	var f customerForm
	if f.read(v.r) != "" {
		return v.showCustomerForm(v.addRow(f), "/customers", "Create customer", "/customers", http.StatusOK)
	}
	var c models.Customer
	if err := v.call(http.MethodPost, "/api/v1/customers", f.body(), &c); err != nil {
		return v.refusedCustomerForm(err, f, "/customers", "Create customer", "/customers")
	}
	return v.redirectDone("/customers/"+c.ID, doneSaved)
}

func (s *Server) editCustomerPage(v *visit) error {
	id := v.r.PathValue("id")
	var c models.Customer
	if err := v.call(http.MethodGet, "/api/v1/customers/"+url.PathEscape(id), nil, &c); err != nil {
		return err
	}
	return v.showCustomerForm(formOfCustomer(c).withBlankRows(1, 1), "/customers/"+id+"/edit", "Save customer", "/customers/"+id, http.StatusOK)
}

func (s *Server) editCustomer(v *visit) error {
	id := v.r.PathValue("id")
	action, back := "/customers/"+id+"/edit", "/customers/"+id
	var f customerForm
	if f.read(v.r) != "" {
		return v.showCustomerForm(v.addRow(f), action, "Save customer", back, http.StatusOK)
	}
	if err := v.call(http.MethodPut, "/api/v1/customers/"+url.PathEscape(id), f.body(), nil); err != nil {
		return v.refusedCustomerForm(err, f, action, "Save customer", back)
	}
	return v.redirectDone(back, doneSaved)
}

// addRow adds the row a button asked for, keeping the form's key (the
// form has not been sent yet).
func (v *visit) addRow(f customerForm) customerForm {
	f.Key = v.r.PostFormValue(fieldKey)
	if v.r.PostFormValue("add") == "contact" {
		return f.withBlankRows(1, 0)
	}
	return f.withBlankRows(0, 1)
}

func (v *visit) refusedCustomerForm(err error, f customerForm, action, submit, back string) error {
	ae := refusal(err)
	if ae == nil {
		return err
	}
	f.Err = ae
	return v.showCustomerForm(f, action, submit, back, ae.Status)
}

func (v *visit) showCustomerForm(f customerForm, action, submit, back string, status int) error {
	f.Action, f.Submit, f.Cancel, f.CSRF = action, submit, back, v.csrf
	if f.Key == "" || f.Err != nil {
		f.Key = randomToken()
	}
	return v.showStatus(status, v.page.Title, customerFormView(f))
}

var (
	addressKinds = []option{{models.AddressShipping, "Shipping"}, {models.AddressBilling, "Billing"}}
	currencies   = currencyOptions()
	tiers        = []option{{"1", "1 (most important)"}, {"2", "2"}, {"3", "3"}, {"4", "4"}, {"5", "5"}}
)

// rowField is one field of a numbered row: named contact_0_email, its
// errors keyed contacts[0].email.
func rowField(kind, list string, i int, name, label, value string) field {
	return field{Name: fmt.Sprintf("%s_%d_%s", kind, i, name), Label: label, Value: value, ErrKey: fmt.Sprintf("%s[%d].%s", list, i, name)}
}

// currencyOptions are the currencies the API takes, for a form's choice.
func currencyOptions() []option {
	var out []option
	for _, c := range models.Currencies() {
		out = append(out, option{string(c), string(c)})
	}
	return out
}
