-- +goose Up
-- Staff logins under attack (issue 11): no lockout that an outsider can
-- trigger, a progressive delay per email address instead. Attempts are
-- kept per keyed hash of the email address tried (HMAC-SHA256 under the
-- pepper), for accounts and unknown addresses alike, so that the delay does
-- not tell which addresses have an account and no unknown address is
-- stored. Each attempt counts as a failure before its password is checked;
-- a successful login sets failures back to 0.
CREATE TABLE login_attempts (
    email_key        BYTEA PRIMARY KEY CHECK (length(email_key) = 32),
    -- The account of the address, NULL for an address with none. Rows
    -- without an account are deleted a day after their last attempt.
    user_id          BIGINT REFERENCES users(id) ON DELETE CASCADE,
    failures         INTEGER NOT NULL CHECK (failures >= 0),
    last_attempt_at  TIMESTAMPTZ NOT NULL,
    -- The last failed check, shown to admins (tipline users list).
    last_failed_at   TIMESTAMPTZ,
    -- The last TOTP step that let an attempt through a delay: each code
    -- does so once.
    bypass_step      BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX login_attempts_user ON login_attempts (user_id);
CREATE INDEX login_attempts_last ON login_attempts (last_attempt_at);

-- The lockout is gone: its count and end move to login_attempts.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
DROP TABLE login_attempts;
