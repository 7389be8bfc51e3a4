-- +goose Up
-- Submissions that arrived while their desk, or the whole intake, was over
-- its hourly soft limit: accepted, and flagged for separate triage.
ALTER TABLE submissions ADD COLUMN flood BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX submissions_flood ON submissions (flood, received_day DESC, id DESC);

-- Bytes of uncommitted blobs (pending submissions, upload chunks), one row
-- per blob key, reserved before the blob is written and released when it
-- is committed, refused or swept. expires_hour (Unix seconds on the hour)
-- lets the janitor release a reservation whose blob was never written.
CREATE TABLE pending_bytes (
    blob_key      TEXT PRIMARY KEY,
    bytes         INTEGER NOT NULL CHECK (bytes >= 0),
    expires_hour  INTEGER NOT NULL CHECK (expires_hour % 3600 = 0)
);

-- The sum of pending_bytes, kept in step in the same transactions, so that
-- a reservation checks the budget with one row lock.
CREATE TABLE pending_total (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    bytes  INTEGER NOT NULL CHECK (bytes >= 0)
);
INSERT INTO pending_total (id, bytes) VALUES (1, 0);

-- +goose Down
DROP TABLE pending_total;
DROP TABLE pending_bytes;
DROP INDEX submissions_flood;
ALTER TABLE submissions DROP COLUMN flood;
