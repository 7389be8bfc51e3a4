-- +goose Up
-- Staff accounts. The password is an argon2id PHC string; the TOTP secret is
-- sealed with AES-256-GCM under a key derived from the pepper, so a copy of
-- the database alone cannot mint login codes.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'counsel', 'auditor')),
    password_hash   TEXT NOT NULL,
    totp_secret     BLOB NOT NULL,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Desk membership decides which submissions a staff member sees.
CREATE TABLE user_desks (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    desk_id  INTEGER NOT NULL REFERENCES desks(id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, desk_id)
);

-- Server-side sessions. The id is the SHA-256 of the token the client
-- holds; the token itself is never stored.
CREATE TABLE sessions (
    id            BLOB PRIMARY KEY CHECK (length(id) = 32),
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The append-only, hash-chained audit log of staff actions. payload is the
-- canonical JSON that entry_hash covers (it repeats seq, the previous hash
-- and every column); it never holds tip content.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    at          TIMESTAMP NOT NULL,
    actor_id    INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    entry_hash  BLOB NOT NULL UNIQUE CHECK (length(entry_hash) = 32)
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE user_desks;
DROP TABLE users;
