-- +goose Up
-- Entity search and corroboration at scale (a million submissions, hundreds
-- of thousands of entities): counters kept by every change of links instead
-- of aggregating every link per view, and an index for exact names.

-- The received days of the earliest and latest submission linked, kept
-- with submission_count by every link, unlink, merge and undo (store).
ALTER TABLE entities ADD COLUMN first_seen_day DATE;
ALTER TABLE entities ADD COLUMN last_seen_day DATE;
UPDATE entities SET submission_count = x.n, first_seen_day = x.first_day, last_seen_day = x.last_day
FROM (SELECT l.entity_id, COUNT(DISTINCT l.submission_id) AS n, MIN(s.received_day) AS first_day, MAX(s.received_day) AS last_day
      FROM entity_submission_links l JOIN submissions s ON s.id = l.submission_id GROUP BY l.entity_id) x
WHERE entities.id = x.entity_id;

-- The cases an entity reaches: linked to it, or holding a submission
-- linked to it. reasons counts the ways (case links, and pairs of a
-- submission link and the submission's place in the case). Triggers keep
-- it, since cases gain and lose submissions outside the entities store.
CREATE TABLE entity_case_reach (
    entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    reasons    INTEGER NOT NULL CHECK (reasons > 0),
    PRIMARY KEY (entity_id, case_id)
) WITHOUT ROWID;
CREATE INDEX entity_case_reach_case ON entity_case_reach (case_id);
INSERT INTO entity_case_reach (entity_id, case_id, reasons)
SELECT entity_id, case_id, COUNT(*) FROM (
    SELECT entity_id, case_id FROM entity_case_links
    UNION ALL
    SELECT l.entity_id, cs.case_id FROM entity_submission_links l JOIN case_submissions cs ON cs.submission_id = l.submission_id
) x WHERE true GROUP BY entity_id, case_id;

-- +goose StatementBegin
CREATE TRIGGER entity_submission_links_reach_insert AFTER INSERT ON entity_submission_links
BEGIN
    INSERT INTO entity_case_reach (entity_id, case_id, reasons)
    SELECT NEW.entity_id, case_id, 1 FROM case_submissions WHERE submission_id = NEW.submission_id
    ON CONFLICT (entity_id, case_id) DO UPDATE SET reasons = reasons + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_submission_links_reach_delete AFTER DELETE ON entity_submission_links
BEGIN
    DELETE FROM entity_case_reach WHERE entity_id = OLD.entity_id AND reasons = 1
        AND case_id IN (SELECT case_id FROM case_submissions WHERE submission_id = OLD.submission_id);
    UPDATE entity_case_reach SET reasons = reasons - 1 WHERE entity_id = OLD.entity_id
        AND case_id IN (SELECT case_id FROM case_submissions WHERE submission_id = OLD.submission_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_submission_links_reach_update AFTER UPDATE OF entity_id, submission_id ON entity_submission_links
BEGIN
    DELETE FROM entity_case_reach WHERE entity_id = OLD.entity_id AND reasons = 1
        AND case_id IN (SELECT case_id FROM case_submissions WHERE submission_id = OLD.submission_id);
    UPDATE entity_case_reach SET reasons = reasons - 1 WHERE entity_id = OLD.entity_id
        AND case_id IN (SELECT case_id FROM case_submissions WHERE submission_id = OLD.submission_id);
    INSERT INTO entity_case_reach (entity_id, case_id, reasons)
    SELECT NEW.entity_id, case_id, 1 FROM case_submissions WHERE submission_id = NEW.submission_id
    ON CONFLICT (entity_id, case_id) DO UPDATE SET reasons = reasons + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_case_links_reach_insert AFTER INSERT ON entity_case_links
BEGIN
    INSERT INTO entity_case_reach (entity_id, case_id, reasons) VALUES (NEW.entity_id, NEW.case_id, 1)
    ON CONFLICT (entity_id, case_id) DO UPDATE SET reasons = reasons + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_case_links_reach_delete AFTER DELETE ON entity_case_links
BEGIN
    DELETE FROM entity_case_reach WHERE entity_id = OLD.entity_id AND case_id = OLD.case_id AND reasons = 1;
    UPDATE entity_case_reach SET reasons = reasons - 1 WHERE entity_id = OLD.entity_id AND case_id = OLD.case_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_case_links_reach_update AFTER UPDATE OF entity_id, case_id ON entity_case_links
BEGIN
    DELETE FROM entity_case_reach WHERE entity_id = OLD.entity_id AND case_id = OLD.case_id AND reasons = 1;
    UPDATE entity_case_reach SET reasons = reasons - 1 WHERE entity_id = OLD.entity_id AND case_id = OLD.case_id;
    INSERT INTO entity_case_reach (entity_id, case_id, reasons) VALUES (NEW.entity_id, NEW.case_id, 1)
    ON CONFLICT (entity_id, case_id) DO UPDATE SET reasons = reasons + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER case_submissions_reach_insert AFTER INSERT ON case_submissions
BEGIN
    INSERT INTO entity_case_reach (entity_id, case_id, reasons)
    SELECT entity_id, NEW.case_id, COUNT(*) FROM entity_submission_links WHERE submission_id = NEW.submission_id GROUP BY entity_id
    ON CONFLICT (entity_id, case_id) DO UPDATE SET reasons = reasons + excluded.reasons;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER case_submissions_reach_delete AFTER DELETE ON case_submissions
BEGIN
    DELETE FROM entity_case_reach WHERE case_id = OLD.case_id
        AND reasons <= (SELECT COUNT(*) FROM entity_submission_links l WHERE l.submission_id = OLD.submission_id AND l.entity_id = entity_case_reach.entity_id);
    UPDATE entity_case_reach SET reasons = reasons - (SELECT COUNT(*) FROM entity_submission_links l WHERE l.submission_id = OLD.submission_id AND l.entity_id = entity_case_reach.entity_id)
        WHERE case_id = OLD.case_id AND entity_id IN (SELECT entity_id FROM entity_submission_links WHERE submission_id = OLD.submission_id);
END;
-- +goose StatementEnd

-- Exact names first: a search looks up the names whose strong words are
-- the query's (match.SearchText) before it looks for resemblance.
CREATE INDEX entity_names_search_text ON entity_names (search_text);

-- +goose Down
DROP INDEX entity_names_search_text;
DROP TRIGGER case_submissions_reach_delete;
DROP TRIGGER case_submissions_reach_insert;
DROP TRIGGER entity_case_links_reach_update;
DROP TRIGGER entity_case_links_reach_delete;
DROP TRIGGER entity_case_links_reach_insert;
DROP TRIGGER entity_submission_links_reach_update;
DROP TRIGGER entity_submission_links_reach_delete;
DROP TRIGGER entity_submission_links_reach_insert;
DROP TABLE entity_case_reach;
ALTER TABLE entities DROP COLUMN last_seen_day;
ALTER TABLE entities DROP COLUMN first_seen_day;
