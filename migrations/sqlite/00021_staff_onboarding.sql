-- +goose Up
-- Single-use links that let someone make their own staff account: the
-- first admin's (kind 'setup', printed by serve while there is no admin)
-- and invitations from an admin (kind 'staff'). Only the SHA-256 of the
-- link's token is kept; the row is deleted when the link is used.
CREATE TABLE staff_invites (
    token_hash  BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
    kind        TEXT NOT NULL CHECK (kind IN ('setup', 'staff')),
    email       TEXT NOT NULL CHECK (email = lower(email)),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'counsel', 'auditor')),
    invited_by  INTEGER REFERENCES users(id) ON DELETE CASCADE,
    expires_at  TIMESTAMP NOT NULL
);

-- The desks an invitation gives.
CREATE TABLE staff_invite_desks (
    token_hash  BLOB NOT NULL REFERENCES staff_invites(token_hash) ON DELETE CASCADE,
    desk_id     INTEGER NOT NULL REFERENCES desks(id) ON DELETE CASCADE,
    PRIMARY KEY (token_hash, desk_id)
);

-- A questionnaire uploaded by an admin for a desk; it replaces the
-- embedded one and any TIPLINE_QUESTIONNAIRE_DIR file for that desk.
CREATE TABLE desk_questionnaires (
    desk_id     INTEGER PRIMARY KEY REFERENCES desks(id) ON DELETE CASCADE,
    definition  TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE desk_questionnaires;
DROP TABLE staff_invite_desks;
DROP TABLE staff_invites;
