-- +goose Up
-- Access grants. Each staff member may register an armored OpenPGP public
-- key (tipline users set-key). A grant is one extra key packet (PKESK),
-- made in the granting investigator's browser, that opens an object's
-- unchanged encrypted body for the grantee's key. The server never sees
-- the session key inside it.
ALTER TABLE users ADD COLUMN public_key TEXT;

CREATE TABLE object_grants (
    object_id   TEXT NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key_packet  BLOB NOT NULL CHECK (length(key_packet) BETWEEN 1 AND 4200),
    granted_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (object_id, user_id)
);
CREATE INDEX object_grants_user ON object_grants (user_id);

-- +goose Down
DROP TABLE object_grants;
ALTER TABLE users DROP COLUMN public_key;
