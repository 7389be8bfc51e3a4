-- +goose Up
-- A desk is a routing target for tips: its own questionnaire and recipients.
CREATE TABLE desks (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    title_en    TEXT NOT NULL,
    title_zh    TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The OpenPGP public keys every submission to a desk is encrypted to.
CREATE TABLE desk_keys (
    id           BIGSERIAL PRIMARY KEY,
    desk_id      BIGINT NOT NULL REFERENCES desks(id) ON DELETE RESTRICT,
    fingerprint  TEXT NOT NULL CHECK (fingerprint ~ '^[0-9A-F]{40}$|^[0-9A-F]{64}$'),
    armored      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (desk_id, fingerprint)
);

-- +goose Down
DROP TABLE desk_keys;
DROP TABLE desks;
