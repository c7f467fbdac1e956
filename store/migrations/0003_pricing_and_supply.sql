-- Pricing data with effective dates. Rows are never rewritten: a change is a
-- new row, and ending a rule only sets valid_to, so history is kept and a
-- quote (which stores its priced snapshot) never changes when prices do.

CREATE TABLE price_lists (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    segment    TEXT NOT NULL DEFAULT '',
    region     TEXT NOT NULL DEFAULT '',
    currency   TEXT NOT NULL CHECK (length(currency) = 3),
    items      TEXT NOT NULL, -- JSON: {"SKU": [{"min_qty": 1, "unit_price": 1800}, ...]}
    valid_from {{ts}} NOT NULL,
    valid_to   {{ts}},
    created_by TEXT NOT NULL,
    created_at {{ts}} NOT NULL,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);

CREATE TABLE customer_prices (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    sku         TEXT NOT NULL REFERENCES products(sku),
    unit_price  BIGINT NOT NULL CHECK (unit_price >= 0),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    valid_from  {{ts}} NOT NULL,
    valid_to    {{ts}},
    created_by  TEXT NOT NULL,
    created_at  {{ts}} NOT NULL,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);

CREATE TABLE promotions (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    sku         TEXT NOT NULL DEFAULT '',
    segment     TEXT NOT NULL DEFAULT '',
    min_qty     BIGINT NOT NULL DEFAULT 0 CHECK (min_qty >= 0),
    percent_bp  BIGINT NOT NULL DEFAULT 0 CHECK (percent_bp BETWEEN 0 AND 10000),
    amount_off  BIGINT NOT NULL DEFAULT 0 CHECK (amount_off >= 0),
    currency    TEXT NOT NULL DEFAULT '',
    valid_from  {{ts}} NOT NULL,
    valid_to    {{ts}},
    created_by  TEXT NOT NULL,
    created_at  {{ts}} NOT NULL,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);

CREATE TABLE tax_rates (
    id         TEXT PRIMARY KEY,
    region     TEXT NOT NULL,
    rate_bp    BIGINT NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    valid_from {{ts}} NOT NULL,
    valid_to   {{ts}},
    created_by TEXT NOT NULL,
    created_at {{ts}} NOT NULL,
    UNIQUE (region, valid_from)
);

-- Open supply: purchase orders from suppliers and production orders, with
-- the date they are expected. Available-to-promise reads these.
CREATE TABLE supply_orders (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('purchase', 'production')),
    reference      TEXT NOT NULL DEFAULT '',
    sku            TEXT NOT NULL REFERENCES products(sku),
    warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
    qty            BIGINT NOT NULL CHECK (qty > 0),
    received_qty   BIGINT NOT NULL DEFAULT 0 CHECK (received_qty >= 0),
    expected_at    {{ts}} NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'received', 'cancelled')),
    created_by     TEXT NOT NULL,
    created_at     {{ts}} NOT NULL,
    updated_at     {{ts}} NOT NULL
);
CREATE INDEX supply_orders_sku ON supply_orders (sku, status, expected_at);
