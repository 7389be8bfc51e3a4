-- +goose Up
-- A committed submission. Only what the design allows is stored: no time
-- finer than the day, nothing about the source but two slow, peppered
-- derivations of their codename.
CREATE TABLE submissions (
    id             TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    desk_id        INTEGER NOT NULL REFERENCES desks(id) ON DELETE RESTRICT,
    received_day   DATE NOT NULL,
    encrypted_by   TEXT NOT NULL CHECK (encrypted_by IN ('browser', 'server')),
    lookup_key     BLOB NOT NULL UNIQUE CHECK (length(lookup_key) = 32),
    reply_salt     BLOB NOT NULL CHECK (length(reply_salt) = 16),
    status         TEXT NOT NULL DEFAULT 'new'
);
CREATE INDEX submissions_desk_day ON submissions (desk_id, received_day DESC, id DESC);

-- One stored OpenPGP message: its key packets live here so that a later
-- access grant can add a recipient without rewriting the encrypted body in
-- the blob store.
CREATE TABLE objects (
    id              TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    submission_id   TEXT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('manifest', 'file', 'message')),
    position        INTEGER NOT NULL,
    blob_key        TEXT NOT NULL UNIQUE,
    key_packets     BLOB NOT NULL,
    body_size       INTEGER NOT NULL CHECK (body_size >= 0),
    sha256          BLOB NOT NULL CHECK (length(sha256) = 32),
    UNIQUE (submission_id, position)
);

-- The append-only, hash-chained intake log: each entry's hash covers the
-- previous entry's hash, so a receipt proves when a submission was received.
CREATE TABLE intake_log (
    seq            INTEGER PRIMARY KEY CHECK (seq >= 1),
    submission_id  TEXT NOT NULL UNIQUE REFERENCES submissions(id) ON DELETE RESTRICT,
    received_day   DATE NOT NULL,
    payload        TEXT NOT NULL,
    prev_hash      BLOB NOT NULL CHECK (length(prev_hash) = 32),
    entry_hash     BLOB NOT NULL UNIQUE CHECK (length(entry_hash) = 32)
);

-- Server-wide secrets that every app node shares, such as the receipt
-- signing key.
CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    armored     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Fixed-window counters for abuse limits, shared by all app nodes.
CREATE TABLE rate_limits (
    bucket        TEXT NOT NULL,
    window_start  INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE server_keys;
DROP TABLE intake_log;
DROP TABLE objects;
DROP TABLE submissions;
