-- Foundation: identity, catalog, stock, smoke-test pings, dev outbox,
-- idempotency records and the audit log.
-- Placeholders: {{ts}} timestamp with time zone, {{now}} the current time.

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    segment     TEXT NOT NULL DEFAULT 'standard',
    region      TEXT NOT NULL DEFAULT '',
    tier        INTEGER NOT NULL DEFAULT 3 CHECK (tier BETWEEN 1 AND 5),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    created_at  {{ts}} NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL,
    customer_id   TEXT REFERENCES customers(id),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    {{ts}} NOT NULL,
    updated_at    {{ts}} NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    roles       TEXT NOT NULL,
    customer_id TEXT REFERENCES customers(id),
    created_by  TEXT NOT NULL,
    created_at  {{ts}} NOT NULL,
    revoked_at  {{ts}}
);

CREATE TABLE products (
    sku             TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    unit_of_measure TEXT NOT NULL DEFAULT 'each',
    list_price      BIGINT NOT NULL CHECK (list_price >= 0),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    supplier        TEXT NOT NULL DEFAULT '',
    lead_time_days  INTEGER NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    make_to_order   BOOLEAN NOT NULL DEFAULT FALSE,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      {{ts}} NOT NULL
);

CREATE TABLE warehouses (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT ''
);

-- Stock never goes negative and is never reserved beyond what is on hand:
-- the database refuses it even if application code were wrong.
CREATE TABLE stock_levels (
    sku            TEXT NOT NULL REFERENCES products(sku),
    warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
    on_hand        BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved       BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    updated_at     {{ts}} NOT NULL,
    PRIMARY KEY (sku, warehouse_code)
);

CREATE TABLE pings (
    id           TEXT PRIMARY KEY,
    message      TEXT NOT NULL,
    reply        TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   {{ts}} NOT NULL,
    completed_at {{ts}}
);

CREATE TABLE outbox_messages (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    created_at      {{ts}} NOT NULL
);

-- One row per (caller, Idempotency-Key): the first request claims it, the
-- answer is stored, and a retry gets the same answer back.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   {{ts}} NOT NULL,
    completed_at {{ts}},
    PRIMARY KEY (scope, key)
);

CREATE TABLE audit_events (
    id        TEXT PRIMARY KEY,
    at        {{ts}} NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
