-- +goose Up
-- Every fresh install has the export-control desk; it accepts tips once it
-- has a recipient key.
INSERT INTO desks (slug, title_en, title_zh)
VALUES ('export-controls', 'Export-control violations', '违反出口管制行为');

-- +goose Down
DELETE FROM desks WHERE slug = 'export-controls'
    AND NOT EXISTS (SELECT 1 FROM desk_keys WHERE desk_id = desks.id);
