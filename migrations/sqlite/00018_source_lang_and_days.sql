-- +goose Up
-- The language of the source's pages, so that investigators know which
-- language to reply in ('en' for submissions made before it was kept).
ALTER TABLE submissions ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'zh'));

-- The UTC day an object was recorded (a follow-up, a reply), shown in the
-- source's thread; no finer time. NULL for objects recorded before it was
-- kept, which show their submission's day.
ALTER TABLE objects ADD COLUMN day DATE;

-- +goose Down
ALTER TABLE objects DROP COLUMN day;
ALTER TABLE submissions DROP COLUMN lang;
