-- Stock counts and adjustments: each is kept with its reason, who made it
-- and what stock was before and after, so a count can be explained later.
-- The key (a count sheet's reference, or the form's own) makes a retry
-- answer with the first result instead of counting twice.
CREATE TABLE stock_adjustments (
    id             TEXT PRIMARY KEY,
    adjustment_key TEXT NOT NULL,
    sku            TEXT NOT NULL REFERENCES products(sku),
    warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
    before_on_hand BIGINT NOT NULL,
    after_on_hand  BIGINT NOT NULL CHECK (after_on_hand >= 0),
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    adjusted_by    TEXT NOT NULL,
    result         TEXT NOT NULL DEFAULT '',
    created_at     {{ts}} NOT NULL,
    UNIQUE (sku, adjustment_key)
);
CREATE INDEX stock_adjustments_sku ON stock_adjustments (sku, created_at);
