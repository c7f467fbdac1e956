-- Customer master data: the legal entity, tax region, payment terms and
-- credit limit on the account; its people and its addresses in tables of
-- their own, so service can find a customer by any contact's email or phone.
-- The account's own email and phone stay the address notifications go to.

ALTER TABLE customers ADD COLUMN legal_name TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN tax_region TEXT NOT NULL DEFAULT '';
-- Days from invoice to due date; 0 is due on receipt. Existing accounts
-- keep the net 30 every invoice had so far.
ALTER TABLE customers ADD COLUMN terms_days INTEGER NOT NULL DEFAULT 30 CHECK (terms_days BETWEEN 0 AND 365);
-- Minor units of the account's currency; NULL is no limit.
ALTER TABLE customers ADD COLUMN credit_limit BIGINT CHECK (credit_limit IS NULL OR credit_limit >= 0);
-- Bumped by every edit: an edit names the version it was made from, so two
-- people editing at once cannot silently overwrite each other.
ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE customers ADD COLUMN updated_at {{ts}};

CREATE TABLE customer_contacts (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id, position);
CREATE INDEX customer_contacts_email ON customer_contacts (email);
CREATE INDEX customer_contacts_phone ON customer_contacts (phone);

CREATE TABLE customer_addresses (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('billing', 'shipping')),
    label       TEXT NOT NULL DEFAULT '',
    line1       TEXT NOT NULL,
    line2       TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL,
    region      TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL CHECK (length(country) = 2),
    is_default  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX customer_addresses_customer ON customer_addresses (customer_id, position);


-- An invoice prints where its goods went and the terms it was issued on
-- (NULL for invoices from before terms were the customer's: net 30).
ALTER TABLE invoices ADD COLUMN ship_to TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN terms_days INTEGER;

-- An acceptance that passed the credit check holds its amount here until
-- its order is saved, so two acceptances at once cannot both pass a limit
-- only one of them fits in. Once the quote's order exists, the order is
-- counted instead.
CREATE TABLE credit_commitments (
    quote_id    TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    created_at  {{ts}} NOT NULL
);
CREATE INDEX credit_commitments_customer ON credit_commitments (customer_id);
