-- +goose Up
-- Entities: who and what tips are about. An entity belongs to one desk;
-- its names, links and relations stay within that desk (composite foreign
-- keys on (entity id, desk id), as for cases). Names, notes and history
-- are investigator work product that staff confirm; the server never
-- receives a tip's answers otherwise. (PostgreSQL's pg_trgm index on names
-- has no SQLite twin: the candidate index entity_keys serves both.)
CREATE TABLE entities (
    id                TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    desk_id           INTEGER NOT NULL REFERENCES desks(id) ON DELETE RESTRICT,
    kind              TEXT NOT NULL CHECK (kind IN ('organization', 'person', 'address', 'vessel', 'aircraft',
                          'shipment', 'product', 'account', 'domain', 'email', 'phone')),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    notes             TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
    merged_into       TEXT REFERENCES entities(id) ON DELETE RESTRICT,
    -- distinct submissions linked, kept by every change of links
    submission_count  INTEGER NOT NULL DEFAULT 0 CHECK (submission_count >= 0),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (id, desk_id)
);
CREATE INDEX entities_desk_updated ON entities (desk_id, updated_at DESC, id) WHERE merged_into IS NULL;
CREATE INDEX entities_updated ON entities (updated_at DESC, id) WHERE merged_into IS NULL;
CREATE INDEX entities_corroborated ON entities (submission_count DESC, id) WHERE merged_into IS NULL AND submission_count > 0;
CREATE INDEX entities_desk_corroborated ON entities (desk_id, submission_count DESC, id) WHERE merged_into IS NULL AND submission_count > 0;

-- The canonical name and the aliases, each with its forms for matching:
-- norm (match.Normalize) and search_text (match.SearchText, pg_trgm's).
CREATE TABLE entity_names (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    norm         TEXT NOT NULL,
    search_text  TEXT NOT NULL,
    UNIQUE (entity_id, name)
);

-- The candidate index: match.Keys of every name of every unmerged entity.
CREATE TABLE entity_keys (
    key        TEXT NOT NULL,
    desk_id    INTEGER NOT NULL,
    entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (key, desk_id, entity_id)
);
CREATE INDEX entity_keys_entity ON entity_keys (entity_id);

-- Screening-list parties a name matches.
CREATE TABLE entity_screening (
    name_id       INTEGER NOT NULL REFERENCES entity_names(id) ON DELETE CASCADE,
    list          TEXT NOT NULL,
    entry_id      TEXT NOT NULL,
    listed_name   TEXT NOT NULL,
    matched_name  TEXT NOT NULL,
    score         REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    explanation   TEXT NOT NULL, -- JSON array of strings
    checked_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (name_id, list, entry_id)
);

CREATE TABLE entity_identifiers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id   TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    type        TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 30 AND type NOT GLOB '*[^a-z0-9_]*'),
    value       TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
    norm_value  TEXT NOT NULL,
    UNIQUE (entity_id, type, value)
);
CREATE INDEX entity_identifiers_norm ON entity_identifiers (norm_value);

CREATE TABLE entity_countries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    country    TEXT NOT NULL CHECK (length(country) = 2 AND country NOT GLOB '*[^A-Z]*'),
    UNIQUE (entity_id, country)
);

CREATE TABLE entity_submission_links (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id      TEXT NOT NULL,
    submission_id  TEXT NOT NULL,
    desk_id        INTEGER NOT NULL,
    role           TEXT NOT NULL,
    linked_by      INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    linked_at      TIMESTAMP NOT NULL,
    UNIQUE (entity_id, submission_id, role),
    FOREIGN KEY (entity_id, desk_id) REFERENCES entities(id, desk_id) ON DELETE CASCADE,
    FOREIGN KEY (submission_id, desk_id) REFERENCES submissions(id, desk_id) ON DELETE CASCADE
);
CREATE INDEX entity_submission_links_submission ON entity_submission_links (submission_id);

CREATE TABLE entity_case_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id  TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    desk_id    INTEGER NOT NULL,
    role       TEXT NOT NULL,
    linked_by  INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    linked_at  TIMESTAMP NOT NULL,
    UNIQUE (entity_id, case_id, role),
    FOREIGN KEY (entity_id, desk_id) REFERENCES entities(id, desk_id) ON DELETE CASCADE,
    FOREIGN KEY (case_id, desk_id) REFERENCES cases(id, desk_id) ON DELETE CASCADE
);
CREATE INDEX entity_case_links_case ON entity_case_links (case_id);

CREATE TABLE entity_relations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    from_id     TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    desk_id     INTEGER NOT NULL,
    type        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    created_at  TIMESTAMP NOT NULL,
    CHECK (from_id <> to_id),
    UNIQUE (from_id, to_id, type),
    FOREIGN KEY (from_id, desk_id) REFERENCES entities(id, desk_id) ON DELETE CASCADE,
    FOREIGN KEY (to_id, desk_id) REFERENCES entities(id, desk_id) ON DELETE CASCADE
);
CREATE INDEX entity_relations_to ON entity_relations (to_id);

-- Merges, and which rows each moved from the loser to the winner, so that
-- an undo moves exactly those back.
CREATE TABLE entity_merges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    winner_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    loser_id   TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    merged_by  INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    merged_at  TIMESTAMP NOT NULL,
    undone_by  INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    undone_at  TIMESTAMP
);
CREATE INDEX entity_merges_winner ON entity_merges (winner_id);
CREATE INDEX entity_merges_loser ON entity_merges (loser_id);

CREATE TABLE entity_merge_moves (
    merge_id  INTEGER NOT NULL REFERENCES entity_merges(id) ON DELETE CASCADE,
    what      TEXT NOT NULL CHECK (what IN ('name', 'identifier', 'country', 'submission_link', 'case_link',
                  'relation_from', 'relation_to')),
    row_id    INTEGER NOT NULL,
    PRIMARY KEY (merge_id, what, row_id)
);

-- Every change of an entity: who (NULL for the system), when, what.
CREATE TABLE entity_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    at         TIMESTAMP NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX entity_history_entity ON entity_history (entity_id, id);

-- +goose Down
DROP TABLE entity_history;
DROP TABLE entity_merge_moves;
DROP TABLE entity_merges;
DROP TABLE entity_relations;
DROP TABLE entity_case_links;
DROP TABLE entity_submission_links;
DROP TABLE entity_countries;
DROP TABLE entity_identifiers;
DROP TABLE entity_screening;
DROP TABLE entity_keys;
DROP TABLE entity_names;
DROP TABLE entities;
