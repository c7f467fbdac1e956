-- A quote the API opened (priced, stored and answered) waits here until
-- its workflow has started: the row is written in the quote's own
-- transaction, so a crash or a Temporal outage between the answer and the
-- start loses no quote (Store.OpenQuote, quotes.Starter).
CREATE TABLE quote_starts (
    quote_id   TEXT PRIMARY KEY,
    valid_days INTEGER NOT NULL,
    created_at {{ts}} NOT NULL,
    started_at {{ts}}
);
CREATE INDEX quote_starts_waiting ON quote_starts (started_at, created_at);
