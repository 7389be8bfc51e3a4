-- +goose Up
-- An upload session whose last progress was a keep (intake.KeepUpload)
-- rather than a new chunk: a browser holding a file it sent whole while
-- the tip's next files go up. The bytes such sessions hold together are
-- capped (a share of the pending budget), so that keeps, paid with
-- proofs of work, cannot stand in for the bytes an attacker would
-- otherwise have to keep sending to hold the budget.
ALTER TABLE uploads ADD COLUMN kept BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE uploads DROP COLUMN kept;
