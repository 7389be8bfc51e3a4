-- +goose Up
-- A reservation of pending bytes now expires at any second, not only on
-- the hour: the reservation of a pending blob lapses TIPLINE_PENDING_MAX_AGE
-- after it was last made, and the janitor then removes the blob if no row
-- names it. The row goes when its blob is committed, so no such time stays
-- about a committed tip. Upload sessions still reserve to the hour.
ALTER TABLE pending_bytes DROP CONSTRAINT pending_bytes_expires_hour_check;
ALTER TABLE pending_bytes RENAME COLUMN expires_hour TO expires;

-- One janitor at a time over all app nodes: the node (a random id made
-- when the node starts, never a host name or address) that holds the lease
-- until expires (Unix seconds) sweeps; the others skip their sweeps.
CREATE TABLE janitor_lease (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    node     TEXT NOT NULL,
    expires  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE janitor_lease;
UPDATE pending_bytes SET expires = ((expires + 3599) / 3600) * 3600;
ALTER TABLE pending_bytes RENAME COLUMN expires TO expires_hour;
ALTER TABLE pending_bytes ADD CONSTRAINT pending_bytes_expires_hour_check CHECK (expires_hour % 3600 = 0);
