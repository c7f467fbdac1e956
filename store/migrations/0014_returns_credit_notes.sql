-- Returns (RMAs) and credit notes.
--
-- A return authorizes a customer to send back shipped units of an order's
-- lines; each return line points at the invoice line that billed the
-- units, so what is credited is what was charged. Receiving the return
-- puts sellable units back through the same locked stock path as a
-- supplier's delivery (they go to waiting backorders by priority) and
-- issues a credit note per invoice.
CREATE TABLE returns (
    id           TEXT PRIMARY KEY,  -- RMA-000001, from the "return" counter
    number       BIGINT NOT NULL UNIQUE,
    return_key   TEXT UNIQUE, -- the request's idempotency key: a retry finds its return
    order_id     TEXT NOT NULL REFERENCES orders(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    status       TEXT NOT NULL CHECK (status IN ('authorized', 'received', 'cancelled')),
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    warehouse    TEXT NOT NULL DEFAULT '', -- where it was received
    requested_by TEXT NOT NULL,
    received_by  TEXT NOT NULL DEFAULT '',
    created_at   {{ts}} NOT NULL,
    received_at  {{ts}}
);
CREATE INDEX returns_customer ON returns (customer_id, created_at);
CREATE INDEX returns_order ON returns (order_id);

CREATE TABLE return_lines (
    return_id  TEXT NOT NULL REFERENCES returns(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    qty        BIGINT NOT NULL CHECK (qty > 0),
    received   BIGINT NOT NULL DEFAULT 0 CHECK (received >= 0), -- units that came back
    restocked  BIGINT NOT NULL DEFAULT 0 CHECK (restocked >= 0), -- of them, sellable
    PRIMARY KEY (return_id, invoice_id, line_no)
);
CREATE INDEX return_lines_invoice ON return_lines (invoice_id, line_no);

-- A credit note is gap-free numbered like invoices (its own counter) and
-- credits one invoice: returned goods, a price correction, or the whole
-- invoice when finance cancels it (invoices are never deleted). What it
-- credits goes first to the invoice's open balance (recorded as a payment
-- by credit note, so AR as of any day sees it from the day it was issued)
-- and the rest to the customer's account, which pays the next invoice or
-- is refunded.
CREATE TABLE credit_notes (
    id          TEXT PRIMARY KEY, -- CN-000001
    number      BIGINT NOT NULL UNIQUE,
    credit_key  TEXT NOT NULL UNIQUE,
    invoice_id  TEXT NOT NULL REFERENCES invoices(id),
    order_id    TEXT NOT NULL REFERENCES orders(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    kind        TEXT NOT NULL CHECK (kind IN ('return', 'price_correction', 'cancellation')),
    return_id   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    net         BIGINT NOT NULL CHECK (net >= 0),
    tax         BIGINT NOT NULL CHECK (tax >= 0),
    total       BIGINT NOT NULL CHECK (total > 0),
    applied     BIGINT NOT NULL CHECK (applied >= 0), -- to the invoice's balance
    to_account  BIGINT NOT NULL CHECK (to_account >= 0), -- the rest, as credit
    lines       TEXT NOT NULL, -- JSON
    issued_by   TEXT NOT NULL,
    issued_at   {{ts}} NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);
CREATE INDEX credit_notes_customer ON credit_notes (customer_id, issued_at);

-- Refunds pay a customer's unused credit back.
CREATE TABLE refunds (
    id          TEXT PRIMARY KEY,
    refund_key  TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    reference   TEXT NOT NULL,
    refunded_by TEXT NOT NULL,
    created_at  {{ts}} NOT NULL
);
CREATE INDEX refunds_customer ON refunds (customer_id, currency);
