-- +goose Up
-- Idle upload sessions are removed without keeping any time about them:
-- progress counts the new chunks stored; the idle sweep removes
-- the unclaimed sessions whose progress has not changed since it last
-- looked (seen_progress), then records what it saw.
ALTER TABLE uploads ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN seen_progress INTEGER NOT NULL DEFAULT -1;

-- When the idle sweep last ran (Unix seconds), over all app nodes, so that
-- several nodes sweep no more often than one would. A time about the
-- server, never about a source.
CREATE TABLE upload_idle_sweep (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    swept_at  INTEGER NOT NULL
);
INSERT INTO upload_idle_sweep (id, swept_at) VALUES (1, 0);

-- +goose Down
DROP TABLE upload_idle_sweep;
ALTER TABLE uploads DROP COLUMN seen_progress;
ALTER TABLE uploads DROP COLUMN progress;
