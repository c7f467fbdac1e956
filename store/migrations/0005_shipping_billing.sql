-- Shipments, invoices, payments and customer credit.

-- Gap-free sequences: a number is taken in the same transaction that uses
-- it, so a rolled-back invoice gives its number back.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE shipments (
    id         TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders(id),
    carrier    TEXT NOT NULL,
    tracking   TEXT NOT NULL,
    lines      TEXT NOT NULL, -- JSON [{line_no, sku, qty}]
    shipped_by TEXT NOT NULL,
    shipped_at {{ts}} NOT NULL
);
CREATE INDEX shipments_order ON shipments (order_id);

CREATE TABLE invoices (
    id          TEXT PRIMARY KEY,
    number      BIGINT NOT NULL UNIQUE,
    order_id    TEXT NOT NULL REFERENCES orders(id),
    shipment_id TEXT NOT NULL UNIQUE REFERENCES shipments(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency    TEXT NOT NULL,
    subtotal    BIGINT NOT NULL,
    discount    BIGINT NOT NULL,
    tax         BIGINT NOT NULL,
    total       BIGINT NOT NULL CHECK (total >= 0),
    paid        BIGINT NOT NULL DEFAULT 0 CHECK (paid >= 0),
    status      TEXT NOT NULL CHECK (status IN ('open', 'partially_paid', 'paid', 'overdue', 'void')),
    lines       TEXT NOT NULL, -- JSON
    issued_at   {{ts}} NOT NULL,
    due_at      {{ts}} NOT NULL
);
CREATE INDEX invoices_order ON invoices (order_id);
CREATE INDEX invoices_customer ON invoices (customer_id, status);

CREATE TABLE payments (
    id          TEXT PRIMARY KEY,
    invoice_id  TEXT NOT NULL REFERENCES invoices(id),
    reference   TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    applied     BIGINT NOT NULL CHECK (applied >= 0),
    method      TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    received_at {{ts}} NOT NULL,
    UNIQUE (invoice_id, reference)
);

-- Over-payments become credit on the customer's account.
CREATE TABLE credits (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    source      TEXT NOT NULL UNIQUE, -- the payment it came from
    created_at  {{ts}} NOT NULL
);
