-- Stock reservations: which order line holds which units where.
-- allocations records the outcome of each (order, line) request once, so a
-- retried activity gets the same answer and never reserves twice.

CREATE TABLE allocations (
    order_id   TEXT NOT NULL,
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL REFERENCES products(sku),
    requested  BIGINT NOT NULL CHECK (requested > 0),
    reserved   BIGINT NOT NULL CHECK (reserved >= 0),
    created_at {{ts}} NOT NULL,
    released_at {{ts}}, -- the line was cancelled: its shortfall no longer waits for supply
    PRIMARY KEY (order_id, line_no),
    CHECK (reserved <= requested)
);

CREATE TABLE reservations (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL,
    line_no        INTEGER NOT NULL,
    sku            TEXT NOT NULL REFERENCES products(sku),
    warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
    qty            BIGINT NOT NULL CHECK (qty > 0),
    status         TEXT NOT NULL CHECK (status IN ('active', 'released', 'shipped')),
    created_at     {{ts}} NOT NULL,
    updated_at     {{ts}} NOT NULL,
    FOREIGN KEY (order_id, line_no) REFERENCES allocations(order_id, line_no)
);
CREATE INDEX reservations_line ON reservations (order_id, line_no);
CREATE INDEX reservations_sku ON reservations (sku, status);

-- Goods received, one row per receipt; the key makes a retried receipt count once.
CREATE TABLE receipts (
    id             TEXT PRIMARY KEY,
    receipt_key    TEXT NOT NULL UNIQUE,
    sku            TEXT NOT NULL REFERENCES products(sku),
    warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
    qty            BIGINT NOT NULL CHECK (qty > 0),
    received_by    TEXT NOT NULL,
    created_at     {{ts}} NOT NULL
);
