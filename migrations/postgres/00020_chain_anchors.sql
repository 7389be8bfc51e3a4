-- +goose Up
-- The head of each hash-chained log (intake_log, audit_log): its last
-- entry's sequence number and hash under a MAC keyed from the pepper,
-- moved in the transaction of every append, so that a log cut short or
-- rolled back no longer verifies (see package chain). Filled by the first
-- append, or by serve adopting the head of a log written before.
CREATE TABLE chain_anchors (
    chain       TEXT PRIMARY KEY CHECK (chain IN ('intake_log', 'audit_log')),
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    entry_hash  BYTEA NOT NULL CHECK (length(entry_hash) = 32),
    mac         BYTEA NOT NULL CHECK (length(mac) = 32)
);

-- +goose Down
DROP TABLE chain_anchors;
