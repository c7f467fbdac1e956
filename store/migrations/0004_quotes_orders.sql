-- Read models of the quote and order workflows, for lists and detail pages.
-- The workflow is the source of truth; each save carries its revision and a
-- save older than what is stored is ignored, so retries and reordering never
-- move a record backwards.

CREATE TABLE quotes (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    status        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    rev           INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    total         BIGINT NOT NULL,
    approval_role TEXT NOT NULL DEFAULT '',
    valid_until   {{ts}},
    order_id      TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    state         TEXT NOT NULL, -- JSON of workflows.QuoteState
    created_at    {{ts}} NOT NULL,
    updated_at    {{ts}} NOT NULL
);
CREATE INDEX quotes_customer ON quotes (customer_id, id);
CREATE INDEX quotes_status ON quotes (status, id);

CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    quote_id    TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    status      TEXT NOT NULL,
    rev         INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    total       BIGINT NOT NULL,
    state       TEXT NOT NULL, -- JSON of workflows.OrderState
    created_at  {{ts}} NOT NULL,
    updated_at  {{ts}} NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_status ON orders (status, id);
