-- Marketing: saved segments (filters, evaluated again on every use),
-- campaigns that send the promotion message to a segment's consenting
-- customers, and when consent was given or withdrawn.
--
-- Consent given before its date was kept is dated when this migration ran:
-- never earlier than it really was.
ALTER TABLE customers ADD COLUMN marketing_consent_at {{ts}};
UPDATE customers SET marketing_consent_at = {{now}} WHERE marketing_consent;

CREATE TABLE marketing_unsubscribes (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    created_at  {{ts}} NOT NULL
);
CREATE INDEX marketing_unsubscribes_customer ON marketing_unsubscribes (customer_id, created_at);

CREATE TABLE segments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    filters    TEXT NOT NULL, -- JSON models.SegmentFilter
    created_by TEXT NOT NULL,
    created_at {{ts}} NOT NULL
);

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    segment_id  TEXT NOT NULL REFERENCES segments(id),
    headline    TEXT NOT NULL,
    body        TEXT NOT NULL,
    per_minute  INTEGER NOT NULL CHECK (per_minute > 0),
    status      TEXT NOT NULL CHECK (status IN ('running', 'paused', 'cancelled', 'completed')),
    audience    INTEGER NOT NULL DEFAULT 0, -- consenting customers when it started
    sent        INTEGER NOT NULL DEFAULT 0, -- messages handed over so far
    rev         INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  {{ts}} NOT NULL,
    updated_at  {{ts}} NOT NULL
);

-- A campaign's audience, fixed when it starts: the segment's customers who
-- had consented then. Each still needs consent when its message is sent.
CREATE TABLE campaign_recipients (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (campaign_id, customer_id)
);
