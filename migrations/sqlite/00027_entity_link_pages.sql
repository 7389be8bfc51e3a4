-- +goose Up
-- An entity's submission links in pages, newest received first, at a
-- million submissions: each link keeps its submission's received day (a
-- submission's day never changes), so that a page is one range of one
-- index instead of a join and sort of every link of a most named entity.
-- SQLite adds a NOT NULL column only with a default; the store always
-- sets it.
ALTER TABLE entity_submission_links ADD COLUMN received_day DATE NOT NULL DEFAULT '';
UPDATE entity_submission_links SET received_day = (SELECT s.received_day FROM submissions s WHERE s.id = entity_submission_links.submission_id);
CREATE INDEX entity_submission_links_entity_day ON entity_submission_links (entity_id, received_day DESC, id DESC);

-- +goose Down
DROP INDEX entity_submission_links_entity_day;
ALTER TABLE entity_submission_links DROP COLUMN received_day;
