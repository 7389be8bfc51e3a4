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
);
CREATE INDEX entity_case_reach_case ON entity_case_reach (case_id);
INSERT INTO entity_case_reach (entity_id, case_id, reasons)
SELECT entity_id, case_id, COUNT(*) FROM (
    SELECT entity_id, case_id FROM entity_case_links
    UNION ALL
    SELECT l.entity_id, cs.case_id FROM entity_submission_links l JOIN case_submissions cs ON cs.submission_id = l.submission_id
) x GROUP BY entity_id, case_id;

-- +goose StatementBegin
-- reach_add and reach_remove count one more or one fewer reason for an
-- entity to reach each case the cases query returns.
CREATE FUNCTION entity_reach_add(entity TEXT, cases TEXT[]) RETURNS void AS $$
    INSERT INTO entity_case_reach (entity_id, case_id, reasons)
    SELECT entity, c, COUNT(*) FROM unnest(cases) c GROUP BY c
    ON CONFLICT (entity_id, case_id) DO UPDATE SET reasons = entity_case_reach.reasons + EXCLUDED.reasons;
$$ LANGUAGE sql;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION entity_reach_remove(entity TEXT, cases TEXT[]) RETURNS void AS $$
    DELETE FROM entity_case_reach r USING (SELECT c, COUNT(*) AS n FROM unnest(cases) c GROUP BY c) x
    WHERE r.entity_id = entity AND r.case_id = x.c AND r.reasons <= x.n;
    UPDATE entity_case_reach r SET reasons = r.reasons - x.n FROM (SELECT c, COUNT(*) AS n FROM unnest(cases) c GROUP BY c) x
    WHERE r.entity_id = entity AND r.case_id = x.c;
$$ LANGUAGE sql;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION entity_submission_links_reach() RETURNS trigger AS $$
DECLARE
    cases TEXT[];
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        cases := ARRAY(SELECT case_id FROM case_submissions WHERE submission_id = OLD.submission_id);
        IF cardinality(cases) > 0 THEN
            PERFORM entity_reach_remove(OLD.entity_id, cases);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        cases := ARRAY(SELECT case_id FROM case_submissions WHERE submission_id = NEW.submission_id);
        IF cardinality(cases) > 0 THEN
            PERFORM entity_reach_add(NEW.entity_id, cases);
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER entity_submission_links_reach AFTER INSERT OR DELETE OR UPDATE OF entity_id, submission_id ON entity_submission_links
    FOR EACH ROW EXECUTE FUNCTION entity_submission_links_reach();
-- +goose StatementBegin
CREATE FUNCTION entity_case_links_reach() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM entity_reach_remove(OLD.entity_id, ARRAY[OLD.case_id]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM entity_reach_add(NEW.entity_id, ARRAY[NEW.case_id]);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER entity_case_links_reach AFTER INSERT OR DELETE OR UPDATE OF entity_id, case_id ON entity_case_links
    FOR EACH ROW EXECUTE FUNCTION entity_case_links_reach();
-- +goose StatementBegin
CREATE FUNCTION case_submissions_reach() RETURNS trigger AS $$
DECLARE
    e TEXT;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        FOR e IN SELECT entity_id FROM entity_submission_links WHERE submission_id = OLD.submission_id LOOP
            PERFORM entity_reach_remove(e, ARRAY[OLD.case_id]);
        END LOOP;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        FOR e IN SELECT entity_id FROM entity_submission_links WHERE submission_id = NEW.submission_id LOOP
            PERFORM entity_reach_add(e, ARRAY[NEW.case_id]);
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER case_submissions_reach AFTER INSERT OR DELETE OR UPDATE OF case_id, submission_id ON case_submissions
    FOR EACH ROW EXECUTE FUNCTION case_submissions_reach();

-- Exact names first: a search looks up the names whose strong words are
-- the query's (match.SearchText) before it looks for resemblance.
CREATE INDEX entity_names_search_text ON entity_names (search_text);

-- +goose Down
DROP INDEX entity_names_search_text;
DROP TRIGGER case_submissions_reach ON case_submissions;
DROP FUNCTION case_submissions_reach();
DROP TRIGGER entity_case_links_reach ON entity_case_links;
DROP FUNCTION entity_case_links_reach();
DROP TRIGGER entity_submission_links_reach ON entity_submission_links;
DROP FUNCTION entity_submission_links_reach();
DROP FUNCTION entity_reach_remove(TEXT, TEXT[]);
DROP FUNCTION entity_reach_add(TEXT, TEXT[]);
DROP TABLE entity_case_reach;
ALTER TABLE entities DROP COLUMN last_seen_day;
ALTER TABLE entities DROP COLUMN first_seen_day;
