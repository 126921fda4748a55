-- Coloured tags of an organization, put on its products (PRD-2). Colours come from a fixed
-- palette whose text/background pairs are legible (WCAG AA).
CREATE TABLE tags (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    colour          TEXT    NOT NULL CHECK (colour IN ('blue', 'green', 'orange', 'red', 'purple', 'teal', 'pink', 'grey')),
    created_at      INTEGER NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE product_tags (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, tag_id)
);
CREATE INDEX product_tags_by_tag ON product_tags (tag_id);
