-- +goose Up
-- Two-way messages with sources. Each submission gets the source's reply
-- key pair: the public key, and the private key protected by a passphrase
-- derived from the codename (never stored). Rows from before have none.
ALTER TABLE submissions ADD COLUMN reply_public TEXT;
ALTER TABLE submissions ADD COLUMN reply_private TEXT;

-- Who wrote an object: the source (the tip, follow-up messages) or staff
-- (replies, encrypted to the desk's keys and the source's reply key).
ALTER TABLE objects ADD COLUMN author TEXT NOT NULL DEFAULT 'source' CHECK (author IN ('source', 'staff'));
CREATE INDEX objects_submission_author ON objects (submission_id, author, position);

-- Mailbox sessions of sources, made only when a source logs in with the
-- codename: the SHA-256 of a random token, valid for an hour.
CREATE TABLE mailbox_sessions (
    token_hash     BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    submission_id  TEXT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX mailbox_sessions_expires ON mailbox_sessions (expires_at);

-- +goose Down
DROP TABLE mailbox_sessions;
DROP INDEX objects_submission_author;
ALTER TABLE objects DROP COLUMN author;
ALTER TABLE submissions DROP COLUMN reply_private;
ALTER TABLE submissions DROP COLUMN reply_public;
