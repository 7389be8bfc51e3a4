-- +goose Up
-- A desk is a routing target for tips: its own questionnaire and recipients.
CREATE TABLE desks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 63 AND slug NOT GLOB '*[^a-z0-9-]*' AND slug NOT GLOB '-*'),
    title_en    TEXT NOT NULL,
    title_zh    TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- The OpenPGP public keys every submission to a desk is encrypted to.
CREATE TABLE desk_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    desk_id      INTEGER NOT NULL REFERENCES desks(id) ON DELETE RESTRICT,
    fingerprint  TEXT NOT NULL CHECK (length(fingerprint) IN (40, 64) AND fingerprint NOT GLOB '*[^0-9A-F]*'),
    armored      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (desk_id, fingerprint)
);

-- +goose Down
DROP TABLE desk_keys;
DROP TABLE desks;
