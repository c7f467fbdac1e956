package models

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
)

// Role is what a caller may do. Every API route names the roles that may call it.
type Role string

// Label is the role as people read it in a sentence ("sales manager",
// "IT admin"), not its code.
func (r Role) Label() string {
	if r == RoleITAdmin {
		return "IT admin"
	}
	return strings.ReplaceAll(string(r), "_", " ")
}

// The roles of the user stories.
const (
	RoleCustomer          Role = "customer"
	RoleSalesRep          Role = "sales_rep"
	RoleSalesManager      Role = "sales_manager"
	RolePricingAnalyst    Role = "pricing_analyst"
	RoleApprover          Role = "approver"
	RoleWarehouseManager  Role = "warehouse_manager"
	RoleProductionManager Role = "production_manager"
	RoleCustomerService   Role = "customer_service"
	RoleServiceManager    Role = "service_manager" // leads customer service: escalated tickets come here
	RoleFinance           Role = "finance"
	RoleMarketing         Role = "marketing"
	RoleSupplyChain       Role = "supply_chain"
	RoleExecutive         Role = "executive"
	RoleITAdmin           Role = "it_admin"
)

// AllRoles lists every role in a fixed order.
var AllRoles = []Role{
	RoleCustomer, RoleSalesRep, RoleSalesManager, RolePricingAnalyst, RoleApprover,
	RoleWarehouseManager, RoleProductionManager, RoleCustomerService, RoleServiceManager, RoleFinance,
	RoleMarketing, RoleSupplyChain, RoleExecutive, RoleITAdmin,
}

// StaffRoles is every role but customer.
var StaffRoles = slices.DeleteFunc(slices.Clone(AllRoles), func(r Role) bool { return r == RoleCustomer })

// Valid reports whether r is one of AllRoles.
func (r Role) Valid() bool { return slices.Contains(AllRoles, r) }

// Roles is a set of roles, stored as a comma-separated text column.
type Roles []Role

// ParseRoles reads "a,b" into Roles, rejecting unknown names.
func ParseRoles(s string) (Roles, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out Roles
	for _, p := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(p))
		if !r.Valid() {
			return nil, fmt.Errorf("unknown role %q", string(r))
		}
		out = append(out, r)
	}
	return out.Normalize(), nil
}

// Normalize sorts and de-duplicates.
func (rs Roles) Normalize() Roles {
	out := slices.Clone(rs)
	slices.Sort(out)
	return slices.Compact(out)
}

// Has reports whether rs holds r.
func (rs Roles) Has(r Role) bool { return slices.Contains(rs, r) }

// Any reports whether rs holds any of want.
func (rs Roles) Any(want []Role) bool {
	for _, r := range want {
		if rs.Has(r) {
			return true
		}
	}
	return false
}

// IsStaff reports whether rs holds any role other than customer.
func (rs Roles) IsStaff() bool { return rs.Any(StaffRoles) }

func (rs Roles) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

// Value stores Roles as text.
func (rs Roles) Value() (driver.Value, error) { return rs.Normalize().String(), nil }

// Scan reads Roles from text.
func (rs *Roles) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		*rs = nil
		return nil
	default:
		return fmt.Errorf("roles: cannot scan %T", src)
	}
	parsed, err := ParseRoles(s)
	if err != nil {
		return err
	}
	*rs = parsed
	return nil
}
