-- Backorders: one row per order line that could not be reserved in full.
-- The row is written in the reservation's own transaction, and every later
-- change (filled by arriving stock, ETA moved, cancelled, shipped) happens
-- under the SKU's lock, so the queue and the stock never disagree.
CREATE TABLE backorders (
    id             TEXT PRIMARY KEY, -- <order id>-L<line no>
    order_id       TEXT NOT NULL,
    line_no        INTEGER NOT NULL,
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    customer_name  TEXT NOT NULL,
    customer_tier  INTEGER NOT NULL,
    region         TEXT NOT NULL,
    sku            TEXT NOT NULL REFERENCES products(sku),
    qty_ordered    BIGINT NOT NULL CHECK (qty_ordered > 0),
    qty_short      BIGINT NOT NULL CHECK (qty_short > 0),    -- what the first reservation missed
    qty_filled     BIGINT NOT NULL DEFAULT 0 CHECK (qty_filled >= 0),  -- reserved since, from arriving stock
    qty_cancelled  BIGINT NOT NULL DEFAULT 0 CHECK (qty_cancelled >= 0),
    allow_partial  BOOLEAN NOT NULL,
    skips          INTEGER NOT NULL DEFAULT 0,               -- times a ship-whole line was passed over
    status         TEXT NOT NULL CHECK (status IN ('open', 'partially_filled', 'allocated', 'shipped', 'cancelled')),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    line_net       BIGINT NOT NULL CHECK (line_net >= 0),    -- the order line's net amount, minor units
    value_open     BIGINT NOT NULL CHECK (value_open >= 0),  -- net value of the units still waiting
    promised_at    {{ts}} NOT NULL,                          -- the first ETA the customer was told
    eta            {{ts}} NOT NULL,
    eta_source     TEXT NOT NULL,                            -- stock, supply or lead time
    eta_ref        TEXT NOT NULL DEFAULT '',                 -- the supply order the ETA follows
    supplier       TEXT NOT NULL DEFAULT '',
    told_eta       {{ts}},                                   -- the ETA last told to the customer
    escalated_eta  {{ts}},                                   -- the ETA whose passing was escalated
    ordered_at     {{ts}} NOT NULL,
    created_at     {{ts}} NOT NULL,
    updated_at     {{ts}} NOT NULL,
    filled_at      {{ts}},
    rev            INTEGER NOT NULL DEFAULT 1,               -- bumped on every change
    announced_rev  INTEGER NOT NULL DEFAULT 0,               -- the last change told to the order and customer
    UNIQUE (order_id, line_no),
    CHECK (qty_filled + qty_cancelled <= qty_short)
);
CREATE INDEX backorders_waiting ON backorders (sku, customer_tier, promised_at) WHERE status IN ('open', 'partially_filled');
CREATE INDEX backorders_news ON backorders (sku) WHERE rev > announced_rev;
CREATE INDEX backorders_status_eta ON backorders (status, eta, id);
CREATE INDEX backorders_status_created ON backorders (status, created_at, id);
CREATE INDEX backorders_customer ON backorders (customer_id, created_at, id);
CREATE INDEX backorders_sku_eta ON backorders (sku, eta, id);
CREATE INDEX backorders_eta ON backorders (eta, id);
-- The dashboard's priority order under the default policy.
CREATE INDEX backorders_priority ON backorders (customer_tier, promised_at, ordered_at, order_id, line_no, id);

-- Everything that happened to a backorder: allocation decisions with their
-- reasons, ETA changes, escalations, cancellations and notes.
CREATE TABLE backorder_events (
    id           TEXT PRIMARY KEY,
    backorder_id TEXT NOT NULL REFERENCES backorders(id),
    at           {{ts}} NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('created', 'allocated', 'passed_over', 'held', 'eta_changed', 'escalated', 'cancelled', 'shipped', 'note')),
    actor        TEXT NOT NULL,
    qty          BIGINT NOT NULL DEFAULT 0,
    detail       TEXT NOT NULL
);
CREATE INDEX backorder_events_backorder ON backorder_events (backorder_id, id);

-- Allocation runs that handed stock to backorders: the pick list the
-- warehouse must be sent. Written in the allocating transaction; the SKU's
-- allocator workflow sends it and sets announced_at.
CREATE TABLE allocation_runs (
    id           TEXT PRIMARY KEY,
    sku          TEXT NOT NULL REFERENCES products(sku),
    trigger      TEXT NOT NULL, -- what freed the stock: a receipt, a cancellation, a stock count
    picks        TEXT NOT NULL, -- JSON: the pick list in priority order
    created_at   {{ts}} NOT NULL,
    announced_at {{ts}}
);
CREATE INDEX allocation_runs_pending ON allocation_runs (sku, id) WHERE announced_at IS NULL;

-- Receipts remember their answer, so a retried receipt gets it again, and
-- may close a supply order.
ALTER TABLE receipts ADD COLUMN supply_order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN result TEXT NOT NULL DEFAULT '';

-- Supplier reliability: the date first promised and when stock really came.
ALTER TABLE supply_orders ADD COLUMN supplier TEXT NOT NULL DEFAULT '';
ALTER TABLE supply_orders ADD COLUMN first_expected_at {{ts}};
ALTER TABLE supply_orders ADD COLUMN received_at {{ts}};
UPDATE supply_orders SET first_expected_at = expected_at;
