-- The notification outbox: every message is a row written before it is sent,
-- one per channel, unique by idempotency key. Status moves
-- pending -> sending -> sent -> delivered | bounced | failed; a row that is
-- sent (or later) is never sent again by a retry.
CREATE TABLE notifications (
    id                  TEXT PRIMARY KEY,
    idempotency_key     TEXT NOT NULL UNIQUE,
    event               TEXT NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient           TEXT NOT NULL,
    recipient_name      TEXT NOT NULL DEFAULT '',
    subject             TEXT NOT NULL DEFAULT '',
    body_text           TEXT NOT NULL,
    body_html           TEXT NOT NULL DEFAULT '',
    owner_kind          TEXT NOT NULL DEFAULT '',
    owner_id            TEXT NOT NULL DEFAULT '',
    order_id            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'bounced', 'failed')),
    provider            TEXT NOT NULL DEFAULT '',
    provider_message_id TEXT NOT NULL DEFAULT '',
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT NOT NULL DEFAULT '',
    created_at          {{ts}} NOT NULL,
    updated_at          {{ts}} NOT NULL,
    sent_at             {{ts}}
);
CREATE INDEX notifications_order ON notifications (order_id, id);
CREATE INDEX notifications_owner ON notifications (owner_kind, owner_id, id);
CREATE INDEX notifications_provider_id ON notifications (provider_message_id);

-- Channel choices per event kind, for a customer account or a staff user.
-- No row means the default: email on, SMS off.
CREATE TABLE notification_preferences (
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('customer', 'user')),
    owner_id   TEXT NOT NULL,
    event      TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    enabled    BOOLEAN NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at {{ts}} NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, event, channel)
);

-- Marketing needs consent; transactional messages (orders, invoices) do not.
ALTER TABLE customers ADD COLUMN marketing_consent BOOLEAN NOT NULL DEFAULT FALSE;
