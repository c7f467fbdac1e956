-- A quote reads only its customer's own prices for the SKUs it names
-- (Store.PricingBookFor), instead of every customer's.
CREATE INDEX customer_prices_customer_sku ON customer_prices (customer_id, sku);
