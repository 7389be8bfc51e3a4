-- +goose Up
-- Investigator documents of a case: files encrypted in the investigator's
-- browser to the desk's keys, like a source's evidence. The body lives in
-- the blob store under documents/ID; its key packets stay here, apart from
-- it. The name, type, size and SHA-256 of the file are encrypted too, as a
-- small OpenPGP message of their own (meta, its key packets apart from its
-- body), so that the server holds no plaintext of a document, not even its
-- name.
CREATE TABLE case_documents (
    id           TEXT PRIMARY KEY CHECK (id ~ '^[a-z0-9]{26}$'),
    case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    blob_key     TEXT NOT NULL UNIQUE,
    key_packets  BYTEA NOT NULL,
    body_size    BIGINT NOT NULL CHECK (body_size > 0),
    sha256       BYTEA NOT NULL CHECK (length(sha256) = 32),
    meta_key_packets BYTEA NOT NULL,
    meta_body    BYTEA NOT NULL CHECK (length(meta_body) BETWEEN 1 AND 65536),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, created_at, id);

-- +goose Down
DROP TABLE case_documents;
