package models

import (
	"fmt"
	"strings"
)

// Payment terms: days from invoice to due date.
const (
	TermsDueOnReceipt = 0
	TermsNet15        = 15
	TermsNet30        = 30
	TermsNet60        = 60
	// DefaultTermsDays is what an account gets when nobody says otherwise,
	// and what every invoice had before terms were per customer.
	DefaultTermsDays = TermsNet30
	MaxTermsDays     = 365
)

// TermsLabel names payment terms the way an invoice prints them.
func TermsLabel(days int) string {
	if days == TermsDueOnReceipt {
		return "due on receipt"
	}
	return fmt.Sprintf("net %d", days)
}

// Address kinds.
const (
	AddressBilling  = "billing"
	AddressShipping = "shipping"
)

// Bounds on master data lists, so an account stays one readable page.
const (
	MaxContacts  = 20
	MaxAddresses = 20
)

// CustomerContact is a person at a customer: who buys, who pays, who
// receives.
type CustomerContact struct {
	ID         string `json:"id"`
	CustomerID string `json:"-"`
	Position   int    `json:"-"`
	// Name, Email and Phone are sealed in the database (store/sealed.go),
	// found by their keyed hashes.
	Name      string `json:"name" gorm:"serializer:sealed"`
	Email     string `json:"email,omitempty" gorm:"serializer:sealed"`
	EmailHash string `json:"-"`
	Phone     string `json:"phone,omitempty" gorm:"serializer:sealed"` // E.164
	PhoneHash string `json:"-"`
	Role      string `json:"role,omitempty"` // e.g. "purchasing", "accounts payable"
}

func (CustomerContact) TableName() string { return "customer_contacts" }

// Address is a billing or shipping address. Quotes and orders keep a copy
// of their ship-to, so a later edit of the account never moves a shipment.
type Address struct {
	ID         string `json:"id"`
	CustomerID string `json:"-"`
	Position   int    `json:"-"`
	Kind       string `json:"kind"` // billing or shipping
	Label      string `json:"label,omitempty"`
	// The street lines and postal code are sealed in the database
	// (store/sealed.go); city, region and country stay plain for reports.
	Line1      string `json:"line1" gorm:"serializer:sealed"`
	Line2      string `json:"line2,omitempty" gorm:"serializer:sealed"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty" gorm:"serializer:sealed"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
	IsDefault  bool   `json:"is_default"`
}

func (Address) TableName() string { return "customer_addresses" }

// String is the address on one line, as a pick list or an email shows it.
func (a Address) String() string {
	var parts []string
	for _, p := range []string{a.Label, a.Line1, a.Line2, a.City, strings.TrimSpace(a.Region + " " + a.PostalCode), a.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// DefaultAddress is the account's default address of a kind: the one
// marked default, else the first of that kind.
func (c Customer) DefaultAddress(kind string) (Address, bool) {
	var first *Address
	for i, a := range c.Addresses {
		if a.Kind != kind {
			continue
		}
		if a.IsDefault {
			return a, true
		}
		if first == nil {
			first = &c.Addresses[i]
		}
	}
	if first == nil {
		return Address{}, false
	}
	return *first, true
}

// Address finds one of the account's addresses by ID.
func (c Customer) Address(id string) (Address, bool) {
	for _, a := range c.Addresses {
		if a.ID == id {
			return a, true
		}
	}
	return Address{}, false
}

// Normalize trims what people type and puts emails in lower case and
// phones in E.164 form, before Validate and before storing.
func (c *Customer) Normalize() {
	c.Name, c.LegalName = strings.TrimSpace(c.Name), strings.TrimSpace(c.LegalName)
	c.Email, c.Phone = NormalizeEmail(c.Email), NormalizePhone(c.Phone)
	c.Segment, c.Region, c.TaxRegion = strings.TrimSpace(c.Segment), strings.TrimSpace(c.Region), strings.TrimSpace(c.TaxRegion)
	for i := range c.Contacts {
		p := &c.Contacts[i]
		p.Name, p.Role = strings.TrimSpace(p.Name), strings.TrimSpace(p.Role)
		p.Email, p.Phone = NormalizeEmail(p.Email), NormalizePhone(p.Phone)
	}
	for i := range c.Addresses {
		a := &c.Addresses[i]
		for _, f := range []*string{&a.Kind, &a.Label, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode} {
			*f = strings.TrimSpace(*f)
		}
		a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	}
}

// Validate checks the master data people edit: the account, its contacts
// and its addresses. Fields are named as in the JSON, with the list index
// (contacts[1].email).
func (c Customer) Validate() error {
	var v Validator
	v.Text("name", c.Name, true, MaxNameLen)
	v.Text("legal_name", c.LegalName, false, MaxNameLen)
	v.Check(ValidEmail(c.Email), "email", "must be an email address such as orders@example.com")
	v.Check(c.Phone == "" || ValidPhone(c.Phone), "phone", "must be in E.164 form, such as +14155550100")
	v.Text("segment", c.Segment, true, MaxCodeLen)
	v.Text("region", c.Region, true, MaxCodeLen)
	v.Text("tax_region", c.TaxRegion, false, MaxCodeLen)
	v.Check(c.Tier >= 1 && c.Tier <= 9, "tier", "must be between 1 (most important) and 9")
	if err := c.Currency.Validate(); err != nil {
		v.Add("currency", "%v", err)
	}
	v.Check(len(c.Contacts) <= MaxContacts, "contacts", fmt.Sprintf("at most %d", MaxContacts))
	for i, p := range c.Contacts {
		f := func(name string) string { return fmt.Sprintf("contacts[%d].%s", i, name) }
		v.Text(f("name"), p.Name, true, MaxNameLen)
		v.Check(p.Email == "" || ValidEmail(p.Email), f("email"), "must be an email address")
		v.Check(p.Phone == "" || ValidPhone(p.Phone), f("phone"), "must be in E.164 form, such as +14155550100")
		v.Check(p.Email != "" || p.Phone != "", f("email"), "a contact needs an email or a phone")
		v.Text(f("role"), p.Role, false, MaxCodeLen)
	}
	v.Check(len(c.Addresses) <= MaxAddresses, "addresses", fmt.Sprintf("at most %d", MaxAddresses))
	defaults := map[string]int{}
	for i, a := range c.Addresses {
		f := func(name string) string { return fmt.Sprintf("addresses[%d].%s", i, name) }
		v.Check(a.Kind == AddressBilling || a.Kind == AddressShipping, f("kind"), "must be billing or shipping")
		v.Text(f("label"), a.Label, false, MaxNameLen)
		v.Text(f("line1"), a.Line1, true, MaxNameLen)
		v.Text(f("line2"), a.Line2, false, MaxNameLen)
		v.Text(f("city"), a.City, true, MaxNameLen)
		v.Text(f("region"), a.Region, false, MaxCodeLen)
		v.Text(f("postal_code"), a.PostalCode, false, MaxCodeLen)
		v.Check(len(a.Country) == 2 && strings.Trim(a.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "", f("country"), "must be a two-letter ISO country code such as US")
		if a.IsDefault {
			defaults[a.Kind]++
			v.Check(defaults[a.Kind] == 1, f("is_default"), "only one "+a.Kind+" address can be the default")
		}
	}
	return v.Err()
}

// ValidateTerms checks payment terms and a credit limit.
func ValidateTerms(termsDays int, creditLimit *int64) error {
	var v Validator
	v.Check(termsDays >= 0 && termsDays <= MaxTermsDays, "terms_days", fmt.Sprintf("must be between 0 (due on receipt) and %d", MaxTermsDays))
	if creditLimit != nil {
		v.Amount("credit_limit", *creditLimit, 0)
	}
	return v.Err()
}
