-- The audit trail becomes tamper-evident: each entry carries its place in
-- one chain (seq, from 1), the hash of the entry before it and its own hash
-- over its content and that link (store/audit.go). An edited, removed or
-- slipped-in row breaks the chain where it stands, and `q2c audit verify`
-- names it. Entries written before this migration are chained, in the
-- order they were written, when the migration runs.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
-- ref: what the entry records once, such as a workflow update (its id): a
-- retried request finds its entry and adds none.
ALTER TABLE audit_events ADD COLUMN ref TEXT;
CREATE UNIQUE INDEX audit_events_ref ON audit_events (ref);
