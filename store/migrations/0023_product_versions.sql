-- A product's version counts its saves, so an edit made from a page read
-- before someone else's save is refused instead of undoing it
-- (Store.UpdateProduct).
ALTER TABLE products ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
