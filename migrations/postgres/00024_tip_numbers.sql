-- +goose Up
-- Each tip's number on its desk ("Tip #14"), given at commit in the order
-- of commits on the desk. The intake log's sequence already records the
-- order of commits, so the number reveals nothing the database did not
-- hold; tips committed before it was kept are numbered in the order of
-- their received day, then id, which is the queue's own order.
ALTER TABLE submissions ADD COLUMN number INTEGER;
UPDATE submissions SET number = numbered.n
FROM (SELECT id, row_number() OVER (PARTITION BY desk_id ORDER BY received_day, id) AS n FROM submissions) AS numbered
WHERE numbered.id = submissions.id;
CREATE UNIQUE INDEX submissions_desk_number ON submissions (desk_id, number);

-- The position of the last object of a submission each staff member has
-- seen on its page, so that the queue counts the source's messages they
-- have not read. Staff reads, not a source's actions: no day is kept.
CREATE TABLE submission_seen (
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    submission_id  TEXT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (user_id, submission_id)
);

-- +goose Down
DROP TABLE submission_seen;
DROP INDEX submissions_desk_number;
ALTER TABLE submissions DROP COLUMN number;
