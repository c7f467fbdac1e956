package web

// Navigation groups, in the order they are shown.
const (
	navSell       = "Sell"
	navOperations = "Operations"
	navBackorders = "Backorders"
	navFinance    = "Finance"
	navReports    = "Reports"
	navService    = "Customer service"
	navPricing    = "Pricing"
	navMarketing  = "Marketing"
	navAdmin      = "Administration"
	navAccount    = "My account"
)

// pageTable is every page. Each takes the roles of the API route it stands
// on (Uses), so a page is offered to exactly the people whose calls it makes
// would be allowed.
func (s *Server) pageTable() []Page {
	return []Page{
		// Selling: customers and sales.
		{Pattern: "GET /catalog", Title: "Catalog", Uses: "GET /api/v1/products", Nav: navSell, Handle: s.catalogPage},
		{Pattern: "GET /catalog/new", Title: "New product", Uses: productEditRoute, Handle: s.newProductPage},
		{Pattern: "POST /catalog", Title: "New product", Uses: productEditRoute, Handle: s.createProduct},
		{Pattern: "GET /catalog/{sku}/edit", Title: "Edit product", Uses: productEditRoute, Handle: s.editProductPage},
		{Pattern: "POST /catalog/{sku}", Title: "Edit product", Uses: productEditRoute, Handle: s.updateProduct},
		{Pattern: "GET /quotes/new", Title: "New quote", Uses: "POST /api/v1/quotes", Nav: navSell, Handle: s.newQuotePage},
		{Pattern: "POST /quotes", Title: "New quote", Uses: "POST /api/v1/quotes", Handle: s.createQuote},
		{Pattern: "GET /quotes", Title: "Quotes", Uses: "GET /api/v1/quotes", Nav: navSell, Handle: s.quotesPage},
		{Pattern: "GET /approvals", Title: "Approvals inbox", Uses: "POST /api/v1/quotes/:id/approve", Nav: navSell, Handle: s.approvalsPage},
		{Pattern: "GET /quotes/{id}", Title: "Quote", Uses: "GET /api/v1/quotes/:id", Handle: s.quotePage},
		{Pattern: "GET /quotes/{id}/edit", Title: "Edit quote", Uses: "PUT /api/v1/quotes/:id", Handle: s.editQuotePage},
		{Pattern: "POST /quotes/{id}/edit", Title: "Edit quote", Uses: "PUT /api/v1/quotes/:id", Handle: s.editQuote},
		{Pattern: "POST /quotes/{id}/accept", Title: "Accept quote", Uses: "POST /api/v1/quotes/:id/accept", Handle: s.quoteAction("accept")},
		{Pattern: "POST /quotes/{id}/withdraw", Title: "Withdraw quote", Uses: "POST /api/v1/quotes/:id/withdraw", Handle: s.quoteAction("withdraw")},
		{Pattern: "POST /quotes/{id}/approve", Title: "Approve quote", Uses: "POST /api/v1/quotes/:id/approve", Handle: s.quoteAction("approve")},
		{Pattern: "POST /quotes/{id}/reject", Title: "Reject quote", Uses: "POST /api/v1/quotes/:id/reject", Handle: s.quoteAction("reject")},
		{Pattern: "GET /orders", Title: "Orders", Uses: "GET /api/v1/orders", Nav: navSell, Handle: s.ordersPage},
		{Pattern: "GET /orders/{id}", Title: "Order", Uses: "GET /api/v1/orders/:id", Handle: s.orderPage},
		{Pattern: "POST /orders/{id}/cancel", Title: "Cancel order", Uses: "POST /api/v1/orders/:id/cancel", Handle: s.cancelOrder},
		{Pattern: "GET /invoices", Title: "Invoices", Uses: "GET /api/v1/invoices", Nav: navFinance, Handle: s.invoicesPage},
		{Pattern: "GET /invoices/{id}", Title: "Invoice", Uses: "GET /api/v1/invoices/:id", Handle: s.invoicePage},
		{Pattern: "POST /invoices/{id}/credit-notes", Title: "Invoice", Uses: "POST /api/v1/invoices/:id/credit-notes", Handle: s.creditInvoice},
		{Pattern: "GET /credit-notes", Title: "Credit notes", Uses: "GET /api/v1/credit-notes", Nav: navFinance, Handle: s.creditNotesPage},
		{Pattern: "POST /orders/{id}/payments", Title: "Record a payment", Uses: "POST /api/v1/orders/:id/payments", Handle: s.recordPayment},
		{Pattern: "GET /reports/ar-aging", Title: "AR aging", Uses: "GET /api/v1/reports/ar-aging", Nav: navFinance, Handle: s.arAgingPage},
		{Pattern: "GET /reports/ar-aging.csv", Title: "AR aging", Uses: "GET /api/v1/reports/ar-aging", Handle: s.arAgingCSV},
		{Pattern: "GET /reports/collections", Title: "Collections and DSO", Uses: "GET /api/v1/reports/collections", Nav: navFinance, Handle: s.collectionsPage},
		{Pattern: "GET /reports/collections.csv", Title: "Collections and DSO", Uses: "GET /api/v1/reports/collections", Handle: s.collectionsCSV},
		{Pattern: "GET /reports/cash", Title: "Cash forecast", Uses: "GET /api/v1/reports/cash-forecast", Nav: navFinance, Handle: s.cashPage},
		{Pattern: "GET /reports/cash.csv", Title: "Cash forecast", Uses: "GET /api/v1/reports/cash-forecast", Handle: s.cashCSV},
		{Pattern: "GET /reports/credits.csv", Title: "Customer credit", Uses: "GET /api/v1/reports/credits", Handle: s.creditsCSV},

		// Reports: sales and performance over time.
		{Pattern: "GET /reports/kpis", Title: "Performance trends", Uses: "GET /api/v1/reports/kpis", Nav: navReports, Handle: s.kpiTrendsPage},
		{Pattern: "GET /reports/kpis.csv", Title: "Performance trends", Uses: "GET /api/v1/reports/kpis", Handle: s.kpiTrendsCSV},
		{Pattern: "POST /reports/kpis/backfill", Title: "Performance trends", Uses: "POST /api/v1/reports/kpis/backfill", Handle: s.kpiBackfill},
		{Pattern: "GET /reports/sales", Title: "Sales", Uses: "GET /api/v1/reports/sales", Nav: navReports, Handle: s.salesPage},
		{Pattern: "GET /reports/sales.csv", Title: "Sales", Uses: "GET /api/v1/reports/sales", Handle: s.salesCSV},
		{Pattern: "GET /reports/sales-lines.csv", Title: "Sales", Uses: "GET /api/v1/reports/sales/lines", Handle: s.salesLinesCSV},
		{Pattern: "GET /reports/funnel", Title: "Quote funnel", Uses: "GET /api/v1/reports/quote-funnel", Nav: navReports, Handle: s.funnelPage},
		{Pattern: "GET /reports/funnel.csv", Title: "Quote funnel", Uses: "GET /api/v1/reports/quote-funnel", Handle: s.funnelCSV},

		// Operations: stock, shipping, receiving, supply.
		{Pattern: "GET /stock", Title: "Stock and ATP", Uses: "GET /api/v1/inventory/:sku/availability", Nav: navOperations, Handle: s.stockPage},
		{Pattern: "GET /shipping", Title: "Ready to ship", Uses: "POST /api/v1/orders/:id/shipments", Nav: navOperations, Handle: s.shippingPage},
		{Pattern: "POST /orders/{id}/shipments", Title: "Ship order", Uses: "POST /api/v1/orders/:id/shipments", Handle: s.shipOrder},
		{Pattern: "GET /receipts", Title: "Goods receipt", Uses: "POST /api/v1/inventory/:sku/receipts", Nav: navOperations, Handle: s.receiptsPage},
		{Pattern: "POST /receipts", Title: "Goods receipt", Uses: "POST /api/v1/inventory/:sku/receipts", Handle: s.receive},
		{Pattern: "GET /stock/counts", Title: "Stock counts", Uses: "POST /api/v1/inventory/:sku/counts", Nav: navOperations, Handle: s.stockCountsPage},
		{Pattern: "POST /stock/counts", Title: "Stock counts", Uses: "POST /api/v1/inventory/:sku/counts", Handle: s.countStock},
		{Pattern: "GET /supply", Title: "Supply orders", Uses: "GET /api/v1/supply-orders", Nav: navOperations, Handle: s.supplyPage},
		{Pattern: "POST /supply", Title: "Supply orders", Uses: "POST /api/v1/supply-orders", Handle: s.createSupply},
		{Pattern: "POST /supply/{id}/move", Title: "Move supply order", Uses: "PATCH /api/v1/supply-orders/:id", Handle: s.moveSupply},
		{Pattern: "POST /supply/{id}/cancel", Title: "Cancel supply order", Uses: "POST /api/v1/supply-orders/:id/cancel", Handle: s.cancelSupply},
		{Pattern: "GET /reports/slippage", Title: "Supplier slippage", Uses: "GET /api/v1/reports/supplier-slippage", Nav: navOperations, Handle: s.slippagePage},
		{Pattern: "GET /reports/slippage.csv", Title: "Supplier slippage", Uses: "GET /api/v1/reports/supplier-slippage", Handle: s.slippageCSV},

		// Backorders.
		{Pattern: "GET /backorders", Title: "Backorder dashboard", Uses: "GET /api/v1/backorders", Nav: navBackorders, Handle: s.backordersPage},
		{Pattern: "GET /backorders/{id}", Title: "Backorder", Uses: "GET /api/v1/backorders/:id", Handle: s.backorderPage},
		{Pattern: "POST /backorders/{id}/notes", Title: "Add a note", Uses: "POST /api/v1/backorders/:id/notes", Handle: s.addNote},
		{Pattern: "GET /kpis", Title: "Backorder KPIs", Uses: "GET /api/v1/backorders/kpis", Nav: navBackorders, Handle: s.kpisPage},

		// Customer service.
		{Pattern: "GET /customers", Title: "Customers", Uses: "GET /api/v1/customers/:id/360", Nav: navService, Handle: s.customersPage},
		{Pattern: "GET /customers/new", Title: "New customer", Uses: "POST /api/v1/customers", Handle: s.newCustomerPage},
		{Pattern: "POST /customers", Title: "New customer", Uses: "POST /api/v1/customers", Handle: s.createCustomer},
		{Pattern: "GET /customers/{id}", Title: "Customer", Uses: "GET /api/v1/customers/:id/360", Handle: s.customerPage},
		{Pattern: "GET /customers/{id}/personal-data.json", Title: "Customer", Uses: "GET /api/v1/customers/:id/personal-data", Handle: s.customerPersonalData},
		{Pattern: "GET /customers/{id}/edit", Title: "Edit customer", Uses: "PUT /api/v1/customers/:id", Handle: s.editCustomerPage},
		{Pattern: "POST /customers/{id}/edit", Title: "Edit customer", Uses: "PUT /api/v1/customers/:id", Handle: s.editCustomer},
		{Pattern: "POST /customers/{id}/credit", Title: "Customer", Uses: "PUT /api/v1/customers/:id/credit", Handle: s.setCustomerCredit},
		{Pattern: "POST /customers/{id}/owner", Title: "Customer", Uses: "PUT /api/v1/customers/:id/owner", Handle: s.setCustomerOwner},
		{Pattern: "GET /tickets", Title: "Tickets", Uses: "GET /api/v1/tickets", Nav: navService, Handle: s.ticketsPage},
		{Pattern: "GET /tickets/new", Title: "New ticket", Uses: "POST /api/v1/tickets", Handle: s.newTicketPage},
		{Pattern: "POST /tickets", Title: "New ticket", Uses: "POST /api/v1/tickets", Handle: s.createTicket},
		{Pattern: "GET /tickets/{id}", Title: "Ticket", Uses: "GET /api/v1/tickets/:id", Handle: s.ticketPage},
		{Pattern: "POST /tickets/{id}/comments", Title: "Ticket", Uses: "POST /api/v1/tickets/:id/comments", Handle: s.ticketAction("comments")},
		{Pattern: "POST /tickets/{id}/status", Title: "Ticket", Uses: "POST /api/v1/tickets/:id/status", Handle: s.ticketAction("status")},
		{Pattern: "POST /tickets/{id}/assign", Title: "Ticket", Uses: "POST /api/v1/tickets/:id/assign", Handle: s.ticketAction("assign")},
		{Pattern: "GET /returns", Title: "Returns", Uses: "GET /api/v1/returns", Nav: navService, Handle: s.returnsPage},
		{Pattern: "GET /returns/new", Title: "Request a return", Uses: "POST /api/v1/returns", Handle: s.newReturnPage},
		{Pattern: "POST /returns", Title: "Request a return", Uses: "POST /api/v1/returns", Handle: s.createReturn},
		{Pattern: "GET /returns/{id}", Title: "Return", Uses: "GET /api/v1/returns/:id", Handle: s.returnPage},
		{Pattern: "POST /returns/{id}/receive", Title: "Return", Uses: "POST /api/v1/returns/:id/receive", Handle: s.receiveReturn},
		{Pattern: "POST /returns/{id}/cancel", Title: "Return", Uses: "POST /api/v1/returns/:id/cancel", Handle: s.cancelReturn},
		{Pattern: "POST /notifications/{id}/resend", Title: "Resend a message", Uses: "POST /api/v1/notifications/:id/resend", Handle: s.resend},

		// Pricing.
		{Pattern: "GET /pricing", Title: "Pricing rules", Uses: "GET /api/v1/pricing/rules", Nav: navPricing, Handle: s.pricingPage},
		{Pattern: "POST /pricing/{kind}", Title: "Pricing rules", Uses: "POST /api/v1/pricing/price-lists", Handle: s.createRule},
		{Pattern: "POST /pricing/end", Title: "Pricing rules", Uses: "POST /api/v1/pricing/promotions/:id/end", Handle: s.endRule},
		{Pattern: "POST /pricing/correct", Title: "Pricing rules", Uses: "POST /api/v1/pricing/customer-prices/:id/replace", Handle: s.correctPrice},
		{Pattern: "GET /pricing/costs", Title: "Standard costs", Uses: "GET /api/v1/products/:sku/costs", Nav: navPricing, Handle: s.costsPage},
		{Pattern: "POST /pricing/costs", Title: "Standard costs", Uses: "POST /api/v1/products/:sku/costs", Handle: s.setCost},
		{Pattern: "GET /pricing/preview", Title: "Price preview", Uses: "POST /api/v1/pricing/preview", Nav: navPricing, Handle: s.previewPage},

		// Marketing: segments and campaigns.
		{Pattern: "GET /marketing/segments", Title: "Segments", Uses: "GET /api/v1/segments", Nav: navMarketing, Handle: s.segmentsPage},
		{Pattern: "POST /marketing/segments", Title: "Segments", Uses: "POST /api/v1/segments", Handle: s.createSegment},
		{Pattern: "GET /marketing/segments/{id}", Title: "Segment", Uses: "GET /api/v1/segments/:id", Handle: s.segmentPage},
		{Pattern: "GET /marketing/segments/{id}/export.csv", Title: "Segment", Uses: "GET /api/v1/segments/:id/export", Handle: s.exportSegment},
		{Pattern: "GET /marketing/campaigns", Title: "Campaigns", Uses: "GET /api/v1/campaigns", Nav: navMarketing, Handle: s.campaignsPage},
		{Pattern: "POST /marketing/campaigns", Title: "Segment", Uses: "POST /api/v1/campaigns", Handle: s.createCampaign},
		{Pattern: "GET /marketing/campaigns/{id}", Title: "Campaign", Uses: "GET /api/v1/campaigns/:id", Handle: s.campaignPage},
		{Pattern: "POST /marketing/campaigns/{id}/pause", Title: "Campaign", Uses: "POST /api/v1/campaigns/:id/pause", Handle: s.campaignAction("pause")},
		{Pattern: "POST /marketing/campaigns/{id}/resume", Title: "Campaign", Uses: "POST /api/v1/campaigns/:id/resume", Handle: s.campaignAction("resume")},
		{Pattern: "POST /marketing/campaigns/{id}/cancel", Title: "Campaign", Uses: "POST /api/v1/campaigns/:id/cancel", Handle: s.campaignAction("cancel")},

		// Administration.
		{Pattern: "GET /admin/users", Title: "Users and roles", Uses: "GET /api/v1/users", Nav: navAdmin, Handle: s.usersPage},
		{Pattern: "POST /admin/users", Title: "Users and roles", Uses: "POST /api/v1/users", Handle: s.createUser},
		{Pattern: "GET /admin/users/{id}", Title: "User", Uses: "GET /api/v1/users/:id", Handle: s.userPage},
		{Pattern: "POST /admin/users/{id}/{action}", Title: "User", Uses: "POST /api/v1/users/:id/deactivate", Handle: s.userAction},
		{Pattern: "GET /admin/keys", Title: "API keys", Uses: "GET /api/v1/api-keys", Nav: navAdmin, Handle: s.keysPage},
		{Pattern: "POST /admin/keys", Title: "API keys", Uses: "POST /api/v1/api-keys", Handle: s.createKey},
		{Pattern: "POST /admin/keys/{id}/revoke", Title: "API keys", Uses: "DELETE /api/v1/api-keys/:id", Handle: s.revokeKey},
		{Pattern: "GET /admin/audit", Title: "Audit trail", Uses: "GET /api/v1/audit", Nav: navAdmin, Handle: s.auditPage},
		{Pattern: "GET /admin/audit/verify", Title: "Audit trail check", Uses: "GET /api/v1/audit/verify", Handle: s.auditVerifyPage},
		{Pattern: "GET /admin/privacy", Title: "Data-subject requests", Uses: "POST /api/v1/personal-data/erase", Nav: navAdmin, Handle: s.privacyPage},
		{Pattern: "POST /admin/privacy", Title: "Data-subject requests", Uses: "POST /api/v1/personal-data/erase", Handle: s.erasePerson},
		{Pattern: "GET /outbox", Title: "Outbox", Uses: "GET /api/v1/outbox", Nav: navAdmin, Handle: s.outboxPage},

		// Everyone.
		{Pattern: "GET /profile", Title: "Profile and notifications", Uses: "GET /api/v1/me/notification-preferences", Nav: navAccount, Handle: s.profilePage},
		{Pattern: "GET /profile/personal-data.json", Title: "Profile and notifications", Uses: "GET /api/v1/me/personal-data", Handle: s.myPersonalData},
		{Pattern: "POST /profile", Title: "Profile and notifications", Uses: "PUT /api/v1/me/notification-preferences", Handle: s.profileSave},
		{Pattern: "POST /profile/phone", Title: "Profile and notifications", Uses: "PUT /api/v1/me/phone", Handle: s.savePhone},
	}
}
