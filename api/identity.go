package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// Identity: logging in, users and their roles, API keys and the audit trail.

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (r loginRequest) Validate() error {
	var v models.Validator
	v.Check(r.Email != "", "email", "is required")
	v.Check(r.Password != "", "password", "is required")
	return v.Err()
}

type loginResponse struct {
	Token     string      `json:"token"`
	TokenType string      `json:"token_type"`
	ExpiresAt time.Time   `json:"expires_at"`
	User      models.User `json:"user"`
}

// login exchanges email and password for a token. Failures are throttled
// per account and per client address with a lock that doubles (429 with
// Retry-After), an unknown email costs the same bcrypt comparison as a known
// one, and every attempt is audited.
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	subject, err := s.Store.LoginSubject(req.Email) // the address's keyed hash: the throttle table holds no address
	if err != nil {
		fail(c, err)
		return
	}
	keys := []string{subject, "ip:" + c.ClientIP()}
	for _, k := range keys {
		wait, err := s.Store.LoginLockedFor(ctx, k)
		if err != nil {
			fail(c, err)
			return
		}
		if wait > 0 {
			s.auditLogin(c, "auth.login_throttled", req.Email, lockedWhat(k, subject))
			fail(c, &tooManyAttempts{retryAfter: wait})
			return
		}
	}
	u, err := s.Store.UserByEmail(ctx, req.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		fail(c, err)
		return
	}
	if err := auth.CheckPassword(u.PasswordHash, req.Password); err != nil || !u.Active {
		if _, err := s.Store.RecordLoginFailure(ctx, keys...); err != nil {
			fail(c, err)
			return
		}
		s.auditLogin(c, "auth.login_failed", req.Email, "")
		fail(c, fmt.Errorf("%w: %v", models.ErrUnauthorized, auth.ErrBadCredentials))
		return
	}
	tok, exp, err := s.Tokens.Issue(u)
	if err == nil {
		err = s.Store.ClearLoginFailures(ctx, keys[0])
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.auditLogin(c, "auth.login", u.Email, "user:"+u.ID)
	c.JSON(http.StatusOK, loginResponse{Token: tok, TokenType: "Bearer", ExpiresAt: exp, User: u})
}

// auditLogin records a login attempt; the trail must not block a login, so
// a failure to write it is logged. The entry names the address typed by its
// keyed hash (Store.LoginSubject), never the address: the chain cannot be edited,
// so an erasure could not take an address out of it later.
func (s *Server) auditLogin(c *gin.Context, action, email, detail string) {
	subject, err := s.Store.LoginSubject(email)
	if err != nil {
		s.Logger.Error("login not audited", "action", action, "error", err)
		return
	}
	e := models.AuditEvent{Actor: "ip:" + c.ClientIP(), Action: action, Entity: auditEntityLogin, EntityID: subject, Detail: detail}
	if err := s.Store.AppendAudit(reqCtx(c), e); err != nil {
		s.Logger.Error("login not audited", "action", action, "error", err)
	}
}

// lockedWhat says which throttle locked a login: the address's or the
// client's.
func lockedWhat(key, subject string) string {
	if key == subject {
		return "email locked"
	}
	return "ip locked"
}

// auditEntityLogin is the entity of login entries.
const auditEntityLogin = "login"

// tooManyAttempts answers a throttled login.
type tooManyAttempts struct{ retryAfter time.Duration }

func (e *tooManyAttempts) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %s", e.retryAfter.Round(time.Second))
}

// refreshRequest is empty: the token being refreshed is the credential.
type refreshRequest struct{}

func (refreshRequest) Validate() error { return nil }

// refresh issues a fresh token for the caller's own, still valid token: a
// browser session slides forward while it is used and ends after a token
// lifetime of idleness. Deactivation or a role change still ends it at once,
// because the old token was checked on the way in.
func (s *Server) refresh(c *gin.Context) {
	if !bind(c, &refreshRequest{}) {
		return
	}
	p, _ := principalOf(c)
	if p.Kind != auth.KindUser {
		fail(c, fmt.Errorf("%w: only a user's token can be refreshed", models.ErrForbidden))
		return
	}
	u, err := s.Store.UserByID(reqCtx(c), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	tok, exp, err := s.Tokens.Issue(u)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse{Token: tok, TokenType: "Bearer", ExpiresAt: exp, User: u})
}

func (s *Server) me(c *gin.Context) {
	p, _ := principalOf(c)
	c.JSON(http.StatusOK, p)
}

func (s *Server) listUsers(c *gin.Context) { listPage(c, s.Store.ListUsers) }

type createUserRequest struct {
	Email      string        `json:"email"`
	Name       string        `json:"name"`
	Phone      string        `json:"phone"`
	Password   string        `json:"password"`
	Roles      []models.Role `json:"roles"`
	CustomerID *string       `json:"customer_id"`
}

func (r createUserRequest) Validate() error {
	var v models.Validator
	v.Check(models.ValidEmail(models.NormalizeEmail(r.Email)), "email", "must be an email address")
	v.Text("name", r.Name, true, models.MaxNameLen)
	v.Check(r.Phone == "" || models.ValidPhone(r.Phone), "phone", "must be E.164, e.g. +14155550100")
	validatePassword(&v, r.Password)
	validateRoles(&v, r.Roles, r.CustomerID)
	return v.Err()
}

func (s *Server) createUser(c *gin.Context) {
	var req createUserRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	if !s.customerExists(c, req.CustomerID) {
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		fail(c, err)
		return
	}
	u := &models.User{Email: req.Email, Name: strings.TrimSpace(req.Name), Phone: req.Phone, Roles: models.Roles(req.Roles).Normalize(),
		CustomerID: req.CustomerID, PasswordHash: hash, Active: true}
	err = s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "user.create", "user", u.ID, "roles="+u.Roles.String()))
	})
	respond(c, http.StatusCreated, u, err)
}

func (s *Server) listAPIKeys(c *gin.Context) { listPage(c, s.Store.ListAPIKeys) }

type createAPIKeyRequest struct {
	Name       string        `json:"name"`
	Roles      []models.Role `json:"roles"`
	CustomerID *string       `json:"customer_id"`
}

func (r createAPIKeyRequest) Validate() error {
	var v models.Validator
	v.Text("name", r.Name, true, models.MaxNameLen)
	v.Check(len(r.Roles) > 0, "roles", "needs at least one role")
	for i, role := range r.Roles {
		v.Check(role.Valid(), fmt.Sprintf("roles[%d]", i), "is not a role")
	}
	v.Check(!models.Roles(r.Roles).Has(models.RoleITAdmin), "roles", "an API key cannot hold it_admin")
	isCustomer := models.Roles(r.Roles).Has(models.RoleCustomer)
	// As for users: a customer's key sees one account; a staff role beside it
	// would widen what the key's holder sees to everyone's.
	v.Check(!isCustomer || len(r.Roles) == 1, "roles", "customer cannot be combined with staff roles")
	v.Check(isCustomer == (r.CustomerID != nil), "customer_id", "is required with, and only with, the customer role")
	return v.Err()
}

type createdAPIKey struct {
	models.APIKey
	Key string `json:"key"` // shown once
}

func (s *Server) createAPIKey(c *gin.Context) {
	var req createAPIKeyRequest
	if !bind(c, &req) {
		return
	}
	ctx := reqCtx(c)
	if !s.customerExists(c, req.CustomerID) {
		return
	}
	p, _ := principalOf(c)
	key, prefix, hash := auth.NewAPIKey()
	k := &models.APIKey{Name: strings.TrimSpace(req.Name), Prefix: prefix, KeyHash: hash, Roles: models.Roles(req.Roles).Normalize(),
		CustomerID: req.CustomerID, CreatedBy: p.Subject()}
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "api_key.create", "api_key", k.ID, "roles="+k.Roles.String()))
	})
	respond(c, http.StatusCreated, createdAPIKey{APIKey: *k, Key: key}, err)
}

func (s *Server) revokeAPIKey(c *gin.Context) {
	ctx := reqCtx(c)
	var k models.APIKey
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if k, err = tx.RevokeAPIKey(ctx, c.Param("id")); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, "api_key.revoke", "api_key", k.ID, ""))
	})
	respond(c, http.StatusOK, k, err)
}

// verifyAudit answers 200 with what walking the chain found, intact or
// not: a broken chain is a finding to read, not a failed request.
func (s *Server) verifyAudit(c *gin.Context) {
	check, err := s.Store.VerifyAudit(reqCtx(c))
	respond(c, http.StatusOK, check, err)
}

func (s *Server) listAudit(c *gin.Context) {
	listPage(c, func(ctx context.Context, p store.Page) (store.List[models.AuditEvent], error) {
		entity, id := c.Query("entity"), c.Query("entity_id")
		if entity == auditEntityLogin && strings.Contains(id, "@") {
			return s.Store.ListLoginAudit(ctx, id, p) // login entries are found by the address typed
		}
		return s.Store.ListAudit(ctx, entity, id, p)
	})
}

// userRoutes are an IT admin's controls over people's access. Each change is
// audited and ends the user's existing tokens at once.
func (s *Server) userRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/users/:id", Summary: "A user with their roles and status", Roles: admins, Handler: s.getUser},
		{Method: "PUT", Path: "/api/v1/me/phone", Summary: "Set or clear the mobile number your text messages go to (E.164; a customer's is their account's)", Roles: anyone, Handler: s.setMyPhone, Body: phoneRequest{}},
		{Method: "POST", Path: "/api/v1/users/:id/deactivate", Summary: "Deactivate a user: their tokens stop working at once", Roles: admins, Handler: s.deactivateUser, Body: reasonRequest{}},
		{Method: "POST", Path: "/api/v1/users/:id/reactivate", Summary: "Reactivate a user (they log in again)", Roles: admins, Handler: s.reactivateUser, Body: reasonRequest{}},
		{Method: "PUT", Path: "/api/v1/users/:id/roles", Summary: "Change a user's roles: their tokens stop working at once", Roles: admins, Handler: s.setUserRoles, Body: rolesRequest{}},
		{Method: "POST", Path: "/api/v1/users/:id/password", Summary: "Reset a user's password: their tokens stop working at once", Roles: admins, Handler: s.resetPassword, Body: passwordRequest{}},
	}
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.Store.UserByID(reqCtx(c), c.Param("id"))
	respond(c, http.StatusOK, u, err)
}

type phoneRequest struct {
	Phone string `json:"phone"`
}

func (r phoneRequest) Validate() error {
	var v models.Validator
	p := models.NormalizePhone(r.Phone)
	v.Check(p == "" || models.ValidPhone(p), "phone", "must be E.164, e.g. +14155550100 (empty to remove it)")
	return v.Err()
}

// setMyPhone changes the caller's own mobile number; text messages they
// chose go there.
func (s *Server) setMyPhone(c *gin.Context) {
	var req phoneRequest
	if !bind(c, &req) {
		return
	}
	req.Phone = models.NormalizePhone(req.Phone)
	p, _ := principalOf(c)
	if p.Kind != auth.KindUser {
		fail(c, fmt.Errorf("%w: a phone number belongs to a person, not an API key", models.ErrForbidden))
		return
	}
	// A customer's texts go to their account's number (notification
	// preferences are the account's too); staff get theirs.
	if p.IsCustomer() {
		err := s.Store.SetCustomerPhone(reqCtx(c), p.CustomerID, req.Phone, s.audit(c, "customer.phone", "customer", p.CustomerID, ""))
		respond(c, http.StatusOK, phoneRequest{Phone: req.Phone}, err)
		return
	}
	_, err := s.Store.SetUserPhone(reqCtx(c), p.ID, req.Phone, s.audit(c, "user.phone", "user", p.ID, ""))
	respond(c, http.StatusOK, phoneRequest{Phone: req.Phone}, err)
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (r reasonRequest) Validate() error {
	var v models.Validator
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	return v.Err()
}

func (s *Server) deactivateUser(c *gin.Context) {
	var req reasonRequest
	if !bind(c, &req) {
		return
	}
	if p, _ := principalOf(c); p.Kind == auth.KindUser && p.ID == c.Param("id") {
		fail(c, models.Invalid("id", "you cannot deactivate yourself"))
		return
	}
	off := false
	s.changeUser(c, "user.deactivate", store.UserChange{Active: &off}, req.Reason)
}

func (s *Server) reactivateUser(c *gin.Context) {
	var req reasonRequest
	if !bind(c, &req) {
		return
	}
	on := true
	s.changeUser(c, "user.reactivate", store.UserChange{Active: &on}, req.Reason)
}

type rolesRequest struct {
	Roles      []models.Role `json:"roles"`
	CustomerID *string       `json:"customer_id"`
	Reason     string        `json:"reason"`
}

func (r rolesRequest) Validate() error {
	var v models.Validator
	validateRoles(&v, r.Roles, r.CustomerID)
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	return v.Err()
}

func (s *Server) setUserRoles(c *gin.Context) {
	var req rolesRequest
	if !bind(c, &req) || !s.customerExists(c, req.CustomerID) {
		return
	}
	roles := models.Roles(req.Roles).Normalize()
	s.changeUser(c, "user.roles", store.UserChange{Roles: roles, CustomerID: req.CustomerID}, "roles="+roles.String()+"; "+req.Reason)
}

type passwordRequest struct {
	Password string `json:"password"`
}

func (r passwordRequest) Validate() error {
	var v models.Validator
	validatePassword(&v, r.Password)
	return v.Err()
}

func (s *Server) resetPassword(c *gin.Context) {
	var req passwordRequest
	if !bind(c, &req) {
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		fail(c, err)
		return
	}
	s.changeUser(c, "user.password_reset", store.UserChange{PasswordHash: hash}, "")
}

// changeUser applies a change and its audit entry in one transaction.
func (s *Server) changeUser(c *gin.Context, action string, ch store.UserChange, detail string) {
	ctx := reqCtx(c)
	var after models.User
	err := s.Store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if after, err = tx.ChangeUser(ctx, c.Param("id"), ch); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(c, action, "user", after.ID, detail))
	})
	respond(c, http.StatusOK, after, err)
}

// validateRoles checks a role set: known roles, at least one, and a
// customer user (or key) acting for exactly one customer and nothing else.
func validateRoles(v *models.Validator, roles []models.Role, customerID *string) {
	v.Check(len(roles) > 0, "roles", "needs at least one role")
	for i, role := range roles {
		v.Check(role.Valid(), fmt.Sprintf("roles[%d]", i), "is not a role")
	}
	isCustomer := models.Roles(roles).Has(models.RoleCustomer)
	v.Check(!isCustomer || customerID != nil, "customer_id", "is required for the customer role")
	v.Check(!isCustomer || len(roles) == 1, "roles", "customer cannot be combined with staff roles")
	v.Check(isCustomer || customerID == nil, "customer_id", "is only for users with the customer role")
}

func validatePassword(v *models.Validator, pw string) {
	v.Check(len(pw) >= auth.MinPasswordLength && len(pw) <= 72, "password", fmt.Sprintf("must be %d to 72 characters", auth.MinPasswordLength))
}
