-- +goose Up
-- A reservation of pending bytes now expires at any second, not only on
-- the hour: the reservation of a pending blob lapses TIPLINE_PENDING_MAX_AGE
-- after it was last made, and the janitor then removes the blob if no row
-- names it. The row goes when its blob is committed, so no such time stays
-- about a committed tip. Upload sessions still reserve to the hour.
CREATE TABLE pending_bytes_new (
    blob_key  TEXT PRIMARY KEY,
    bytes     INTEGER NOT NULL CHECK (bytes >= 0),
    expires   INTEGER NOT NULL
);
INSERT INTO pending_bytes_new (blob_key, bytes, expires) SELECT blob_key, bytes, expires_hour FROM pending_bytes;
DROP TABLE pending_bytes;
ALTER TABLE pending_bytes_new RENAME TO pending_bytes;

-- One janitor at a time over all app nodes: the node (a random id made
-- when the node starts, never a host name or address) that holds the lease
-- until expires (Unix seconds) sweeps; the others skip their sweeps.
CREATE TABLE janitor_lease (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    node     TEXT NOT NULL,
    expires  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE janitor_lease;
CREATE TABLE pending_bytes_old (
    blob_key      TEXT PRIMARY KEY,
    bytes         INTEGER NOT NULL CHECK (bytes >= 0),
    expires_hour  INTEGER NOT NULL CHECK (expires_hour % 3600 = 0)
);
INSERT INTO pending_bytes_old (blob_key, bytes, expires_hour)
    SELECT blob_key, bytes, ((expires + 3599) / 3600) * 3600 FROM pending_bytes;
DROP TABLE pending_bytes;
ALTER TABLE pending_bytes_old RENAME TO pending_bytes;
