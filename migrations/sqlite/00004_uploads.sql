-- +goose Up
-- An upload session of the JavaScript path: one OpenPGP message (ciphertext
-- made in the source's browser) arriving in chunks, each chunk its own blob
-- under uploads/<id>/. No precise time is kept: a session expires at the
-- start of an hour (Unix seconds, a multiple of 3600), after which the
-- janitor removes it and its chunks.
CREATE TABLE uploads (
    id            TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    desk_id       INTEGER NOT NULL REFERENCES desks(id) ON DELETE CASCADE,
    chunk_size    INTEGER NOT NULL CHECK (chunk_size > 0),
    max_bytes     INTEGER NOT NULL CHECK (max_bytes > 0),
    claimed       BOOLEAN NOT NULL DEFAULT FALSE,
    expires_hour  INTEGER NOT NULL CHECK (expires_hour % 3600 = 0)
);
CREATE INDEX uploads_expires ON uploads (expires_hour);

-- The chunks of an upload that have been stored, with their sizes.
CREATE TABLE upload_chunks (
    upload_id  TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL CHECK (n >= 0),
    size       INTEGER NOT NULL CHECK (size >= 0),
    PRIMARY KEY (upload_id, n)
);

-- +goose Down
DROP TABLE upload_chunks;
DROP TABLE uploads;
