package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/models"
)

// CreateCustomer inserts c with its contacts and addresses. Fields left
// zero take the database's defaults (net 30 terms); NewCustomer stores
// every field as given.
func (s *Store) CreateCustomer(ctx context.Context, c *models.Customer) error {
	return s.insertCustomer(ctx, c, false)
}

// NewCustomer inserts a complete master record, zero values included (0
// days is due on receipt), with its audit entry, in one transaction.
func (s *Store) NewCustomer(ctx context.Context, c *models.Customer, audit models.AuditEvent) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.insertCustomer(ctx, c, true); err != nil {
			return err
		}
		audit.EntityID = c.ID
		return tx.AppendAudit(ctx, audit)
	})
}

func (s *Store) insertCustomer(ctx context.Context, c *models.Customer, every bool) error {
	if c.ID == "" {
		c.ID = NewID()
	}
	c.CreatedAt, c.Version = s.now(), 1
	return s.Tx(ctx, func(tx *Store) error {
		q := tx.conn(ctx)
		if every {
			q = q.Select("*")
		} else if c.TermsDays == 0 {
			q = q.Omit("terms_days")
		}
		if err := tx.indexCustomer(c); err != nil {
			return err
		}
		if err := q.Create(c).Error; err != nil {
			return mapErr(err, "customer", c.ID)
		}
		if !every {
			// Read back what the defaults filled in.
			if err := tx.conn(ctx).Select("terms_days").Where("id = ?", c.ID).Take(c).Error; err != nil {
				return err
			}
		}
		return tx.writeCustomerParts(ctx, c)
	})
}

// writeCustomerParts replaces the account's contacts and addresses with
// c's, keeping the IDs they came with (quotes name a ship-to by ID).
func (s *Store) writeCustomerParts(ctx context.Context, c *models.Customer) error {
	if err := s.indexCustomer(c); err != nil {
		return err
	}
	db := s.conn(ctx)
	if err := db.Where("customer_id = ?", c.ID).Delete(&models.CustomerContact{}).Error; err != nil {
		return err
	}
	if err := db.Where("customer_id = ?", c.ID).Delete(&models.Address{}).Error; err != nil {
		return err
	}
	for i := range c.Contacts {
		p := &c.Contacts[i]
		if p.ID == "" {
			p.ID = NewID()
		}
		p.CustomerID, p.Position = c.ID, i
	}
	for i := range c.Addresses {
		a := &c.Addresses[i]
		if a.ID == "" {
			a.ID = NewID()
		}
		a.CustomerID, a.Position = c.ID, i
	}
	if len(c.Contacts) > 0 {
		if err := db.Create(&c.Contacts).Error; err != nil {
			return mapErr(err, "contact", c.ID)
		}
	}
	if len(c.Addresses) > 0 {
		if err := db.Create(&c.Addresses).Error; err != nil {
			return mapErr(err, "address", c.ID)
		}
	}
	return nil
}

// CustomerByID finds a customer with its contacts and addresses.
func (s *Store) CustomerByID(ctx context.Context, id string) (models.Customer, error) {
	var c models.Customer
	if err := s.conn(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return c, mapErr(err, "customer", id)
	}
	return c, s.readCustomerParts(ctx, &c)
}

func (s *Store) readCustomerParts(ctx context.Context, c *models.Customer) error {
	c.Contacts, c.Addresses = []models.CustomerContact{}, []models.Address{}
	if err := s.conn(ctx).Where("customer_id = ?", c.ID).Order("position").Find(&c.Contacts).Error; err != nil {
		return err
	}
	return s.conn(ctx).Where("customer_id = ?", c.ID).Order("position").Find(&c.Addresses).Error
}

// UpdateCustomer changes an account under its row lock: change sees the
// stored record and edits it; the edit is refused as a conflict when the
// record is no longer at version (someone else saved first). The audit
// entry is written in the same transaction, its detail from describe.
func (s *Store) UpdateCustomer(ctx context.Context, id string, version int, change func(*models.Customer) error, audit models.AuditEvent) (models.Customer, error) {
	var c models.Customer
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", id).Take(&c).Error; err != nil {
			return mapErr(err, "customer", id)
		}
		if err := tx.readCustomerParts(ctx, &c); err != nil {
			return err
		}
		before := c
		before.Contacts, before.Addresses = slices.Clone(c.Contacts), slices.Clone(c.Addresses)
		if err := change(&c); err != nil {
			return err
		}
		if sameCustomer(before, c) {
			// Nothing to change: a retry of an edit that was saved, or a
			// save of an unchanged form, answers with the record as it is.
			c = before
			return nil
		}
		if c.Version != version {
			return fmt.Errorf("%w: customer %s is at version %d, the edit was made from version %d: reload it and edit again", models.ErrConflict, id, c.Version, version)
		}
		now := s.now()
		c.Version, c.UpdatedAt = c.Version+1, &now
		if err := tx.indexCustomer(&c); err != nil {
			return err
		}
		email, err := tx.seal("customers", "email", c.Email)
		if err != nil {
			return err
		}
		phone, err := tx.seal("customers", "phone", c.Phone)
		if err != nil {
			return err
		}
		if err := tx.conn(ctx).Model(&models.Customer{}).Where("id = ?", id).Updates(map[string]any{
			"name": c.Name, "legal_name": c.LegalName, "email": email, "email_hash": c.EmailHash, "phone": phone, "phone_hash": c.PhoneHash,
			"segment": c.Segment, "region": c.Region,
			"tax_region": c.TaxRegion, "tier": c.Tier, "currency": c.Currency, "terms_days": c.TermsDays, "credit_limit": c.CreditLimit,
			"owner_id": c.OwnerID, "version": c.Version, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := tx.writeCustomerParts(ctx, &c); err != nil {
			return err
		}
		audit.EntityID = id
		return tx.AppendAudit(ctx, audit)
	})
	return c, err
}

// ListCustomers pages through customers; only is a filter to one id (the
// caller's own, for customer users) when not empty. search finds a part
// of the name, legal name or id, the whole email of the account or of any
// contact or of a portal sign-in, the whole phone number however it is
// typed, or a quote, an order or an invoice (by id or number). Emails and phones are sealed in the database
// (sealed.go), so they are found whole, through their keyed hashes.
func (s *Store) ListCustomers(ctx context.Context, only, search string, p Page) (List[models.Customer], error) {
	q := whereEq(s.conn(ctx).Model(&models.Customer{}), "id", only)
	if like, ok := likePattern(search); ok {
		search = strings.ToLower(strings.TrimSpace(search))
		cond := `LOWER(name) LIKE @like ESCAPE '\' OR LOWER(legal_name) LIKE @like ESCAPE '\' OR LOWER(id) LIKE @like ESCAPE '\'` +
			` OR id IN (SELECT customer_id FROM orders WHERE LOWER(id) = @exact OR LOWER(quote_id) = @exact)` +
			` OR id IN (SELECT customer_id FROM quotes WHERE LOWER(id) = @exact)` +
			` OR id IN (SELECT customer_id FROM invoices WHERE LOWER(id) = @exact)`
		args := map[string]any{"like": like, "exact": search}
		if strings.Contains(search, "@") {
			emails, err := s.lookups(lookupEmail, models.NormalizeEmail(search))
			if err != nil {
				return List[models.Customer]{}, err
			}
			cond += ` OR email_hash IN @emails OR id IN (SELECT customer_id FROM customer_contacts WHERE email_hash IN @emails)` +
				` OR id IN (SELECT customer_id FROM users WHERE email_hash IN @emails)` // the account's portal sign-ins
			args["emails"] = emails
		}
		if phone := models.NormalizePhone(search); len(phone) >= 4 && strings.Trim(phone, "+0123456789") == "" {
			phones, err := s.lookups(lookupPhone, phone)
			if err != nil {
				return List[models.Customer]{}, err
			}
			cond += ` OR phone_hash IN @phones OR id IN (SELECT customer_id FROM customer_contacts WHERE phone_hash IN @phones)`
			args["phones"] = phones
		}
		if n, err := strconv.ParseInt(strings.TrimPrefix(search, "#"), 10, 64); err == nil && n > 0 {
			cond += ` OR id IN (SELECT customer_id FROM invoices WHERE number = @number)`
			args["number"] = n
		}
		q = q.Where("("+cond+")", args)
	}
	return listAfter(q, "id", p, func(c models.Customer) string { return c.ID })
}

// sameCustomer reports whether two records hold the same master data,
// whatever their versions and the IDs of their contacts and addresses (a
// retried edit adds a new address without an ID again).
func sameCustomer(a, b models.Customer) bool {
	norm := func(c models.Customer) string {
		c.Version, c.UpdatedAt = 0, nil
		c.Contacts, c.Addresses = slices.Clone(c.Contacts), slices.Clone(c.Addresses)
		for i := range c.Contacts {
			c.Contacts[i].ID, c.Contacts[i].Position = "", 0
		}
		for i := range c.Addresses {
			c.Addresses[i].ID, c.Addresses[i].Position = "", 0
		}
		raw, _ := json.Marshal(c)
		return string(raw)
	}
	return norm(a) == norm(b)
}

// SetCustomerOwner makes a user the account's sales rep. Figures already
// booked keep the rep they were booked under.
func (s *Store) SetCustomerOwner(ctx context.Context, customerID, userID string) error {
	res := s.conn(ctx).Model(&models.Customer{}).Where("id = ?", customerID).Update("owner_id", userID)
	if res.Error == nil && res.RowsAffected == 0 {
		return mapErr(gorm.ErrRecordNotFound, "customer", customerID)
	}
	return res.Error
}

// CustomerHasOrders reports whether the account has ever ordered.
func (s *Store) CustomerHasOrders(ctx context.Context, id string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&models.OrderRecord{}).Where("customer_id = ?", id).Limit(1).Count(&n).Error
	return n > 0, err
}
