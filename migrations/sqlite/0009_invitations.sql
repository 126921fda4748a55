-- Invitations to join an organization (ORG-4). The link's token is stored only as its SHA-256.
-- One pending invitation per address and organization; accepting or revoking ends it, and
-- resending replaces the token (the old link stops working) and restarts the 7 days.
CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('legal_representative', 'administrator', 'collaborator', 'external')),
    token_hash      TEXT    NOT NULL UNIQUE,
    invited_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    accepted_at     INTEGER,
    accepted_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at      INTEGER
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (organization_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- The products a collaborator or external person will reach once they accept.
CREATE TABLE invitation_products (
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    product_id    INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    billing       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (invitation_id, product_id)
);
