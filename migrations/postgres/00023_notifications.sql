-- +goose Up
-- Staff notifications without content (package notify). Each staff member
-- chooses what to hear of and how; the webhook's address and signing
-- secret are sealed under a key derived from the pepper (a webhook URL is
-- often a credential itself).
CREATE TABLE notify_settings (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    new_tips   BOOLEAN NOT NULL DEFAULT false,
    messages   BOOLEAN NOT NULL DEFAULT false,
    deadlines  BOOLEAN NOT NULL DEFAULT false,
    by_email   BOOLEAN NOT NULL DEFAULT false,
    digest     BOOLEAN NOT NULL DEFAULT false,
    webhook    BYTEA
);

-- Events waiting to be told: a kind, a desk and a UTC day, never a
-- submission, a source or a finer time. Intake queues them after a commit;
-- the sender fans them out to deliveries once an hour. An event already
-- fanned out stays until the day after, so that a deadline reminder is
-- queued once a day.
CREATE TABLE notify_events (
    kind        TEXT NOT NULL CHECK (kind IN ('new_tip', 'source_message', 'deadline_due')),
    desk_slug   TEXT NOT NULL,
    day         DATE NOT NULL,
    fanned_out  BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (kind, desk_slug, day)
);

-- One notice owed to one staff member on one channel; removed once sent.
-- attempts counts failed sends.
CREATE TABLE notify_deliveries (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    kind       TEXT NOT NULL,
    desk_slug  TEXT NOT NULL,
    day        DATE NOT NULL,
    digest     BOOLEAN NOT NULL DEFAULT false,
    attempts   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, channel, kind, desk_slug, day, digest)
);

-- +goose Down
DROP TABLE notify_deliveries;
DROP TABLE notify_events;
DROP TABLE notify_settings;
