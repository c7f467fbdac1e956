-- A replayed answer carries the Location header the first one did (the
-- address of the quote or ticket it created), not only its status and body.
ALTER TABLE idempotency_keys ADD COLUMN location TEXT NOT NULL DEFAULT '';
