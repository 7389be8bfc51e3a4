-- +goose Up
-- Qui tam matters (package quitam): a relator's False Claims Act action
-- filed under seal, linked to an investigators' case and to counsel's
-- award claim. Counsel's facts and days only, never tip content. The
-- deadlines the matter sets live in the deadlines table, on the case's
-- submissions, under the kinds 'qui_tam:MATTER:RULE'.
CREATE TABLE qui_tam_matters (
    id                     TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    case_id                TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
    claim_id               TEXT NOT NULL REFERENCES claims(id) ON DELETE RESTRICT,
    caption                TEXT NOT NULL CHECK (length(caption) BETWEEN 1 AND 300),
    filed_day              DATE,
    served_day             DATE,
    violation_day          DATE,
    knowledge_day          DATE,
    retaliation_day        DATE,
    retaliation_filed_day  DATE,
    public_disclosure      INTEGER NOT NULL DEFAULT 0,
    original_source        INTEGER NOT NULL DEFAULT 0,
    primarily_public       INTEGER NOT NULL DEFAULT 0,
    first_to_file          INTEGER NOT NULL DEFAULT 0,
    planned_initiated      INTEGER NOT NULL DEFAULT 0,
    intervention           TEXT NOT NULL DEFAULT 'undecided' CHECK (intervention IN ('undecided', 'intervened', 'declined')),
    intervention_day       DATE,
    created_by             INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK ((intervention = 'undecided') = (intervention_day IS NULL))
);
CREATE INDEX qui_tam_matters_claim ON qui_tam_matters (claim_id);
CREATE INDEX qui_tam_matters_case ON qui_tam_matters (case_id);

-- Extensions of the seal (31 U.S.C. 3730(b)(3)), in the order granted.
CREATE TABLE qui_tam_extensions (
    matter_id    TEXT NOT NULL REFERENCES qui_tam_matters(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    granted_day  DATE NOT NULL,
    new_day      DATE NOT NULL,
    PRIMARY KEY (matter_id, position)
);

-- Payments received under the judgment or settlement, append-only: the
-- federal proceeds the relator's share is computed on, and a state's part
-- kept apart.
CREATE TABLE qui_tam_collections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_id      TEXT NOT NULL REFERENCES qui_tam_matters(id) ON DELETE RESTRICT,
    received_day   DATE NOT NULL,
    federal_cents  BIGINT NOT NULL CHECK (federal_cents >= 0),
    state_cents    BIGINT NOT NULL CHECK (state_cents >= 0),
    document_ref   TEXT NOT NULL DEFAULT '' CHECK (length(document_ref) <= 300),
    recorded_by    INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    recorded_at    TIMESTAMP NOT NULL,
    CHECK (federal_cents + state_cents > 0)
);
CREATE INDEX qui_tam_collections_matter ON qui_tam_collections (matter_id, id);

-- +goose StatementBegin
CREATE TRIGGER qui_tam_collections_no_update BEFORE UPDATE ON qui_tam_collections
BEGIN
    SELECT RAISE(ABORT, 'the qui tam collections ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER qui_tam_collections_no_delete BEFORE DELETE ON qui_tam_collections
BEGIN
    SELECT RAISE(ABORT, 'the qui tam collections ledger is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER qui_tam_collections_no_delete;
DROP TRIGGER qui_tam_collections_no_update;
DROP TABLE qui_tam_collections;
DROP TABLE qui_tam_extensions;
DROP TABLE qui_tam_matters;
