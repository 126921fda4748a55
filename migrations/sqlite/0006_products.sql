-- Products of an organization (PRD-1): domain names, hostings, mail services, cloud servers,
-- drives. The holder is who owns the rights (shown apart from the organization that pays).
CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('domain', 'web_hosting', 'mail_service', 'cloud_server', 'drive')),
    name            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('active', 'expired', 'suspended')),
    expires_at      INTEGER,
    holder          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (organization_id, kind, name)
);
CREATE INDEX products_by_name ON products (organization_id, name, id);
CREATE INDEX products_by_expiry ON products (organization_id, expires_at, id);

-- Which products a collaborator or external person may reach, and whether with billing rights.
-- Legal representatives and administrators reach every product of their organization.
CREATE TABLE product_access (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    billing    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (product_id, user_id)
);
CREATE INDEX product_access_by_user ON product_access (user_id);
