-- +goose Up
-- What the award engine decides a claim on, as counsel enter it on the
-- claim's page: whether the claimant is an original source (FCA
-- 3730(e)(4)(B), IRS 7623(b)(2)(B)); how the claim counts each action
-- (its role, the authority that brought it, the amount credited against
-- another action); and each claimant's facts (joint or separate, the
-- sanctions 17 CFR 240.21F-16 disregards, a bar, negative factors); and
-- whether an estimate was made before anything decided the claim.
ALTER TABLE claims ADD COLUMN original_source INTEGER NOT NULL DEFAULT 0;

ALTER TABLE claim_actions ADD COLUMN role TEXT NOT NULL DEFAULT '' CHECK (role IN ('', 'covered', 'related'));
ALTER TABLE claim_actions ADD COLUMN authority TEXT NOT NULL DEFAULT '' CHECK (length(authority) <= 20);
ALTER TABLE claim_actions ADD COLUMN credited_cents BIGINT NOT NULL DEFAULT 0 CHECK (credited_cents >= 0);

-- An estimate made while nothing decides the claim yet (no sanction
-- ordered, no condition failed) is incomplete, neither eligible nor not.
ALTER TABLE claim_estimates ADD COLUMN incomplete INTEGER NOT NULL DEFAULT 0;

-- A claimant's share becomes optional (0: none agreed), so the table is
-- rebuilt; its rows were joint claimants with agreed shares.
CREATE TABLE claim_claimants (
    claim_id               TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    position               INTEGER NOT NULL CHECK (position >= 0),
    claimant               TEXT NOT NULL CHECK (length(claimant) BETWEEN 1 AND 200),
    joint                  INTEGER NOT NULL DEFAULT 0,
    share_bp               INTEGER NOT NULL DEFAULT 0 CHECK (share_bp BETWEEN 0 AND 10000),
    culpable_amount_cents  BIGINT NOT NULL DEFAULT 0 CHECK (culpable_amount_cents >= 0),
    disqualified           TEXT NOT NULL DEFAULT '' CHECK (length(disqualified) <= 300),
    negative_factors       TEXT NOT NULL DEFAULT '' CHECK (length(negative_factors) <= 300),
    PRIMARY KEY (claim_id, position)
);
INSERT INTO claim_claimants (claim_id, position, claimant, joint, share_bp)
    SELECT claim_id, position, claimant, 1, share_bp FROM claim_splits;
DROP TABLE claim_splits;

-- +goose Down
CREATE TABLE claim_splits (
    claim_id   TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 0),
    claimant   TEXT NOT NULL CHECK (length(claimant) BETWEEN 1 AND 200),
    share_bp   INTEGER NOT NULL CHECK (share_bp BETWEEN 1 AND 10000),
    PRIMARY KEY (claim_id, position)
);
INSERT INTO claim_splits (claim_id, position, claimant, share_bp)
    SELECT claim_id, position, claimant, share_bp FROM claim_claimants WHERE joint = 1 AND share_bp > 0;
DROP TABLE claim_claimants;
ALTER TABLE claim_estimates DROP COLUMN incomplete;
ALTER TABLE claim_actions DROP COLUMN credited_cents;
ALTER TABLE claim_actions DROP COLUMN authority;
ALTER TABLE claim_actions DROP COLUMN role;
ALTER TABLE claims DROP COLUMN original_source;
