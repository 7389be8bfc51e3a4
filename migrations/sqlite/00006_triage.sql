-- +goose Up
-- Triage: each desk's deadline rules, and each submission's priority,
-- assignee, closing code and labels.
ALTER TABLE desks ADD COLUMN ack_days INTEGER NOT NULL DEFAULT 7 CHECK (ack_days > 0);
ALTER TABLE desks ADD COLUMN feedback_months INTEGER NOT NULL DEFAULT 3 CHECK (feedback_months > 0);
ALTER TABLE submissions ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3);
ALTER TABLE submissions ADD COLUMN closing_code TEXT;
ALTER TABLE submissions ADD COLUMN assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX submissions_status ON submissions (status, received_day DESC, id DESC);
CREATE INDEX submissions_assignee ON submissions (assignee_id, received_day DESC, id DESC);
CREATE INDEX submissions_received ON submissions (received_day DESC, id DESC);

CREATE TABLE submission_labels (
    submission_id  TEXT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    label          TEXT NOT NULL,
    PRIMARY KEY (submission_id, label)
);
CREATE INDEX submission_labels_label ON submission_labels (label);

-- The deadline engine: dated obligations, met by events. Triage adds
-- acknowledge and feedback deadlines; later capabilities add their kinds.
CREATE TABLE deadlines (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id  TEXT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    due_day        DATE NOT NULL,
    met_day        DATE,
    UNIQUE (submission_id, kind)
);
CREATE INDEX deadlines_open ON deadlines (due_day) WHERE met_day IS NULL;

-- Submissions received before this migration start with the same deadlines.
INSERT INTO deadlines (submission_id, kind, due_day)
SELECT id, 'acknowledge', date(received_day, '+7 days') FROM submissions;
INSERT INTO deadlines (submission_id, kind, due_day)
SELECT id, 'feedback', date(received_day, '+7 days', '+3 months') FROM submissions;

-- +goose Down
DROP TABLE deadlines;
DROP TABLE submission_labels;
DROP INDEX submissions_received;
DROP INDEX submissions_assignee;
DROP INDEX submissions_status;
ALTER TABLE submissions DROP COLUMN assignee_id;
ALTER TABLE submissions DROP COLUMN closing_code;
ALTER TABLE submissions DROP COLUMN priority;
ALTER TABLE desks DROP COLUMN feedback_months;
ALTER TABLE desks DROP COLUMN ack_days;
