-- Moving a product to another organization (PRD-8): started by an administrator of the giving
-- organization, sent by email to a legal representative of the receiving one, who accepts it
-- into one of the organizations they represent (or refuses it) within 14 days. Only the link's
-- SHA-256 is stored. One open request per product.
CREATE TABLE product_moves (
    id                   INTEGER PRIMARY KEY,
    product_id           INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    from_organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    to_email             TEXT    NOT NULL,
    token_hash           TEXT    NOT NULL UNIQUE,
    requested_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    answered_at          INTEGER,
    outcome              TEXT CHECK (outcome IN ('accepted', 'refused', 'cancelled')),
    to_organization_id   INTEGER REFERENCES organizations (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX product_moves_one_open ON product_moves (product_id) WHERE answered_at IS NULL;
