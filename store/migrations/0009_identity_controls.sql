-- A token carries the version of its user it was issued at; deactivating a
-- user, changing their roles or resetting their password bumps the version,
-- so every token issued before stops working at once.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 1;

-- Failed logins, per account ("email:<address>") and per client address
-- ("ip:<address>"), for throttling with backoff across API replicas.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until {{ts}},
    updated_at   {{ts}} NOT NULL
);
