package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func (s *Server) listCustomers(c *gin.Context) {
	p, _ := principalOf(c)
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Customer], error) {
		return s.Store.ListCustomers(ctx, p.CustomerID, page)
	})
}

func (s *Server) listProducts(c *gin.Context) {
	p, _ := principalOf(c)
	// Customers see only what they can buy; staff also see retired SKUs.
	listPage(c, func(ctx context.Context, page store.Page) (store.List[models.Product], error) {
		return s.Store.ListProducts(ctx, !p.Roles.IsStaff(), page)
	})
}
