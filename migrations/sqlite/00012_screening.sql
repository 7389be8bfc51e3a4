-- +goose Up
-- Screening lists (the U.S. Consolidated Screening List and the like):
-- every import is a version; the newest is active, older ones are kept as
-- history, superseded. screening_keys is the candidate index (match.Keys of
-- every name of an entry, one row per distinct key) that narrows
-- candidates before match.Compare ranks them; it holds the active
-- version's entries only (PostgreSQL uses a pg_trgm index instead).
CREATE TABLE screening_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    format         TEXT NOT NULL CHECK (format IN ('csl')),
    label          TEXT NOT NULL CHECK (length(label) <= 200),
    checksum       TEXT NOT NULL CHECK (length(checksum) = 64 AND checksum NOT GLOB '*[^0-9a-f]*'),
    entries        INTEGER NOT NULL CHECK (entries >= 0),
    names          INTEGER NOT NULL CHECK (names >= 0),
    imported_at    TIMESTAMP NOT NULL,
    superseded_at  TIMESTAMP
);
-- One active version per format.
CREATE UNIQUE INDEX screening_versions_active ON screening_versions (format) WHERE superseded_at IS NULL;

CREATE TABLE screening_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id   INTEGER NOT NULL REFERENCES screening_versions(id) ON DELETE CASCADE,
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
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id     INTEGER NOT NULL REFERENCES screening_entries(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    alias        BOOLEAN NOT NULL,
    search_text  TEXT NOT NULL
);
CREATE INDEX screening_names_entry ON screening_names (entry_id);

CREATE TABLE screening_keys (
    key       TEXT NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES screening_entries(id) ON DELETE CASCADE,
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID;
CREATE INDEX screening_keys_entry ON screening_keys (entry_id);

-- +goose Down
DROP TABLE screening_keys;
DROP TABLE screening_names;
DROP TABLE screening_entries;
DROP TABLE screening_versions;
