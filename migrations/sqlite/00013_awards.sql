-- +goose Up
-- Awards: enforcement actions with the sanctions they order, an
-- append-only ledger of what is collected, and counsel's award claims.
-- Nothing here is tip content: a claim names its submissions by id, and
-- their receipt hashes and received days come from the intake log.

-- An enforcement action. A covered action has no covered_id; an action
-- aggregated with it (same nucleus of operative facts) or a related action
-- (another authority, same original information) names it, with the basis
-- for the grouping. case_id links the action to an investigators' case.
CREATE TABLE enforcement_actions (
    id               TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    covered_id       TEXT REFERENCES enforcement_actions(id) ON DELETE RESTRICT,
    relation         TEXT NOT NULL CHECK (relation IN ('covered', 'aggregated', 'related')),
    basis            TEXT NOT NULL DEFAULT '' CHECK (length(basis) <= 2000),
    agency           TEXT NOT NULL CHECK (length(agency) BETWEEN 1 AND 200),
    forum            TEXT NOT NULL DEFAULT '' CHECK (length(forum) <= 200),
    case_number      TEXT NOT NULL DEFAULT '' CHECK (length(case_number) <= 200),
    title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    filed_day        DATE,
    final_order_day  DATE,
    notice_day       DATE,
    case_id          TEXT REFERENCES cases(id) ON DELETE SET NULL,
    created_by       INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK ((relation = 'covered') = (covered_id IS NULL)),
    CHECK (relation = 'covered' OR length(basis) > 0)
);
CREATE INDEX enforcement_actions_covered ON enforcement_actions (covered_id);
CREATE INDEX enforcement_actions_case ON enforcement_actions (case_id);

-- Defendants by name, in order. entity_id is reserved for the entities
-- module, which links a defendant to an entity; it has no foreign key
-- until that table exists.
CREATE TABLE action_defendants (
    action_id  TEXT NOT NULL REFERENCES enforcement_actions(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 0),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    entity_id  TEXT,
    PRIMARY KEY (action_id, position)
);

-- Sanctions ordered, one amount per kind of money, in integer cents.
CREATE TABLE action_sanctions (
    action_id      TEXT NOT NULL REFERENCES enforcement_actions(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    ordered_cents  BIGINT NOT NULL CHECK (ordered_cents >= 0),
    PRIMARY KEY (action_id, kind)
);

-- The collections ledger: payments received, append-only. A correction is
-- a reversing entry (the negated amount, naming the entry it reverses),
-- followed by a new entry. The id orders the ledger; the highest id a claim
-- depends on is its ledger version.
CREATE TABLE collections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id     TEXT NOT NULL REFERENCES enforcement_actions(id) ON DELETE RESTRICT,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    amount_cents  BIGINT NOT NULL CHECK (amount_cents <> 0),
    received_day  DATE NOT NULL,
    document_ref  TEXT NOT NULL DEFAULT '' CHECK (length(document_ref) <= 300),
    reverses      INTEGER UNIQUE REFERENCES collections(id) ON DELETE RESTRICT,
    recorded_by   INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    recorded_at   TIMESTAMP NOT NULL,
    CHECK ((reverses IS NULL) = (amount_cents > 0))
);
CREATE INDEX collections_action ON collections (action_id, id);

-- +goose StatementBegin
CREATE TRIGGER collections_no_update BEFORE UPDATE ON collections
BEGIN
    SELECT RAISE(ABORT, 'the collections ledger is append-only: record a reversing entry');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER collections_no_delete BEFORE DELETE ON collections
BEGIN
    SELECT RAISE(ABORT, 'the collections ledger is append-only: record a reversing entry');
END;
-- +goose StatementEnd

-- An award claim: a claimant (pseudonym; a legal name only when counsel
-- enter one, shown only when they choose), under one program. The legal
-- name is sealed with AES-256-GCM under a key derived from the pepper, so
-- a copy of the database alone does not name the claimant.
CREATE TABLE claims (
    id                       TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    program                  TEXT NOT NULL CHECK (length(program) BETWEEN 1 AND 40),
    status                   TEXT NOT NULL CHECK (status IN ('draft', 'filed', 'pending', 'awarded', 'denied', 'paid', 'withdrawn')),
    claimant_kind            TEXT NOT NULL CHECK (claimant_kind IN ('source', 'relator')),
    pseudonym                TEXT NOT NULL CHECK (length(pseudonym) BETWEEN 1 AND 200),
    legal_name_sealed        BLOB,
    show_legal_name          INTEGER NOT NULL DEFAULT 0,
    amount_in_dispute_cents  BIGINT NOT NULL DEFAULT 0 CHECK (amount_in_dispute_cents >= 0),
    taxpayer_individual      INTEGER NOT NULL DEFAULT 0,
    individual_income_cents  BIGINT NOT NULL DEFAULT 0 CHECK (individual_income_cents >= 0),
    intervened               INTEGER,
    public_disclosure        INTEGER NOT NULL DEFAULT 0,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL
);
CREATE INDEX claims_status ON claims (status);

CREATE TABLE claim_counsel (
    claim_id  TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    PRIMARY KEY (claim_id, user_id)
);
CREATE INDEX claim_counsel_user ON claim_counsel (user_id);

CREATE TABLE claim_submissions (
    claim_id       TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    submission_id  TEXT NOT NULL REFERENCES submissions(id) ON DELETE RESTRICT,
    PRIMARY KEY (claim_id, submission_id)
);
CREATE INDEX claim_submissions_submission ON claim_submissions (submission_id);

CREATE TABLE claim_actions (
    claim_id   TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    action_id  TEXT NOT NULL REFERENCES enforcement_actions(id) ON DELETE RESTRICT,
    PRIMARY KEY (claim_id, action_id)
);
CREATE INDEX claim_actions_action ON claim_actions (action_id);

-- The eligibility checklist: conditions and disqualifiers, each with its
-- status and the evidence for it (counsel's words, never tip content).
CREATE TABLE claim_checklist (
    claim_id    TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 60),
    status      TEXT NOT NULL CHECK (status IN ('open', 'yes', 'no', 'n_a')),
    evidence    TEXT NOT NULL DEFAULT '' CHECK (length(evidence) <= 4000),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (claim_id, item)
);

-- Joint claims: each claimant's share in basis points.
CREATE TABLE claim_splits (
    claim_id   TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 0),
    claimant   TEXT NOT NULL CHECK (length(claimant) BETWEEN 1 AND 200),
    share_bp   INTEGER NOT NULL CHECK (share_bp BETWEEN 1 AND 10000),
    PRIMARY KEY (claim_id, position)
);

-- Estimates: the award engine's result each time it changed, with the
-- ledger version it was computed on, so reports show when and why the
-- range moved.
CREATE TABLE claim_estimates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id        TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    ledger_version  BIGINT NOT NULL,
    computed_at     TIMESTAMP NOT NULL,
    eligible        INTEGER NOT NULL,
    base_cents      BIGINT NOT NULL,
    min_cents       BIGINT NOT NULL,
    max_cents       BIGINT NOT NULL,
    result          TEXT NOT NULL
);
CREATE INDEX claim_estimates_claim ON claim_estimates (claim_id, id);

-- +goose Down
DROP TABLE claim_estimates;
DROP TABLE claim_splits;
DROP TABLE claim_checklist;
DROP TABLE claim_actions;
DROP TABLE claim_submissions;
DROP TABLE claim_counsel;
DROP TABLE claims;
DROP TRIGGER collections_no_delete;
DROP TRIGGER collections_no_update;
DROP TABLE collections;
DROP TABLE action_sanctions;
DROP TABLE action_defendants;
DROP TABLE enforcement_actions;
