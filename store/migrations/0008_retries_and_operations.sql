-- Retries that never get stuck and answers that are never lost.
--
-- An idempotency claim records which operation it started: a mutation whose
-- result was not ready in time answers 202 with an operation to poll, and a
-- retry with the same key runs the handler again (it reaches the same
-- Temporal Update) instead of replaying the 202.
ALTER TABLE idempotency_keys ADD COLUMN operation_id TEXT NOT NULL DEFAULT '';
-- Stored answers expire (they can hold personal data): the cleanup reads by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Operations still running when their answer was due: the Update to poll,
-- whose caller may poll it, and the resource to read once it is done.
CREATE TABLE operations (
    id          TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    update_id   TEXT NOT NULL,
    location    TEXT NOT NULL DEFAULT '',
    created_at  {{ts}} NOT NULL
);
CREATE INDEX operations_created ON operations (created_at);
