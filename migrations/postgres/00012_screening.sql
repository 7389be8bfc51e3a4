-- +goose Up
-- Screening lists (the U.S. Consolidated Screening List and the like):
-- every import is a version; the newest is active, older ones are kept as
-- history, superseded. Names carry search_text (match.SearchText) under a
-- pg_trgm GIN index that narrows candidates before match.Compare ranks
-- them; a superseded version's search_text is emptied, which takes its
-- names out of the index while keeping them. pg_trgm is a trusted
-- extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE screening_versions (
    id             BIGSERIAL PRIMARY KEY,
    format         TEXT NOT NULL CHECK (format IN ('csl')),
    label          TEXT NOT NULL CHECK (length(label) <= 200),
    checksum       TEXT NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    entries        INTEGER NOT NULL CHECK (entries >= 0),
    names          INTEGER NOT NULL CHECK (names >= 0),
    imported_at    TIMESTAMPTZ NOT NULL,
    superseded_at  TIMESTAMPTZ
);
-- One active version per format.
CREATE UNIQUE INDEX screening_versions_active ON screening_versions (format) WHERE superseded_at IS NULL;

CREATE TABLE screening_entries (
    id           BIGSERIAL PRIMARY KEY,
    version_id   BIGINT NOT NULL REFERENCES screening_versions(id) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    list         TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    name         TEXT NOT NULL,
    programs     TEXT NOT NULL, -- JSON array of strings
    countries    TEXT NOT NULL, -- JSON array of ISO 3166 codes
    details      TEXT NOT NULL  -- JSON object of the list's other columns
);
CREATE INDEX screening_entries_version ON screening_entries (version_id, id);

CREATE TABLE screening_names (
    id           BIGSERIAL PRIMARY KEY,
    entry_id     BIGINT NOT NULL REFERENCES screening_entries(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    alias        BOOLEAN NOT NULL,
    search_text  TEXT NOT NULL
);
CREATE INDEX screening_names_entry ON screening_names (entry_id);
CREATE INDEX screening_names_trgm ON screening_names USING gin (search_text gin_trgm_ops);

-- +goose Down
DROP TABLE screening_names;
DROP TABLE screening_entries;
DROP TABLE screening_versions;
