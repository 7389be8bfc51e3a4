-- +goose Up
-- Retention (package casework, retention.go): each desk may have its
-- closed tips deleted a number of days after they were closed; a desk
-- without a row keeps every tip.
CREATE TABLE retention_policies (
    desk_id      BIGINT PRIMARY KEY REFERENCES desks(id) ON DELETE CASCADE,
    closed_days  INTEGER NOT NULL CHECK (closed_days BETWEEN 1 AND 36500)
);

-- The UTC day a tip was last closed, NULL while it is not closed; kept by
-- the trigger below on every change of status. Tips closed before it was
-- kept count as closed on the day of this migration, so none is deleted
-- earlier than its policy allows.
ALTER TABLE submissions ADD COLUMN closed_day DATE;
UPDATE submissions SET closed_day = (now() AT TIME ZONE 'UTC')::date WHERE status = 'closed';
-- +goose StatementBegin
CREATE FUNCTION submissions_closed_day() RETURNS trigger AS $$
BEGIN
    NEW.closed_day := CASE WHEN NEW.status = 'closed' THEN (now() AT TIME ZONE 'UTC')::date END;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER submissions_closed_day BEFORE UPDATE OF status ON submissions
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION submissions_closed_day();

-- Legal holds set by an admin: while a tip has one, retention never
-- deletes it (nor can anything else: the reference restricts). Released
-- by deleting the row; both are in the audit log.
CREATE TABLE legal_holds (
    submission_id  TEXT PRIMARY KEY REFERENCES submissions(id) ON DELETE RESTRICT,
    set_by         BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    set_day        DATE NOT NULL,
    reason         TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 300)
);

-- Blobs of tips deleted by retention, written in the transaction that
-- deletes the rows and removed once the blob store has deleted the blob,
-- so that a crash in between leaves ciphertext the next run deletes, never
-- a row that names a missing blob.
CREATE TABLE retention_blob_deletions (
    blob_key  TEXT PRIMARY KEY
);

-- The highest tip number each desk gave to a tip retention deleted, so
-- that a number is never given twice.
CREATE TABLE retired_tip_numbers (
    desk_id  BIGINT PRIMARY KEY REFERENCES desks(id) ON DELETE CASCADE,
    number   INTEGER NOT NULL CHECK (number >= 1)
);

-- The intake log keeps the entries of deleted tips (ids, days and
-- ciphertext hashes only): its chain and every receipt still verify. So
-- its reference to submissions goes.
ALTER TABLE intake_log DROP CONSTRAINT intake_log_submission_id_fkey;

-- +goose Down
ALTER TABLE intake_log ADD CONSTRAINT intake_log_submission_id_fkey
    FOREIGN KEY (submission_id) REFERENCES submissions(id) ON DELETE RESTRICT;
DROP TABLE retired_tip_numbers;
DROP TABLE retention_blob_deletions;
DROP TABLE legal_holds;
DROP TRIGGER submissions_closed_day ON submissions;
DROP FUNCTION submissions_closed_day();
ALTER TABLE submissions DROP COLUMN closed_day;
DROP TABLE retention_policies;
