-- Quote and order lists show the newest first (Store.ListQuotes,
-- ListOrders): IDs are random, so the order is by creation time, the ID
-- breaking ties. One index for each way the lists filter.
CREATE INDEX quotes_newest ON quotes (created_at, id);
CREATE INDEX quotes_customer_newest ON quotes (customer_id, created_at, id);
CREATE INDEX quotes_status_newest ON quotes (status, created_at, id);
CREATE INDEX orders_newest ON orders (created_at, id);
CREATE INDEX orders_customer_newest ON orders (customer_id, created_at, id);
CREATE INDEX orders_status_newest ON orders (status, created_at, id);
