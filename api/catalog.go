package api

import (
	"context"

	"github.com/gin-gonic/gin"

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
	// Customers see only what they can buy; staff also see retired SKUs.
	listPage(c, func(ctx context.Context, page store.Page) (store.List[productView], error) {
		l, err := s.Store.ListProducts(ctx, !p.Roles.IsStaff(), page)
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
			out.Items[i] = productView{Product: it, Available: avail[it.SKU]}
		}
		return out, err
	})
}
