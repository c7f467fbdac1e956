-- The backorder KPIs' sums, kept as backorders change (store/backorder_totals.go):
-- the KPIs read these rows instead of every backorder. The migration's Go
-- step counts them from the backorders already there.
CREATE TABLE backorder_totals (
    dim         TEXT NOT NULL,
    key         TEXT NOT NULL,
    currency    TEXT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    qty         BIGINT NOT NULL DEFAULT 0,
    value       BIGINT NOT NULL DEFAULT 0,
    lines       BIGINT NOT NULL DEFAULT 0,
    qty_filled  BIGINT NOT NULL DEFAULT 0,
    qty_due     BIGINT NOT NULL DEFAULT 0,
    filled      BIGINT NOT NULL DEFAULT 0,
    on_time     BIGINT NOT NULL DEFAULT 0,
    late        BIGINT NOT NULL DEFAULT 0,
    fill_millis BIGINT NOT NULL DEFAULT 0,
    late_millis BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, key, currency)
);

-- Each SKU's queue token changes with every transaction that changes its
-- backorders; a queue cached in memory is used only while its token is
-- current (store/backorder_queue_cache.go).
ALTER TABLE products ADD COLUMN queue_token TEXT NOT NULL DEFAULT '';
