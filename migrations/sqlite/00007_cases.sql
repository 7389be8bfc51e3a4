-- +goose Up
-- Cases group submissions of one desk, so that desk membership governs who
-- works them. Titles and notes are investigator work product written by
-- staff, never tip plaintext: staff must not paste tip content into them.
-- The composite foreign keys of case_submissions hold every linked
-- submission to the case's desk.
CREATE UNIQUE INDEX submissions_id_desk ON submissions (id, desk_id);

CREATE TABLE cases (
    id          TEXT PRIMARY KEY CHECK (length(id) = 26 AND id NOT GLOB '*[^a-z0-9]*'),
    desk_id     INTEGER NOT NULL REFERENCES desks(id) ON DELETE RESTRICT,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    lead_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    status      TEXT NOT NULL CHECK (status IN ('open', 'on_hold', 'referred', 'closed')),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (id, desk_id)
);
CREATE INDEX cases_created ON cases (created_at DESC, id DESC);
CREATE INDEX cases_desk_created ON cases (desk_id, created_at DESC, id DESC);

CREATE TABLE case_submissions (
    case_id        TEXT NOT NULL,
    submission_id  TEXT NOT NULL,
    desk_id        INTEGER NOT NULL,
    PRIMARY KEY (case_id, submission_id),
    FOREIGN KEY (case_id, desk_id) REFERENCES cases(id, desk_id) ON DELETE CASCADE,
    FOREIGN KEY (submission_id, desk_id) REFERENCES submissions(id, desk_id) ON DELETE CASCADE
);
CREATE INDEX case_submissions_submission ON case_submissions (submission_id);

-- Notes: staff-written work product, stored as text for now (a later
-- change may encrypt them to the desk's keys).
CREATE TABLE case_notes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

-- +goose Down
DROP TABLE case_notes;
DROP TABLE case_submissions;
DROP TABLE cases;
DROP INDEX submissions_id_desk;
